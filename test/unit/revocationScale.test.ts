/**
 * A User's state does not grow with its account's revocations (issue 26): the handler keeps only the
 * user's own entry of the account's revocations and departed keys, and the SDK sends only that entry
 * (a User that generates its key: only `"*"`), so 10,000 revocations cost each User nothing, while a
 * revoked key is still refused before signing (by the User given its key, by the Account otherwise).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { createKeyPair } from "../../core/nkeys";
import { handler as accountHandler } from "../../provider/account";
import type { UserProps } from "../../provider/contracts";
import { UNKNOWN } from "../../provider/kit/unknown";
import { handler as userHandler } from "../../provider/user";
import * as sdk from "../../sdk";
import * as native from "../../sdk/native";

const COUNT = 10_000;
/** An account's explicit revocations: `count` other users' keys (fresh keys are slow: one, varied). */
function manyRevocations(count: number): Record<string, number> {
  const base = createKeyPair("user").getPublicKey();
  const out: Record<string, number> = {};
  for (let i = 0; i < count; i++) out[`${base.slice(0, 40)}${String(i).padStart(16, "0")}`] = 1700000000 + i;
  return out;
}
const REVOKED = manyRevocations(COUNT);
const resolved = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
const bytes = (x: unknown) => Buffer.byteLength(JSON.stringify(x));

describe("revocation scale", () => {
  const accountKey = createKeyPair("account");
  const userInputs = (revocations: Record<string, number> | undefined, seed?: string) =>
    ({
      name: "u",
      ...(seed === undefined ? {} : { seed }),
      signerSeed: accountKey.seed(),
      signing: {
        accountPublicKey: accountKey.getPublicKey(),
        accountRevocations: revocations,
        signedByIdentity: true,
      },
    }) as unknown as UserProps;

  it("revocation scale - a User's checked inputs (its stored state) are the same with 10,000 account revocations as with none", async () => {
    for (const seed of [undefined, createKeyPair("user").seed()]) {
      const none = await userHandler.check({}, userInputs(undefined, seed));
      const many = await userHandler.check({}, userInputs(REVOKED, seed));
      assert.deepEqual(many.failures ?? [], []);
      assert.equal(
        bytes(many.inputs),
        bytes(none.inputs),
        `inputs grew with revocations (seed given: ${!!seed})`,
      );
    }
  });

  it("revocation scale - the user's own revoked key is kept (alone) and still refused at check and at create", async () => {
    const own = createKeyPair("user");
    const revocations = { ...REVOKED, [own.getPublicKey()]: 1700000000 };
    const inputs = userInputs(revocations, own.seed());
    const checked = await userHandler.check({}, inputs);
    assert.match(
      checked.failures?.map((f) => `${f.property}: ${f.reason}`).join("\n") ?? "",
      /account: key U\w+ is revoked in account .*re-admit/s,
    );
    const kept = (checked.inputs as unknown as { signing: { accountRevocations?: unknown } }).signing;
    assert.deepEqual(kept.accountRevocations, { [own.getPublicKey()]: 1700000000 }, "only its own entry");
    await assert.rejects(userHandler.create(inputs), /User "u".*revoked in account.*re-admit/s);
  });

  it('revocation scale - an Account refuses a revocation of a key its User generated, at check, before it signs; not of a given key, not "*"', async () => {
    // The engine hands a User's check its stored inputs, which hold no generated key: the User cannot
    // find its own entry, so the Account, which has its members' keys, refuses the entry instead.
    const operatorKey = createKeyPair("operator");
    const accountKey = createKeyPair("account");
    // Valid keys (the Account validates each entry): the rule does not depend on their number.
    const others: Record<string, number> = {};
    for (let i = 0; i < 200; i++) others[createKeyPair("user").getPublicKey()] = 1700000000 + i;
    const urn = (n: string) => `urn:pulumi:dev::app::pulumi-nodejs:dynamic/nats-auth:User::${n}`;
    const gen = createKeyPair("user").getPublicKey();
    const given = createKeyPair("user").getPublicKey();
    const members = [
      { urn: urn("gen"), publicKey: gen, name: "gen", revokeOnDelete: true, keyGenerated: true },
      { urn: urn("given"), publicKey: given, name: "given", revokeOnDelete: true },
    ];
    const inputs = (revocations: Record<string, number | string> | undefined, list = members) =>
      ({
        name: "APP",
        seed: accountKey.seed(),
        operatorPublicKey: operatorKey.getPublicKey(),
        signerSeed: operatorKey.seed(),
        members: list,
        ...(revocations ? { revocations } : {}),
      }) as unknown as Parameters<typeof accountHandler.check>[1];
    const state = (await accountHandler.create((await accountHandler.check({}, inputs(undefined))).inputs))
      .outs;
    const failures = async (
      r: Record<string, number | string> | undefined,
      list = members,
      olds = inputs(undefined),
    ) =>
      ((await accountHandler.check(olds, inputs(r, list))).failures ?? [])
        .map((f) => `${f.property}: ${f.reason}`)
        .join("\n");
    const refused = await failures({ ...others, [gen]: 1700000000 });
    assert.match(
      refused,
      new RegExp(
        `revocations\\["${gen}"\\]: names key ${gen} of User "gen" \\(${urn("gen").replace(/[$]/g, "\\$")}\\)`,
      ),
    );
    assert.match(refused, /still in the program and generated that key itself.*pulumi up --replace/s);
    assert.ok(refused.includes(state.publicKey), "names the account");
    assert.equal((await failures({ ...others, [gen]: "now" })) === "", false, '"now" too');
    // Preview of a run that updates or replaces the User: its key is unknown, the stored one is judged.
    const unknownKey = members.map((x) => (x.name === "gen" ? { ...x, publicKey: UNKNOWN } : x));
    assert.match(await failures({ [gen]: 1700000000 }, unknownKey), /names key U\w+ of User "gen"/);
    // A given key (its User refuses its own re-signing), "*", a departed or a new User: accepted.
    assert.equal(await failures({ ...others, [given]: 1700000000, "*": 1600000000 }), "");
    assert.equal(await failures({ [gen]: 1700000000 }, [members[1]]), "", "the User left");
    const fresh = [{ ...members[0], publicKey: UNKNOWN }, members[1]];
    assert.equal(
      await failures({ [gen]: 1700000000 }, fresh, inputs(undefined, [members[1]])),
      "",
      "new User",
    );
    // The marker is not recorded as a change: an account stored without it shows no update.
    const plain = members.map(({ keyGenerated: _, ...rest }) => rest);
    const stored = (await accountHandler.create(inputs(undefined, plain as typeof members))).outs;
    assert.equal((await accountHandler.diff("id", stored, inputs(undefined))).changes, false);
  });
});

