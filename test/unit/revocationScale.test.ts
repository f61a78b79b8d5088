/**
 * A User's state does not grow with its account's revocations (issue 26): the handler keeps only the
 * user's own entry of the account's revocations and departed keys, and the SDK sends only that entry,
 * so 10,000 revocations cost each User nothing, while a revoked key is still refused before signing.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { createKeyPair } from "../../core/nkeys";
import type { UserProps } from "../../provider/contracts";
import { handler as userHandler } from "../../provider/user";
import * as sdk from "../../sdk";

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

  it("revocation scale - a User whose generated key was revoked by hand is refused at its next update (it is sent the map; check keeps the stored key's entry)", async () => {
    // Created with a key of its own, as a User given no key is.
    const created = await userHandler.create((await userHandler.check({}, userInputs(undefined))).inputs);
    const own = created.outs.publicKey;
    const revocations = { ...REVOKED, [own]: 1700000000 };
    const changed = { ...userInputs(revocations), pub: { allow: ["orders.>"] } } as unknown as UserProps;
    const checked = await userHandler.check(created.outs, changed);
    const kept = (checked.inputs as unknown as { signing: { accountRevocations?: unknown } }).signing;
    assert.deepEqual(kept.accountRevocations, { [own]: 1700000000 }, "only its own entry");
    await assert.rejects(
      userHandler.diff(created.id, created.outs, checked.inputs),
      /User "u".*revoked in account/s,
    );
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
      if (name === "gen") {
        // Its key is not known before it exists: it is sent the map, and its check keeps only the
        // stored key's entry (test "keeps the own revoked key alone" and the e2e show what is stored).
        assert.equal(Object.keys(inBig.accountRevocations ?? {}).length, Object.keys(revokedBob).length);
        continue;
      }
      assert.equal(inBig.accountRevocations, undefined, `${name}: none of the account's revocations`);
      assert.ok(
        bytes(inBig) <= bytes(inSmall) + 2 * 56,
        `${name}: ${bytes(inBig)} vs ${bytes(inSmall)} bytes`,
      );
    }
    const sentBob = await sentBy(bobUser);
    assert.deepEqual(
      sentBob.accountRevocations,
      { [bob.getPublicKey()]: 1700000000 },
      "its own entry reaches it",
    );
  });

  it('revocation scale - a User given its key is sent its own entry and the "*" entry, nothing else', async () => {
    const dave = createKeyPair("user");
    const acct = new sdk.Account("STAR", {
      operator,
      revocations: { ...REVOKED, "*": 1600000000, [dave.getPublicKey()]: 1700000000 },
    });
    const daveUser = new sdk.User("dave", { account: acct, seed: pulumi.secret(dave.seed()) });
    const erin = new sdk.User("erin", { account: acct, seed: pulumi.secret(createKeyPair("user").seed()) });
    assert.deepEqual((await sentBy(daveUser)).accountRevocations, {
      [dave.getPublicKey()]: 1700000000,
      "*": 1600000000,
    });
    assert.deepEqual((await sentBy(erin)).accountRevocations, { "*": 1600000000 }, 'only the "*" entry');
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
