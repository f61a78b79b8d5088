import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { claimsDrift } from "../../core/drift";
import { createKeyPair } from "../../core/nkeys";
import { sameMeaning } from "../../core/normalize";
import {
  departedMembers,
  jwtRevocations,
  type Member,
  nextRemovedUsers,
  readmittedMembers,
  resolveRevocations,
  unrecordedNow,
} from "../../core/revocation";
import { handler as account } from "../../provider/account";
import type { UserProps } from "../../provider/contracts";
import { previewChecker, UNKNOWN } from "../../provider/kit/unknown";
import { handler as userHandler } from "../../provider/user";

const U1 = createKeyPair("user").getPublicKey();
const U2 = createKeyPair("user").getPublicKey();
const m = (urn: string, publicKey: string, extra: Partial<Member> = {}): Member => ({
  urn,
  publicKey,
  ...extra,
});

describe("revocation", () => {
  it('revocation - seconds, ISO dates and a "now" that keeps its recorded time', () => {
    const r = resolveRevocations(
      { [U1]: 1700000000, [U2]: "2027-01-01T00:00:00Z", "*": "now" },
      undefined,
      42,
    );
    assert.deepEqual(r, { [U1]: 1700000000, [U2]: 1798761600, "*": 42 });
    assert.equal(resolveRevocations({ "*": "now" }, { "*": 7 }, 99)["*"], 7, "recorded once");
    assert.equal(unrecordedNow({ "*": "now" }, undefined), true);
    assert.equal(unrecordedNow({ "*": "now" }, { "*": 7 }), false);
    assert.throws(() => resolveRevocations({ [U1]: "yesterday" }, undefined, 1), /revocations\["U/);
  });

  it("revocation - a member that left, or whose key changed, departs; unknown keys and opted-out users do not", () => {
    const before = [m("u:a", U1), m("u:b", U2), m("u:c", "UC", { revokeOnDelete: false })];
    assert.deepEqual(
      departedMembers(before, [m("u:b", U2)]).map((x) => x.urn),
      ["u:a"],
      "u:c opted out",
    );
    assert.deepEqual(
      departedMembers(before, [m("u:a", "UNEW"), m("u:b", U2)]).map((x) => x.publicKey),
      [U1],
    );
    const unknown = (k: string) => k !== "?";
    assert.deepEqual(
      departedMembers(before, [m("u:a", "?"), m("u:b", U2)], unknown),
      [],
      "preview: unknown key",
    );
    assert.deepEqual(departedMembers(undefined, [m("u:a", U1)]), [], "0.1.0 state knows no members");
  });

  it("revocation - removals are recorded at their time, kept, pruned once every JWT the User signed has expired", () => {
    const issued = { issuers: ["AS"], expires: 200 };
    const first = nextRemovedUsers(undefined, [m("u:a", U1, { name: "alice", expires: 200, issued })], 100);
    assert.deepEqual(first, { [U1]: { at: 100, name: "alice", expires: 200, issued } });
    assert.deepEqual(nextRemovedUsers(first, [m("u:a", U1)], 150), first, "the first time stays");
    assert.deepEqual(nextRemovedUsers(first, [], 201), {}, "pruned once the revoked JWTs expired");
    assert.deepEqual(
      nextRemovedUsers({}, [m("u:x", U2, { expires: 50, issued: { issuers: ["AS"], expires: 50 } })], 100),
      {},
      "already expired",
    );
    const forever = nextRemovedUsers(undefined, [m("u:b", U2)], 100);
    assert.deepEqual(nextRemovedUsers(forever, [], 10 ** 10), forever, "no expiry: never pruned");
  });

  it("revocation - a removed member without a name (YAML/Go/Python `members` may omit it) keeps its User's resource name", () => {
    const urn = "urn:pulumi:prod::p::nats-auth:index:User::alice";
    assert.deepEqual(nextRemovedUsers(undefined, [m(urn, U1)], 100), { [U1]: { at: 100, name: "alice" } });
    assert.deepEqual(
      nextRemovedUsers(undefined, [m(urn, U1, { name: "Alice A." })], 100),
      { [U1]: { at: 100, name: "Alice A." } },
      "a given name wins",
    );
    assert.deepEqual(
      nextRemovedUsers(undefined, [m("u:b", U2)], 100),
      { [U2]: { at: 100 } },
      "no URN: no name",
    );
  });

  it("revocation - the JWT gets removals and explicit entries (explicit wins); a returning key is found", () => {
    const removed = { [U1]: { at: 100 }, [U2]: { at: 100 } };
    assert.deepEqual(jwtRevocations({ [U2]: 500 }, removed), { [U1]: 100, [U2]: 500 });
    assert.equal(jwtRevocations({}, {}), undefined);
    assert.deepEqual(
      readmittedMembers([m("u:new", U1), m("u:b", "UZ")], removed).map((x) => x.urn),
      ["u:new"],
    );
  });

  it('revocation - account revocations accept ISO dates and "now"; anything else names the entry', () => {
    const c = previewChecker();
    c.revocations("revocations", { [U1]: "now", [U2]: "2027-01-01T00:00:00Z" }, "user", { dates: true });
    assert.deepEqual(c.failures, []);
    const bad = previewChecker();
    bad.revocations("revocations", { "*": "soon" }, "user", { dates: true });
    assert.equal(bad.failures[0]?.property, 'revocations["*"]');
    assert.match(bad.failures[0]?.reason ?? "", /ISO-8601 date or "now"/);
  });
});

describe("drift", () => {
  it("drift - JetStream's -1, 0 and absent that all mean unlimited are not drift; storage 0 (disabled) vs -1 is", () => {
    const js = (limits: Record<string, unknown>) => ({
      iss: "OP",
      sub: "A1",
      name: "APP",
      nats: { type: "account", version: 2, limits: { conn: -1, ...limits } },
    });
    const ours = js({
      mem_storage: -1,
      disk_storage: -1,
      streams: -1,
      consumer: -1,
      max_ack_pending: -1,
      tiered_limits: { R1: { disk_storage: 5, streams: -1, consumer: 0 } },
    });
    const nscs = js({
      mem_storage: -1,
      disk_storage: -1,
      consumer: 0,
      mem_max_stream_bytes: 0,
      disk_max_stream_bytes: -1,
      tiered_limits: { R1: { disk_storage: 5 } },
    });
    assert.deepEqual(claimsDrift(ours, nscs), {}, "the same limits, written two ways");
    assert.ok(sameMeaning(ours, nscs));
    assert.deepEqual(claimsDrift(ours, js({ mem_storage: 0, disk_storage: -1, streams: 3 })), {
      "limits.mem_storage": "servers: absent, program: -1",
      "limits.streams": "servers: 3, program: absent",
      "limits.tiered_limits.R1.disk_storage": "servers: absent, program: 5",
    });
    assert.equal(sameMeaning(ours, js({ mem_storage: 0, disk_storage: -1 })), false);
  });

  it("drift - names each differing claim with the servers' and the program's value; iat/jti are not drift", () => {
    const base = {
      iss: "OP",
      sub: "A1",
      name: "APP",
      iat: 1,
      jti: "x",
      nats: { type: "account", version: 2, limits: { conn: 10, subs: -1 }, revocations: { [U1]: 5 } },
    };
    assert.deepEqual(claimsDrift(base, { ...base, iat: 2, jti: "y" }), {});
    const edited = { ...base, nats: { ...base.nats, limits: { conn: 9, subs: -1 }, revocations: undefined } };
    assert.deepEqual(claimsDrift(base, edited), {
      "limits.conn": "servers: 9, program: 10",
      [`revocations.${U1}`]: "servers: absent, program: 5",
    });
    assert.deepEqual(claimsDrift(base, { ...base, iss: "OTHER" }, "1 of 3 servers"), {
      iss: '1 of 3 servers: "OTHER", program: "OP"',
    });
  });
});

describe("revocation - a departed key is refused before anything is signed", () => {
  const operatorKey = createKeyPair("operator");

  async function accountWithDeparted() {
    const user = createKeyPair("user");
    const inputs = {
      name: "APP",
      operatorPublicKey: operatorKey.getPublicKey(),
      signerSeed: operatorKey.seed(),
      members: [m("urn:dave", user.getPublicKey(), { name: "dave" })],
    };
    const first = (await account.create(inputs)).outs;
    const left = (await account.update!("id", first, { ...inputs, members: [] })).outs;
    assert.ok(left.removedUsers?.[user.getPublicKey()], "dave's key is recorded as removed");
    return { inputs, left, user };
  }

  it("revocation - the account's diff refuses a member back with its revoked key, naming user, key, account and the steps", async () => {
    const { inputs, left, user } = await accountWithDeparted();
    const back = { ...inputs, members: [m("urn:dave", user.getPublicKey(), { name: "dave" })] };
    await assert.rejects(account.diff("id", left, back), (e: Error) => {
      assert.match(e.message, /User "dave": key U\w+ was revoked in account A\w+/);
      assert.ok(e.message.includes(user.getPublicKey()) && e.message.includes(String(left.publicKey)));
      // Not in the stack (it left): dropping the key input gives a new one.
      assert.match(e.message, /remove its `seed`\/`key` input.*then run `pulumi up`$/s);
      return true;
    });
    // Held with that key (signed by an earlier release before its account failed): replace it.
    const held = { ...left, members: back.members };
    await assert.rejects(account.diff("id", held, back), /then run `pulumi up --replace urn:dave`/);
    // Under another URN (a renamed User keeping its key) it is the same key.
    const renamed = { ...inputs, members: [m("urn:david", user.getPublicKey(), { name: "david" })] };
    await assert.rejects(account.diff("id", left, renamed), /User "david": key/);
    // A key unknown in the preview is not judged; a new key is welcome.
    const fresh = createKeyPair("user").getPublicKey();
    assert.equal(
      (await account.diff("id", left, { ...inputs, members: [m("urn:dave", UNKNOWN)] })).changes,
      true,
    );
    assert.equal(
      (await account.diff("id", left, { ...inputs, members: [m("urn:dave", fresh)] })).changes,
      true,
    );
  });

  it("revocation - a User given a key its account removed is refused at check and at create, before signing", async () => {
    const { left, user } = await accountWithDeparted();
    const removed = { [user.getPublicKey()]: left.removedUsers![user.getPublicKey()] };
    // As the SDK sends it: the account's wiring packed under `signing`.
    const inputs = {
      name: "dave",
      seed: user.seed(),
      signerSeed: String(left.seed),
      signing: {
        accountPublicKey: String(left.publicKey),
        accountRemovedUsers: removed,
        signedByIdentity: true,
      },
    } as unknown as UserProps;
    const checked = await userHandler.check({}, inputs);
    assert.match(
      checked.failures?.map((f) => `${f.property}: ${f.reason}`).join("\n") ?? "",
      /account: .*was revoked in account/,
    );
    await assert.rejects(
      userHandler.create(inputs),
      /User "dave".*key U\w+ was revoked.*then run `pulumi up`$/s,
    );
    // Another key of the same account is signed as usual.
    const other = { ...inputs, seed: createKeyPair("user").seed() };
    assert.deepEqual((await userHandler.check({}, other)).failures, []);
  });
});

describe("revocation - a stack moved from the dynamic SDK to the native types keeps its members", () => {
  const operatorKey = createKeyPair("operator");
  const dynamicUrn = (name: string, parent = "") =>
    `urn:pulumi:dev::app::${parent}pulumi-nodejs:dynamic/nats-auth:User::${name}`;
  const nativeUrn = (name: string, parent = "") =>
    `urn:pulumi:dev::app::${parent}nats-auth:index:User::${name}`;

  it("revocation - a User whose type moved (alias) is the same member: no departure, no change, and a later removal still revokes", async () => {
    const alice = createKeyPair("user").getPublicKey();
    const bob = createKeyPair("user").getPublicKey();
    const component = "nats-auth:index:OperatorWithSystemAccount$";
    const before = [
      m(dynamicUrn("alice"), alice, { name: "alice", revokeOnDelete: true }),
      m(dynamicUrn("bob", component), bob, { name: "bob", revokeOnDelete: true }),
    ];
    const after = [
      m(nativeUrn("alice"), alice, { name: "alice", revokeOnDelete: true }),
      m(nativeUrn("bob", component), bob, { name: "bob", revokeOnDelete: true }),
    ];
    assert.deepEqual(departedMembers(before, after), [], "the same Users, under their native type");
    // The same, through the handler: the dynamic stack's state against the native program's inputs.
    const inputs = {
      name: "APP",
      operatorPublicKey: operatorKey.getPublicKey(),
      signerSeed: operatorKey.seed(),
      members: before,
    };
    const state = (await account.create(inputs)).outs;
    const moved = await account.diff("id", state, { ...inputs, members: after });
    assert.equal(moved.changes, false, "0 changes after the move");
    // An entry written by hand without revokeOnDelete means the same (its default is true).
    const plain = after.map(({ revokeOnDelete: _, ...rest }) => rest);
    assert.equal((await account.diff("id", state, { ...inputs, members: plain })).changes, false);
    // In the move's preview the Users are unchanged, so their absent outputs (expires) are unknown.
    const previewed = after.map((x) => ({ ...x, expires: UNKNOWN as unknown as number }));
    assert.equal((await account.diff("id", state, { ...inputs, members: previewed })).changes, false);
    // Removing bob after the move still revokes him.
    const left = await account.update!("id", state, { ...inputs, members: [after[0]] });
    assert.deepEqual(Object.keys(left.outs.removedUsers ?? {}), [bob]);
    assert.ok(left.outs.revocations === undefined || !(alice in (left.outs.revocations ?? {})));
  });
});
