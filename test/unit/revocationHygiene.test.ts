/**
 * Revocation hygiene (issue 26): what may leave an account JWT without losing a revocation. An entry
 * `revocations[K] = t` refuses every JWT of user key K issued at or before `t`, whoever issued it, so
 * it may go only when every such JWT is proved harmless: all expired, or all signed by keys the
 * account no longer has. The proof is the User's own record of every JWT it signed (`issued`); the
 * expiry of its last JWT alone proves nothing (an earlier one may never expire).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeJwt } from "../../core/jwt";
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
import { handler as account } from "../../provider/account";
import type { UserProps, UserState } from "../../provider/contracts";
import { handler as user } from "../../provider/user";

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
    assert.equal(mergeIssued(null as unknown as undefined, { issuers: [SK1] }), undefined, "YAML's null");
    const never = { issuers: [SK1], expires: null } as unknown as { issuers: string[] };
    assert.deepEqual(mergeIssued(never, { issuers: [SK1], expires: 300 }), { issuers: [SK1] }, "null: never");
    assert.deepEqual(
      nextRemovedUsers({}, [m("u:y", U2, { issued: null as unknown as undefined })], 100),
      { [U2]: { at: 100 } },
      "a null issued (a YAML reference to a User without one) is not known",
    );
    assert.equal(
      signersGone({ at: 1, issued: { issuers: "AX" } as unknown as undefined }, ACCOUNT, []),
      false,
      "a malformed record is not known",
    );
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

  describe("revocation hygiene - a User records every JWT it signs for its key (issued)", () => {
    const acct = createKeyPair("account");
    const sk1 = createKeyPair("account");
    const sk2 = createKeyPair("account");
    const pub = (k: ReturnType<typeof createKeyPair>) => k.getPublicKey();
    // As the SDK sends it: the account's wiring packed under `signing`.
    const inputs = (signer: ReturnType<typeof createKeyPair>, extra: Partial<UserProps> = {}) =>
      ({
        name: "alice",
        signerSeed: signer.seed(),
        signing: {
          accountPublicKey: pub(acct),
          accountSigningKeys: [pub(sk1), pub(sk2)],
          signedByIdentity: signer === acct,
        },
        ...extra,
      }) as unknown as UserProps;
    const later = Math.floor(Date.now() / 1000) + 3600;
    const update = async (olds: UserState, news: UserProps) => {
      const previewed = user.preview!(news, olds).issued;
      const { outs } = await user.update!(String(olds.publicKey), olds, news);
      assert.deepEqual(previewed, outs.issued, "the preview knows what the update records");
      return outs;
    };

    it("revocation hygiene - a User's issued: a shortened expiry keeps an earlier JWT's never, a new signer joins", async () => {
      const first = (await user.create(inputs(sk1))).outs;
      assert.deepEqual(first.issued, { issuers: [pub(sk1)] }, "generated key, no expiry");
      assert.deepEqual(user.preview!(inputs(sk1), undefined).issued, first.issued);
      const shortened = await update(first, inputs(sk1, { expires: later }));
      assert.deepEqual(shortened.issued, { issuers: [pub(sk1)] }, "the first JWT never expires");
      const rotated = await update(shortened, inputs(sk2, { expires: later }));
      assert.deepEqual(rotated.issued, { issuers: [pub(sk1), pub(sk2)].sort() });
      const fresh = (await user.create(inputs(acct, { expires: later }))).outs;
      assert.deepEqual(fresh.issued, { issuers: [pub(acct)], expires: later });
      const extended = await update(fresh, inputs(acct, { expires: later + 60 }));
      assert.deepEqual(extended.issued, { issuers: [pub(acct)], expires: later + 60 });
      const kept = await update(extended, inputs(acct, { expires: later + 60 }));
      assert.equal(kept.jwt, extended.jwt, "nothing re-signed");
      assert.deepEqual(kept.issued, extended.issued);
    });

    it("revocation hygiene - a User given its key, or state written before issued, records nothing", async () => {
      const given = (await user.create(inputs(sk1, { seed: createKeyPair("user").seed() }))).outs;
      assert.equal(given.issued, undefined, "a given seed: its JWTs issued elsewhere are not known");
      const declared = createKeyPair("user").getPublicKey();
      assert.equal((await user.create(inputs(sk1, { publicKey: declared }))).outs.issued, undefined);
      assert.equal(user.preview!(inputs(sk1, { publicKey: declared }), undefined).issued, undefined);
      assert.equal((await update(given, inputs(sk2))).issued, undefined);
      const { issued: _none, ...old } = (await user.create(inputs(sk1))).outs;
      assert.equal((await update(old as UserState, inputs(sk2, { expires: later }))).issued, undefined);
    });
  });

  it("revocation hygiene - the Account's preview names the entries that leave its JWT; its update drops them", async () => {
    const op = createKeyPair("operator");
    const sk = createKeyPair("account");
    const [bob, carol] = [createKeyPair("user").getPublicKey(), createKeyPair("user").getPublicKey()];
    const later = Math.floor(Date.now() / 1000) + 3600;
    const inputs = {
      name: "APP",
      operatorPublicKey: op.getPublicKey(),
      signerSeed: op.seed(),
      signingKeys: [sk.getPublicKey()],
      members: [
        m("urn:bob", bob, { issued: { issuers: [sk.getPublicKey()], expires: later } }),
        m("urn:carol", carol, { issued: { issuers: [sk.getPublicKey()] } }),
      ],
    };
    const first = (await account.create(inputs)).outs;
    const left = (await account.update!("id", first, { ...inputs, members: [] })).outs;
    assert.deepEqual(Object.keys(left.removedUsers ?? {}).sort(), [bob, carol].sort());
    // Time passes: bob's every JWT has expired (his recorded expiry moved into the past).
    const removedUsers = {
      ...left.removedUsers,
      [bob]: { ...left.removedUsers![bob], issued: { issuers: [sk.getPublicKey()], expires: 1 } },
    };
    const aged = { ...left, removedUsers };
    const news = { ...inputs, members: [], signingKeys: [] };
    const warnings = (await account.check(aged, news)).warnings ?? [];
    assert.match(
      warnings.join("\n"),
      new RegExp(
        `1 revocation entry of removed Users \\(${bob}\\) leaves the account JWT: every JWT this program signed for those keys has expired`,
      ),
    );
    assert.match(
      warnings.join("\n"),
      new RegExp(
        `1 revocation entry of removed Users \\(${carol}\\) leaves the account JWT: .*no longer has`,
      ),
    );
    assert.equal((await account.diff("id", aged, news)).changes, true);
    const { outs } = await account.update!("id", aged, news);
    assert.equal(
      (decodeJwt(outs.jwt).nats as { revocations?: unknown }).revocations,
      undefined,
      "both left the JWT",
    );
    assert.deepEqual(
      Object.keys(outs.removedUsers ?? {}),
      [carol],
      "bob's entry left the state; carol's stays",
    );
    const settled = (await account.check(outs, news)).warnings ?? [];
    assert.ok(!settled.some((w) => /leaves? the account JWT/.test(w)), "said once, when it leaves");
  });
});
