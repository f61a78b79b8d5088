/**
 * OperatorWithSystemAccount on the program side (Pulumi mocks: no engine, no provider calls): the
 * native component (the plugin's `construct`) and the TypeScript class build the same graph from
 * provider/operatorWithSystemAccount.ts, resolver user and resolver included.
 */
import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { formatCreds } from "../../core/creds";
import { createKeyPair } from "../../core/nkeys";
import { RESOLVER_USER_PERMISSIONS } from "../../core/systemAccount";
import { construct } from "../../plugin/component";
import { tokenOf } from "../../plugin/resources";
import * as sdk from "../../sdk";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

describe("OperatorWithSystemAccount component", () => {
  let registered: Registered[] = [];
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          // What the children output, so the wiring between them can be followed.
          const outs: Record<string, unknown> = {
            publicKey: `${args.name}-pub`,
            seed: `${args.name}-seed`,
            jwt: `${args.name}-jwt`,
          };
          if (args.type.endsWith("SigningKey")) outs.ref = `${args.name}-pub`;
          return { id: `${args.name}-id`, state: { ...args.inputs, ...outs, creds: `${args.name}-creds` } };
        },
        call: () => ({}),
      },
      "project",
      "stack",
      false,
    );
  });
  beforeEach(() => {
    registered = [];
  });

  /** The value of an input the program sent as a secret; fails when it was sent in the clear. */
  const secretValue = (v: unknown): unknown => {
    assert.ok(pulumi.runtime.isRpcSecret(v), `sent as a secret: ${JSON.stringify(v)}`);
    return pulumi.runtime.unwrapRpcSecret(v);
  };

  /** Every output of the component resolved: every child is registered by then. */
  const settle = (state: Record<string, unknown>) =>
    Promise.all(Object.values(state).map((o) => (o as { promise(): Promise<unknown> }).promise()));

  it("component - construct builds resolverUser (least privilege, signed by SYS's signing key) and pushes SYS with resolver", async () => {
    const resolver = { servers: ["nats://127.0.0.1:4222"], creds: "other-stack-creds" };
    const { state } = await construct(
      "op",
      tokenOf("OperatorWithSystemAccount"),
      { generateSigningKey: true, resolverUser: true, resolver },
      {},
    );
    const values = (await settle(state)) as unknown[];
    const out = Object.fromEntries(Object.keys(state).map((k, i) => [k, values[i]]));
    const byName = new Map(registered.map((r) => [r.name, r]));
    assert.deepEqual(
      // Registration order follows when inputs resolve: compare as sets.
      registered.map((r) => `${r.type.replace("nats-auth:index:", "")} ${r.name}`).sort(),
      [
        "Account op-sys",
        "KeyPair op-key",
        "KeyPair op-sys-key",
        "Operator op",
        "OperatorWithSystemAccount op",
        "SigningKey op-sk",
        "SigningKey op-sys-sk",
        "User op-resolver-user",
        "User op-sys-user",
      ],
    );
    const ru = byName.get("op-resolver-user")?.inputs;
    assert.equal(ru?.name, "resolver");
    assert.deepEqual(ru?.pub, { allow: [...RESOLVER_USER_PERMISSIONS.pub] });
    assert.deepEqual(ru?.sub, { allow: [...RESOLVER_USER_PERMISSIONS.sub] });
    assert.equal(ru?.signerSeed, "op-sys-sk-seed", "signed by the system account's signing key");
    assert.equal(byName.get("op-sys")?.inputs.signerSeed, "op-sk-seed");
    assert.deepEqual(
      byName.get("op-sys")?.inputs.resolver,
      { ...resolver, onDelete: "retain" },
      "SYS is pushed with the given resolver, retained on destroy (servers refuse to delete SYS), as the TS class does",
    );
    // The system users are SYS's members, as in the TypeScript class: removing one revokes it.
    assert.deepEqual(
      (byName.get("op-sys")!.inputs.members as { name: string; revokeOnDelete: boolean; urn: string }[]).map(
        (m) => [m.name, m.revokeOnDelete, m.urn.split("::").pop()],
      ),
      [
        ["sys", true, "op-sys-user"],
        ["resolver", true, "op-resolver-user"],
      ],
    );
    // Derived from the user's JWT and seed, as the plugin derives a User's creds (kit/derived.ts).
    assert.equal(out.resolverUserCreds, formatCreds("op-resolver-user-jwt", "op-resolver-user-seed"));
    assert.equal(out.resolverUserPublicKey, "op-resolver-user-pub");
  });

  it("component - without resolverUser there is no resolver user and no output for it; a name is taken", async () => {
    const { state } = await construct("bare", tokenOf("OperatorWithSystemAccount"), {}, {});
    await settle(state);
    assert.ok(!registered.some((r) => r.name === "bare-resolver-user"));
    assert.deepEqual(registered.find((r) => r.name === "bare-sys")?.inputs.resolver, undefined);
    registered = [];
    const named = await construct(
      "n",
      tokenOf("OperatorWithSystemAccount"),
      { resolverUser: true, resolverUserName: "pusher" },
      {},
    );
    await settle(named.state);
    const ru = registered.find((r) => r.name === "n-resolver-user")?.inputs;
    assert.equal(ru?.name, "pusher");
    assert.equal(ru?.signerSeed, "n-sys-key-seed", "without signing keys, the account key signs");
  });

  it("component - the TypeScript class declares the same children, names and resolver user permissions", async () => {
    const { state } = await construct(
      "p",
      tokenOf("OperatorWithSystemAccount"),
      { generateSigningKey: true, resolverUser: true },
      {},
    );
    await settle(state);
    const native = registered.filter(
      (r) => r.name !== "p" || r.type !== tokenOf("OperatorWithSystemAccount"),
    );
    registered = [];
    const ts = new sdk.OperatorWithSystemAccount("p", { generateSigningKey: true, resolverUser: true });
    await new Promise<void>((resolve) =>
      pulumi
        .all([ts.urn, ts.systemAccount.urn, ts.systemUser.urn, ts.resolverUser?.urn])
        .apply(() => resolve()),
    );
    // The TypeScript Operator keeps its key in a KeyPair of its own ("p-key"); the native component
    // declares it too, so a TypeScript stack moves to the native types with 0 changes.
    const tsChildren = registered.filter((r) => r.type !== "nats-auth:index:OperatorWithSystemAccount");
    assert.deepEqual(tsChildren.map((r) => r.name).sort(), native.map((r) => r.name).sort());
    const tsResolverUser = tsChildren.find((r) => r.name === "p-resolver-user")?.inputs;
    const nativeResolverUser = native.find((r) => r.name === "p-resolver-user")?.inputs;
    assert.deepEqual(tsResolverUser?.pub, nativeResolverUser?.pub);
    assert.deepEqual(tsResolverUser?.sub, nativeResolverUser?.sub);
  });

  it("component - adopt keeps the given identities (seeds secret, JWTs as given); its signing keys decide the children", async () => {
    const seeds = {
      op: createKeyPair("operator").seed(),
      sk: createKeyPair("operator").seed(),
      sys: createKeyPair("account").seed(),
      user: createKeyPair("user").seed(),
    };
    const adopt = {
      operator: { seed: seeds.op, jwt: "op.jwt" },
      signingKey: { seed: seeds.sk },
      systemAccount: { seed: seeds.sys, jwt: "sys.jwt" },
      systemUser: { seed: seeds.user, jwt: "user.jwt" },
    };
    // As the engine sends a value holding secrets: the whole object secret.
    const { state } = await construct(
      "a",
      tokenOf("OperatorWithSystemAccount"),
      { adopt: pulumi.secret(adopt) },
      {},
    );
    await settle(state);
    const byName = new Map(registered.map((r) => [r.name, r]));
    assert.deepEqual(
      registered.map((r) => r.name).sort(),
      ["a", "a", "a-sk", "a-sys", "a-sys-key", "a-sys-user"],
      "the adopted operator signing key, no system account signing key",
    );
    assert.equal(secretValue(byName.get("a-sk")?.inputs.seed), seeds.sk);
    assert.equal(secretValue(byName.get("a-sys-key")?.inputs.seed), seeds.sys);
    assert.equal(byName.get("a-sys")?.inputs.jwt, "sys.jwt");
    assert.equal(
      byName.get("a-sys")?.inputs.signerSeed,
      "a-sk-seed",
      "SYS signed by the adopted signing key",
    );
    assert.equal(secretValue(byName.get("a-sys-user")?.inputs.seed), seeds.user);
    assert.equal(byName.get("a-sys-user")?.inputs.jwt, "user.jwt");
    assert.equal(byName.get("a-sys-user")?.inputs.signerSeed, "a-sys-key-seed");
    const op = registered.find((r) => r.name === "a" && r.type === tokenOf("Operator"))?.inputs;
    assert.equal(secretValue(op?.seed), seeds.op);
    assert.equal(op?.jwt, "op.jwt");

    registered = [];
    const ts = new sdk.OperatorWithSystemAccount("a", { adopt });
    await new Promise<void>((resolve) =>
      pulumi.all([ts.urn, ts.systemAccount.urn, ts.systemUser.urn]).apply(() => resolve()),
    );
    assert.deepEqual(
      registered
        .map((r) => r.name)
        .filter((n) => n !== "a-key")
        .sort(),
      ["a", "a", "a-sk", "a-sys", "a-sys-key", "a-sys-user"],
      "the TypeScript class adopts the same children",
    );
  });

  it("component - an adoption not known at preview is refused, naming the component and the field", async () => {
    // What the engine sends for a value not known yet (an output of a resource still to be created).
    const Unknown = pulumi.Output as unknown as new (...args: unknown[]) => pulumi.Output<unknown>;
    const pending = new Unknown(
      [],
      Promise.resolve(undefined),
      Promise.resolve(false),
      Promise.resolve(false),
      Promise.resolve([]),
    );
    await assert.rejects(
      construct("u", tokenOf("OperatorWithSystemAccount"), { adopt: pending }, {}),
      /adopt: OperatorWithSystemAccount "u": the adoption is not known yet/,
    );
    assert.ok(!registered.some((r) => r.name.startsWith("u-")), "nothing declared before the refusal");
  });
});