describe("revocation scale - program", () => {
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        // The account "HUGE" signs a JWT near the limit; "FINE" one well under it.
        newResource: (args) => ({
          id: `${args.name}-id`,
          state:
            args.name === "HUGE" || args.name === "FINE"
              ? { ...args.inputs, jwt: "e".repeat(args.name === "HUGE" ? 800_000 : 700_000) }
              : args.inputs,
        }),
        call: () => ({}),
      },
      "project",
      "stack",
      false,
    );
  });
  const operator = { publicKey: "O".padEnd(56, "A"), seed: pulumi.secret("SO".padEnd(58, "A")) };
  type Signing = { accountRevocations?: Record<string, unknown> };
  const sentBy = async (u: sdk.User) =>
    resolved((u as unknown as { signing: pulumi.Output<Signing> }).signing);

  it("revocation scale - Users of an account with 10,000 revocations send what they send without them", async () => {
    const bob = createKeyPair("user");
    const revokedBob = { ...REVOKED, [bob.getPublicKey()]: 1700000000 };
    const big = new sdk.Account("BIG", { operator, revocations: revokedBob });
    const small = new sdk.Account("SMALL", { operator });
    // Users are declared before any await: the account sends its member list once.
    const bobUser = new sdk.User("bob", { account: big, seed: pulumi.secret(bob.seed()) });
    const pairs = [
      ["gen", {}],
      ["carol", { seed: pulumi.secret(createKeyPair("user").seed()) }],
    ].map(
      ([name, args]) =>
        [
          name,
          new sdk.User(`${name}-big`, { account: big, ...(args as object) }),
          new sdk.User(`${name}-small`, { account: small, ...(args as object) }),
        ] as const,
    );
    for (const [name, userBig, userSmall] of pairs) {
      const inBig = await sentBy(userBig);
      const inSmall = await sentBy(userSmall);
      assert.equal(inBig.accountRevocations, undefined, `${name}: none of the account's revocations`);
      assert.ok(
        bytes(inBig) <= bytes(inSmall) + 2 * 56,
        `${name}: ${bytes(inBig)} vs ${bytes(inSmall)} bytes`,
      );
    }
    // The Account learns which of its Users generated their key (it refuses a revocation of those).
    const members = await resolved(
      (big as unknown as { members: pulumi.Output<{ name: string; keyGenerated?: boolean }[]> }).members,
    );
    assert.deepEqual(
      members.map((x) => [x.name, x.keyGenerated === true]),
      [
        ["bob", false],
        ["gen-big", true],
        ["carol-big", false],
      ],
    );
    const sentBob = await sentBy(bobUser);
    assert.deepEqual(
      sentBob.accountRevocations,
      { [bob.getPublicKey()]: 1700000000 },
      "its own entry reaches it",
    );
  });

  it('revocation scale - a User given its key is sent its own entry and the "*" entry, a User given none only "*"', async () => {
    const dave = createKeyPair("user");
    const acct = new sdk.Account("STAR", {
      operator,
      revocations: { ...REVOKED, "*": 1600000000, [dave.getPublicKey()]: 1700000000 },
    });
    const daveUser = new sdk.User("dave", { account: acct, seed: pulumi.secret(dave.seed()) });
    const erin = new sdk.User("erin", { account: acct, seed: pulumi.secret(createKeyPair("user").seed()) });
    const frank = new sdk.User("frank", { account: acct });
    assert.deepEqual((await sentBy(daveUser)).accountRevocations, {
      [dave.getPublicKey()]: 1700000000,
      "*": 1600000000,
    });
    assert.deepEqual((await sentBy(erin)).accountRevocations, { "*": 1600000000 }, 'only the "*" entry');
    assert.deepEqual(
      (await sentBy(frank)).accountRevocations,
      { "*": 1600000000 },
      'a generated key: only the "*" entry',
    );
  });

  it("revocation scale - Users do not wrap their account's revocations again (pulumi.output walks a whole map each time)", async () => {
    const acct = new sdk.Account("WALK", { operator, revocations: REVOKED });
    const original = pulumi.output;
    let rewrapped = 0;
    // pulumi.output(x) of an Output re-walks its whole value: 11 ms for 10,000 entries, per User.
    (pulumi as { output: typeof pulumi.output }).output = ((value: unknown) => {
      if (value === acct.revocations) rewrapped++;
      return original(value as pulumi.Input<unknown>);
    }) as typeof pulumi.output;
    try {
      const users = Array.from(
        { length: 20 },
        (_, i) =>
          new sdk.User(`walk-${i}`, {
            account: acct,
            ...(i % 2 ? { seed: pulumi.secret(createKeyPair("user").seed()) } : {}),
          }),
      );
      await Promise.all(users.map(sentBy));
    } finally {
      (pulumi as { output: typeof pulumi.output }).output = original;
    }
    assert.equal(rewrapped, 0, "the account's revocations Output is read as it is");
  });

  it("revocation scale - the native SDK's member() says which Users generated their key", async () => {
    const wiring = { accountPublicKey: createKeyPair("account").getPublicKey(), signerSeed: "S" };
    const given = new native.User("n-given", { ...wiring, name: "g", seed: createKeyPair("user").seed() });
    const declared = new native.User("n-declared", {
      ...wiring,
      name: "d",
      publicKey: createKeyPair("user").getPublicKey(),
    });
    const generated = new native.User("n-generated", { ...wiring, name: "n" });
    const flags = await Promise.all(
      [given, declared, generated].map((u) =>
        resolved(pulumi.output(native.member(u)).apply((m) => m.keyGenerated === true)),
      ),
    );
    assert.deepEqual(flags, [false, false, true]);
  });

  it("revocation scale - an account JWT past 75% of the 1 MiB limit is warned about, naming the account, size, limit and remedy", async () => {
    const warned: string[] = [];
    const original = console.warn;
    // Under mocks there is no engine: pulumi.log.warn writes to console.warn.
    console.warn = (...parts: unknown[]) => void warned.push(parts.join(" "));
    try {
      const huge = new sdk.Account("HUGE", { operator });
      const fine = new sdk.Account("FINE", { operator });
      await resolved(pulumi.all([huge.jwt, fine.jwt]));
      await new Promise((r) => setImmediate(r));
    } finally {
      console.warn = original;
    }
    const text = warned.join("\n");
    assert.match(text, /Account "HUGE": the account JWT is 800000 bytes, 76% of the 1048576-byte limit/);
    assert.match(text, /revoke by time/);
    assert.doesNotMatch(text, /FINE/, "700,000 bytes (67%) is not warned about");
  });
});
