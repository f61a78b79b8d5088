/**
 * Revocation hygiene (issue 26): what may leave an account JWT without losing a revocation. An entry
 * `revocations[K] = t` refuses every JWT of user key K issued at or before `t`, whoever issued it, so
 * it may go only when every such JWT is proved harmless: all expired, or all signed by keys the
 * account no longer has. The proof is the User's own record of every JWT it signed (`issued`); the
 * expiry of its last JWT alone proves nothing (an earlier one may never expire).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createKeyPair } from "../../core/nkeys";
import {
  jwtRevocations,
  type Member,
  mergeIssued,
  nextRemovedUsers,
  type RemovedUser,
  readmittedEntry,
  removedUsersLeaving,
  revocationEntries,
  signersGone,
} from "../../core/revocation";

const U1 = createKeyPair("user").getPublicKey();
const U2 = createKeyPair("user").getPublicKey();
const ACCOUNT = createKeyPair("account").getPublicKey();
const SK1 = createKeyPair("account").getPublicKey();
const SK2 = createKeyPair("account").getPublicKey();
const m = (urn: string, publicKey: string, extra: Partial<Member> = {}): Member => ({
  urn,
  publicKey,
  ...extra,
});

describe("revocation hygiene", () => {
  it("revocation hygiene - the last JWT's expiry alone prunes nothing: an earlier JWT of the key may never expire", () => {
    // A User signed without expiry, then with `expires` shortened: members record the last expiry only.
    const recorded = { [U1]: { at: 100, name: "alice", expires: 200 } };
    assert.deepEqual(nextRemovedUsers(recorded, [], 300), recorded, "kept after the last JWT's expiry");
    assert.deepEqual(
      nextRemovedUsers({}, [m("u:x", U2, { expires: 50 })], 100),
      { [U2]: { at: 100, expires: 50 } },
      "a User whose last JWT expired is still revoked when it leaves",
    );
  });

  it("revocation hygiene - with the User's record of all its JWTs, the entry goes once every one has expired", () => {
    const issued = { issuers: [SK1], expires: 200 };
    const first = nextRemovedUsers(undefined, [m("u:a", U1, { expires: 150, issued })], 100);
    assert.deepEqual(first, { [U1]: { at: 100, expires: 150, issued } });
    assert.deepEqual(nextRemovedUsers(first, [], 199), first, "one JWT still valid");
    assert.deepEqual(nextRemovedUsers(first, [], 200), {}, "all expired");
    assert.deepEqual(
      nextRemovedUsers({}, [m("u:x", U2, { issued: { issuers: [SK1], expires: 50 } })], 100),
      {},
    );
    const never = nextRemovedUsers(
      undefined,
      [m("u:b", U2, { expires: 150, issued: { issuers: [SK1] } })],
      100,
    );
    assert.deepEqual(nextRemovedUsers(never, [], 10 ** 10), never, "one JWT never expires: kept");
  });

  it("revocation hygiene - the record of a key's JWTs grows with each one; not known stays not known", () => {
    assert.deepEqual(mergeIssued({ issuers: [SK2], expires: 300 }, { issuers: [SK1, SK2], expires: 200 }), {
      issuers: [SK1, SK2].sort(),
      expires: 300,
    });
    assert.deepEqual(mergeIssued({ issuers: [SK1], expires: 300 }, { issuers: [SK1] }), { issuers: [SK1] });
    assert.equal(mergeIssued(undefined, { issuers: [SK1] }), undefined);
    assert.equal(mergeIssued({ issuers: [SK1] }, undefined), undefined);
    const back = readmittedEntry({ at: 100, issued: { issuers: [SK1] } }, m("u:a", U1), 500);
    assert.deepEqual(back, { at: 500 }, "a returning User with a given key: its JWTs are not known");
  });

  it("revocation hygiene - an entry whose JWTs were all signed by removed signing keys leaves the JWT, and comes back with a key", () => {
    const removed: Record<string, RemovedUser> = {
      [U1]: { at: 100, issued: { issuers: [SK1] } },
      [U2]: { at: 100, issued: { issuers: [SK1, SK2] } },
    };
    const now = (signingKeys: string[]) => ({ account: ACCOUNT, signingKeys });
    assert.deepEqual(jwtRevocations({}, removed, now([SK1, SK2])), { [U1]: 100, [U2]: 100 });
    assert.deepEqual(jwtRevocations({}, removed, now([SK2])), { [U2]: 100 }, "U2 also has JWTs of SK2");
    assert.equal(jwtRevocations({}, removed, now([])), undefined);
    assert.deepEqual(jwtRevocations({}, removed, now([SK1])), { [U1]: 100, [U2]: 100 }, "SK1 back");
    assert.deepEqual(
      jwtRevocations({}, removed, { account: ACCOUNT, signingKeys: [{ key: SK1, role: "r", template: {} }] }),
      { [U1]: 100, [U2]: 100 },
      "a scoped key counts as a signer",
    );
    assert.deepEqual(jwtRevocations({ [U1]: 90 }, removed, now([])), { [U1]: 90 }, "explicit entries stay");
    assert.deepEqual(jwtRevocations({}, removed), { [U1]: 100, [U2]: 100 }, "signers not known");
  });

  it("revocation hygiene - the account's own key never leaves, nor a key whose JWTs are not known", () => {
    const signers = { account: ACCOUNT, signingKeys: [] };
    assert.equal(signersGone({ at: 1, issued: { issuers: [ACCOUNT] } }, ACCOUNT, []), false);
    assert.equal(signersGone({ at: 1, issued: { issuers: [SK1, ACCOUNT] } }, ACCOUNT, []), false);
    assert.equal(signersGone({ at: 1, expires: 5 }, ACCOUNT, []), false, "state before `issued`");
    assert.equal(signersGone({ at: 1, issued: { issuers: [] } }, ACCOUNT, []), false);
    assert.equal(
      signersGone({ at: 1, issued: { issuers: [SK1] } }, undefined, []),
      false,
      "account key not known",
    );
    assert.deepEqual(revocationEntries({}, { [U1]: { at: 7, issued: { issuers: [ACCOUNT] } } }, signers), {
      [U1]: 7,
    });
  });

  it('revocation hygiene - what leaves the stored JWT is named by reason; explicit and "*"-covered entries are not counted', () => {
    const before: Record<string, RemovedUser> = {
      [U1]: { at: 100, issued: { issuers: [SK1], expires: 150 } },
      [U2]: { at: 100, issued: { issuers: [SK1] } },
    };
    const next = nextRemovedUsers(before, [], 200);
    assert.deepEqual(Object.keys(next), [U2]);
    const signers = { account: ACCOUNT, signingKeys: [SK2] };
    let reads = 0;
    const stored = () => {
      reads++;
      return { [U1]: 100, [U2]: 100 };
    };
    assert.deepEqual(removedUsersLeaving(before, next, {}, signers, stored), {
      expired: [U1],
      signersGone: [U2],
    });
    assert.deepEqual(removedUsersLeaving(before, next, { [U2]: 100 }, signers, stored).signersGone, []);
    assert.deepEqual(
      removedUsersLeaving(before, next, {}, signers, () => ({})),
      {
        expired: [],
        signersGone: [],
      },
      "not in the stored JWT: nothing leaves it",
    );
    reads = 0;
    removedUsersLeaving(next, next, {}, { account: ACCOUNT, signingKeys: [SK1] }, stored);
    assert.equal(reads, 0, "the stored JWT is not decoded when nothing can leave");
  });
});
