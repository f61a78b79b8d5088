import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { decodeJwt } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import { handler as account } from "../../provider/account";
import { type Handler, providerFor, providerSource } from "../../provider/kit/handler";
import { UNKNOWN } from "../../provider/kit/unknown";
import { handler as operator } from "../../provider/operator";
import { handler as signingKey } from "../../provider/signingKey";
import { handler as user } from "../../provider/user";

async function make<P extends object, S extends P>(h: Handler<P, S>, inputs: P) {
  const check = await h.check({}, inputs);
  assert.deepEqual(check.failures, [], JSON.stringify(check.failures));
  return h.create(inputs);
}

describe("providers", () => {
  it("operator - unchanged inputs diff to no change; a claim change updates; a new seed replaces", async () => {
    const inputs = { name: "op", tags: ["a"], signingKeys: [] };
    const { outs } = await make(operator, inputs);
    assert.equal((await operator.diff("id", outs, { ...inputs })).changes, false);
    assert.equal(
      (await operator.diff("id", outs, { ...inputs, signingKeys: undefined })).changes,
      false,
      "nil vs empty",
    );
    assert.equal((await operator.diff("id", outs, { ...inputs, tags: ["b"] })).changes, true);
    const d = await operator.diff("id", outs, { ...inputs, seed: createKeyPair("operator").seed() });
    assert.deepEqual(d.replaces, ["seed"]);
    assert.equal((await operator.diff("id", outs, { ...inputs, tags: [UNKNOWN] })).changes, true);
  });

  it("operator - update keeps the key and keeps the JWT when claims did not change", async () => {
    const inputs = { name: "op" };
    const { outs } = await make(operator, inputs);
    const same = (await operator.update!("id", outs, inputs)).outs;
    assert.equal(same.jwt, outs.jwt);
    const changed = (await operator.update!("id", outs, { ...inputs, tags: ["x"] })).outs;
    assert.equal(changed.publicKey, outs.publicKey);
    assert.notEqual(changed.jwt, outs.jwt);
    assert.deepEqual(decodeJwt(String(changed.jwt)).nats.tags, ["x"]);
  });

  it("account - strict operator refuses an account signed by its identity key, naming the field", async () => {
    const sk = await make(signingKey, { owner: "operator" });
    const op = await make(operator, {
      name: "op",
      strictSigningKeyUsage: true,
      signingKeys: [sk.outs.publicKey],
    });
    const base = {
      name: "A",
      operatorPublicKey: op.outs.publicKey,
      operatorSigningKeys: op.outs.signingKeys,
      operatorStrict: true,
    };
    const bad = await account.check({}, { ...base, signerSeed: String(op.outs.seed) });
    assert.equal(bad.failures?.[0].property, "signer");
    assert.match(bad.failures?.[0].reason ?? "", /strictSigningKeyUsage/);
    const stranger = await account.check({}, { ...base, signerSeed: createKeyPair("operator").seed() });
    assert.match(stranger.failures?.[0].reason ?? "", /neither the operator's identity key/);
    const good = await make(account, { ...base, signerSeed: String(sk.outs.seed) });
    assert.equal(decodeJwt(String(good.outs.jwt)).iss, sk.outs.publicKey);
    assert.equal(good.outs.issuer, sk.outs.publicKey);
  });

  it("account - a rotated signer re-signs; bad limits fail check with the field", async () => {
    const op = await make(operator, { name: "op" });
    const base = { name: "A", operatorPublicKey: op.outs.publicKey, signerSeed: String(op.outs.seed) };
    const a = await make(account, base);
    assert.equal((await account.diff("id", a.outs, base)).changes, false);
    const sk = createKeyPair("operator");
    const rotated = { ...base, signerSeed: sk.seed(), operatorSigningKeys: [sk.getPublicKey()] };
    assert.equal((await account.diff("id", a.outs, rotated)).changes, true);
    const limits = await account.check({}, { ...base, limits: { conn: -5 } });
    assert.equal(limits.failures?.[0].property, "limits.conn");
  });

  it("user - a user under a scoped key may not set permissions; one under the account key gets creds", async () => {
    const op = await make(operator, { name: "op" });
    const sk = await make(signingKey, {
      owner: "account",
      scope: { role: "ro", template: { sub: { allow: ["x"] } } },
    });
    const a = await make(account, {
      name: "A",
      operatorPublicKey: op.outs.publicKey,
      signerSeed: String(op.outs.seed),
      signingKeys: [sk.outs.ref],
    });
    const scoped = { name: "u", accountPublicKey: a.outs.publicKey, accountSigningKeys: a.outs.signingKeys };
    const bad = await user.check({}, { ...scoped, signerSeed: String(sk.outs.seed), pub: { allow: ["y"] } });
    assert.equal(bad.failures?.[0].property, "pub");
    const u = await make(user, { ...scoped, signerSeed: String(sk.outs.seed) });
    const claims = decodeJwt(String(u.outs.jwt));
    assert.equal(claims.nats.issuer_account, a.outs.publicKey);
    assert.equal(claims.nats.pub, undefined);
    const plain = await make(user, {
      name: "p",
      accountPublicKey: a.outs.publicKey,
      signerSeed: String(a.outs.seed),
    });
    assert.equal(
      (plain.outs as { creds?: string }).creds,
      undefined,
      "creds are derived by the SDK, not stored",
    );
    assert.equal(decodeJwt(String(plain.outs.jwt)).nats.subs, -1);
  });

  it("provider - the serialized provider is small, captures no seed and runs from its text", async () => {
    // As pulumi.dynamic.Resource does: serialize a closure returning the provider object.
    const provider = providerFor("keyPair");
    const text = await pulumi.runtime.serializeFunction(() => provider);
    const code = text.text;
    assert.ok(code.length < 4000, `serialized provider is ${code.length} bytes`);
    assert.doesNotMatch(code, /S[OAU][A-Z2-7]{56}/);
    const requireFromString = require("require-from-string") as (src: string) => { handler(): unknown };
    const p = requireFromString(code).handler() as pulumi.dynamic.ResourceProvider;
    const created = await p.create({ kind: "user" });
    assert.match(String(created.outs.publicKey), /^U/);
    console.log(`serialized provider size: ${code.length} bytes`);
  });

  it("provider - the __provider text the resources store is one line and runs the installed handler", async () => {
    const requireFromString = require("require-from-string") as (src: string) => { handler(): unknown };
    for (const kind of [
      "keyPair",
      "signingKey",
      "operator",
      "account",
      "user",
      "leafRemote",
      "serverConfigFile",
    ] as const) {
      const code = providerSource(kind);
      assert.ok(code.length < 100, `${kind}: ${code.length} bytes`);
      const p = requireFromString(code).handler() as pulumi.dynamic.ResourceProvider;
      assert.equal(typeof p.create, "function", kind);
      assert.equal(typeof p.check, "function", kind);
      assert.equal(typeof p.diff, "function", kind);
    }
    const p = requireFromString(providerSource("keyPair")).handler() as pulumi.dynamic.ResourceProvider;
    const created = await p.create({ kind: "account" });
    assert.match(String(created.outs.publicKey), /^A/);
  });
});

describe("providers - expiry", () => {
  it("user - an expires already past fails when new or changed, not when kept from the stored inputs", async () => {
    const op = await make(operator, { name: "op" });
    const a = await make(account, {
      name: "A",
      operatorPublicKey: op.outs.publicKey,
      signerSeed: String(op.outs.seed),
    });
    const base = { name: "u", accountPublicKey: a.outs.publicKey, signerSeed: String(a.outs.seed) };
    const past = Math.floor(Date.now() / 1000) - 60;
    const fresh = await user.check({}, { ...base, expires: past });
    assert.equal(fresh.failures[0]?.property, "expires");
    assert.match(fresh.failures[0]?.reason ?? "", /already passed/);
    const kept = await user.check({ ...base, expires: past }, { ...base, expires: past });
    assert.deepEqual(kept.failures, [], "an identity that expired is not a new mistake");
    const moved = await user.check({ ...base, expires: past }, { ...base, expires: past - 10 });
    assert.equal(moved.failures[0]?.property, "expires");
  });
});
