/**
 * What a User and an Account cost the Pulumi program per run (bench/RESULTS.md, "Closing on the
 * floor"): the runtime records a stack trace for every promise it wraps (`debuggablePromise`), four
 * per registered property key and one per input given as an Output, and at a thousand resources
 * these are most of a preview's program time. Counted under mocks, beside the inputs each resource
 * sends, which must not change (they are what the engine diffs and stores).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { createKeyPair } from "../../core/nkeys";
import * as sdk from "../../sdk";

interface Debuggable {
  debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T>;
}

/** Every context string Pulumi's runtime gave a stack-recording promise. */
const recorded: string[] = [];
const runtime = require("@pulumi/pulumi/runtime/debuggable") as Debuggable;
const original = runtime.debuggablePromise;
runtime.debuggablePromise = <T>(p: Promise<T>, ctx: unknown): Promise<T> => {
  recorded.push(String(ctx));
  return original(p, ctx);
};

/** Stack-recording promises of one resource (by name), and the property keys it registered. */
function costOf(name: string): { promises: number; keys: string[] } {
  const mine = recorded.filter((c) => c.includes(`resource:${name}[`));
  const keys = mine
    .map((c) => /^transferProperty\(resource:[^,]*, ([^,]+),/.exec(c)?.[1])
    .filter((k): k is string => k !== undefined);
  return { promises: mine.length, keys: keys.sort() };
}

const sent = new Map<string, Record<string, unknown>>();
const accountKey = createKeyPair("account").getPublicKey();
const signingKey = createKeyPair("account");
const operatorKey = createKeyPair("operator").getPublicKey();
const revoked = createKeyPair("user").getPublicKey();

/** An output's value (mocks resolve every output). */
const resolved = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

describe("registration cost", () => {
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          sent.set(args.name, args.inputs);
          const state: Record<string, unknown> = { ...args.inputs };
          if (args.type.endsWith(":KeyPair")) Object.assign(state, { publicKey: accountKey, seed: "S" });
          if (args.type.endsWith(":SigningKey")) {
            const key = signingKey.getPublicKey();
            Object.assign(state, { publicKey: key, ref: key, seed: signingKey.seed() });
          }
          return { id: `${args.name}-id`, state };
        },
        call: () => ({}),
      },
      "project",
      "stack",
      false,
    );
  });

  it("registration cost - a User registers its outputs and inputs only, and takes plain account values as they are", async () => {
    const operator = { publicKey: operatorKey, seed: pulumi.secret(createKeyPair("operator").seed()) };
    const sk = new sdk.SigningKey("a-sk", { owner: "account" });
    const account = new sdk.Account("a", {
      operator,
      signingKeys: [sk],
      revocations: { [revoked]: 1700000000 },
      limits: { conn: 100 },
    });
    const user = new sdk.User("a-u", {
      account,
      signer: sk,
      pub: { allow: ["a.>"] },
      sub: { allow: ["_INBOX.>"] },
    });
    await resolved(account.urn);
    await resolved(user.urn);

    // What the engine receives: a User that generates its key is sent none of the account's
    // revocations (only a "*" entry, absent here; its Account refuses a revocation of its key), a
    // maxControlLine not given is not sent.
    const inputs = sent.get("a-u");
    assert.ok(inputs);
    const { signerSeed, __provider, ...rest } = inputs;
    assert.ok(signerSeed && __provider);
    assert.deepEqual(rest, {
      name: "a-u",
      pub: { allow: ["a.>"] },
      sub: { allow: ["_INBOX.>"] },
      signing: {
        accountPublicKey: accountKey,
        accountSigningKeys: [signingKey.getPublicKey()],
        signedByIdentity: false,
        signerScoped: false,
      },
    });

    // Its outputs (seed, publicKey, jwt, issued) and inputs, nothing registered for an input left unset.
    const cost = costOf("a-u");
    assert.deepEqual(cost.keys, [
      "__provider",
      "issued",
      "jwt",
      "name",
      "pub",
      "publicKey",
      "seed",
      "signerSeed",
      "signing",
      "sub",
    ]);
    // 4 per key; the signer seed, the account key and signing keys awaited as Outputs; the
    // registration's own (resource, URN, ID, RPC).
    assert.ok(
      cost.promises <= 51,
      `User: ${cost.promises} stack-recording promises: ${JSON.stringify(cost)}`,
    );
  });

  it("registration cost - an Account registers no key for an unset input that the class sets itself or no one reads", async () => {
    const cost = costOf("a");
    for (const k of ["resolver", "publicKey", "onServers"])
      assert.ok(!cost.keys.includes(k), `${k}: ${cost.keys}`);
    // The declared outputs are still registered.
    for (const k of [
      "pushedTo",
      "pushedServers",
      "pushedHash",
      "drift",
      "removedUsers",
      "revokedActivations",
      "jwt",
    ])
      assert.ok(cost.keys.includes(k), `${k} registered: ${cost.keys}`);
    // And the inputs sent are the same: no resolver, no declared key.
    const inputs = sent.get("a");
    assert.ok(inputs);
    assert.equal("resolver" in inputs, false);
    assert.equal("publicKey" in inputs, false);
  });

  it("registration cost - the $JS.ACK warning of a User is logged whether its claims are plain or Outputs", async () => {
    const warned: string[] = [];
    const log = pulumi.log as unknown as { warn: (msg: string) => Promise<void> };
    const original = log.warn;
    log.warn = async (msg: string) => {
      warned.push(msg);
    };
    try {
      const operator = { publicKey: operatorKey, seed: pulumi.secret(createKeyPair("operator").seed()) };
      const account = new sdk.Account("w", { operator });
      new sdk.User("w-plain", { account, sub: { allow: ["$JS.ACK.ORDERS.>"] } });
      new sdk.User("w-output", { account, sub: pulumi.output({ allow: ["$JS.ACK.ORDERS.>"] }) });
      await resolved(account.urn);
    } finally {
      log.warn = original;
    }
    for (const user of ["w-plain", "w-output"])
      assert.ok(
        warned.some((w) => w.startsWith(`User "${user}": `) && w.includes("$JS.ACK.ORDERS.>")),
        `${user}: ${JSON.stringify(warned)}`,
      );
  });
});
