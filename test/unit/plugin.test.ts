import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { decodeJwt } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import { nativeProvider, SECRET_SIG, unwrapSecrets } from "../../plugin/provider";
import { RESOURCES } from "../../plugin/resources";
import type { ResourceKind } from "../../provider/kit/handler";
import { UNKNOWN } from "../../provider/kit/unknown";
import { deadPort } from "../harness/natsServer";
import { REPO_ROOT } from "../harness/paths";

const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";
const secret = (value: unknown) => ({ [SECRET_SIG]: SECRET_VALUE, value });
const urn = (type: string, name = "r") => `urn:pulumi:dev::proj::nats-auth:index:${type}::${name}`;
const p = nativeProvider("0.0.0-test");

/** Every string anywhere in `v` that is not inside a secret. */
function plainStrings(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.flatMap(plainStrings);
  if (v && typeof v === "object") {
    if ((v as Record<string, unknown>)[SECRET_SIG] !== undefined) return [];
    return Object.values(v).flatMap(plainStrings);
  }
  return [];
}

function hasUndefined(v: unknown): boolean {
  if (v === undefined) return true;
  if (Array.isArray(v)) return v.some(hasUndefined);
  if (v && typeof v === "object") return Object.values(v).some(hasUndefined);
  return false;
}

describe("plugin", () => {
  it("plugin - check returns a seed input wrapped as a secret, whether it came wrapped or not", async () => {
    const seed = createKeyPair("user").seed();
    for (const given of [seed, secret(seed)]) {
      const r = await p.check!(urn("KeyPair"), {}, { kind: "user", seed: given });
      assert.deepEqual(r.failures, []);
      assert.deepEqual(r.inputs.seed, secret(seed));
      assert.ok(!plainStrings(r.inputs).includes(seed), "no seed in plain text among the checked inputs");
    }
  });

  it("plugin - a User signed through the plugin outputs creds and seed as secrets, nothing undefined", async () => {
    const acct = createKeyPair("account");
    const news = {
      name: "alice",
      accountPublicKey: acct.getPublicKey(),
      signerSeed: secret(acct.seed()),
      pub: { allow: ["app.>"] },
    };
    const checked = await p.check!(urn("User"), {}, news);
    assert.deepEqual(checked.failures, []);
    assert.deepEqual(checked.inputs.signerSeed, secret(acct.seed()));
    const { id, outs } = await p.create!(urn("User"), checked.inputs);
    assert.match(id, /^U/);
    assert.ok(!hasUndefined(outs));
    const creds = outs.creds?.value as string;
    assert.match(creds, /BEGIN NATS USER JWT/);
    assert.ok(creds.includes(outs.jwt), "the creds carry the user's JWT");
    assert.match(String(outs.seed?.value), /^SU/);
    assert.ok(
      !plainStrings(outs).some((s) => /^S[OAU]/.test(s) || s.includes("NKEY SEED")),
      "no seed in plain text",
    );
    // The unchanged user diffs to no change through the plugin.
    assert.equal((await p.diff!(id, urn("User"), outs, checked.inputs)).changes, false);
  });

  it("plugin - nested secrets (resolver creds) are wrapped, the rest stays readable; unknowns stay unknown", async () => {
    const op = createKeyPair("operator");
    const r = await p.check!(
      urn("Account"),
      {},
      {
        name: "app",
        operatorPublicKey: op.getPublicKey(),
        signerSeed: op.seed(),
        resolver: { servers: ["nats://127.0.0.1:4222"], creds: UNKNOWN },
        limits: { conn: UNKNOWN },
      },
    );
    assert.deepEqual(r.failures, []);
    assert.deepEqual(r.inputs.resolver.servers, ["nats://127.0.0.1:4222"]);
    assert.equal(r.inputs.resolver.creds, UNKNOWN);
    assert.deepEqual(r.inputs.signerSeed, secret(op.seed()));
    const known = await p.check!(
      urn("Account"),
      {},
      {
        name: "app",
        operatorPublicKey: op.getPublicKey(),
        signerSeed: op.seed(),
        resolver: { servers: [], creds: "-----BEGIN NATS USER JWT-----" },
      },
    );
    assert.deepEqual(known.inputs.resolver.creds, secret("-----BEGIN NATS USER JWT-----"));
  });

  it("plugin - a partial failure (push refused) records its state with the secrets wrapped", async () => {
    const op = createKeyPair("operator");
    const sysAcct = createKeyPair("account");
    const sysUser = await p.create!(urn("User", "sys"), {
      name: "sys",
      accountPublicKey: sysAcct.getPublicKey(),
      signerSeed: sysAcct.seed(),
    });
    const port = await deadPort();
    const failure = await p.create!(urn("Account"), {
      name: "app",
      operatorPublicKey: op.getPublicKey(),
      signerSeed: op.seed(),
      resolver: { servers: [`nats://127.0.0.1:${port}`], creds: sysUser.outs.creds.value, timeoutMs: 500 },
    }).then(
      () => assert.fail("the push to a closed port succeeded"),
      (e: unknown) => e as { properties?: Record<string, unknown> },
    );
    const props = failure.properties;
    assert.ok(props, "the failure carries the state to record");
    assert.match(String((props.seed as { value?: unknown })?.value), /^SA/);
    assert.deepEqual(props.signerSeed, secret(op.seed()));
    assert.ok(!plainStrings(props).some((x) => /^S[OAU][A-Z2-7]{50}/.test(x) || x.includes("NKEY SEED")));
    assert.ok(!hasUndefined(props));
  });

  it("plugin - an ActivationToken that leaves an Account's `activations` (as YAML lists it) is revoked", async () => {
    const op = createKeyPair("operator");
    const exporter = createKeyPair("account");
    const importer = createKeyPair("account").getPublicKey();
    const exports = [{ subject: "svc.>", type: "service", tokenRequired: true }];
    const tok = await p.create!(urn("ActivationToken", "tok"), {
      name: "tok",
      exporterPublicKey: exporter.getPublicKey(),
      exporterExports: exports,
      signerSeed: exporter.seed(),
      importer,
      subject: "svc.a",
      type: "service",
    });
    assert.equal(typeof tok.outs.token, "object", "the token is returned as a secret");
    const inputs = {
      name: "exp",
      seed: exporter.seed(),
      operatorPublicKey: op.getPublicKey(),
      signerSeed: op.seed(),
      exports,
    };
    const member = {
      urn: urn("ActivationToken", "tok"),
      importer,
      subject: "svc.a",
      type: "service",
      issuedAt: tok.outs.issuedAt,
      name: "tok",
    };
    const created = await p.create!(urn("Account", "exp"), { ...inputs, activations: [member] });
    const plain = (o: Record<string, unknown>) => unwrapSecrets(o) as Record<string, unknown>;
    const left = { ...inputs, activations: [] };
    assert.equal((await p.diff!(created.id, urn("Account", "exp"), created.outs, left)).changes, true);
    const updated = plain((await p.update!(created.id, urn("Account", "exp"), created.outs, left)).outs);
    const claims = decodeJwt(String(updated.jwt)).nats as unknown as {
      exports: { revocations?: Record<string, number> }[];
    };
    assert.equal(claims.exports[0].revocations?.[importer], tok.outs.issuedAt);
    const revoked = Object.values(updated.revokedActivations as Record<string, { importer: string }>);
    assert.deepEqual(
      revoked.map((r) => r.importer),
      [importer],
      "the state records the revocation",
    );
  });

  it("plugin - a value that arrived secret leaves secret even where the schema marks nothing", async () => {
    const r = await p.check!(
      urn("NatsContext"),
      {},
      {
        name: "ctx",
        servers: secret(["nats://u:p@127.0.0.1:4222"]),
        configHome: "/tmp/x",
      },
    );
    assert.deepEqual(r.inputs.servers, secret(["nats://u:p@127.0.0.1:4222"]));
  });

  it("plugin - a URL carrying a user or password leaves as a secret, wherever it is", async () => {
    const op = createKeyPair("operator");
    const url = "nats://sys:pw@127.0.0.1:4222";
    const r = await p.check!(
      urn("Account"),
      {},
      {
        name: "app",
        operatorPublicKey: op.getPublicKey(),
        signerSeed: op.seed(),
        resolver: { servers: [url, "nats://127.0.0.1:4223"], creds: UNKNOWN },
      },
    );
    assert.deepEqual(r.inputs.resolver.servers, [secret(url), "nats://127.0.0.1:4223"]);
    const leaf = await p.check!(urn("LeafRemote"), {}, { urls: ["nats-leaf://u:p@127.0.0.1:7422"] });
    assert.deepEqual(leaf.inputs.urls, [secret("nats-leaf://u:p@127.0.0.1:7422")]);
  });

  it("plugin - relative paths are resolved against the plugin's directory (the project's)", async () => {
    const r = await p.check!(urn("CredsFile"), {}, { path: "out/a.creds", creds: secret("x NATS USER JWT") });
    assert.equal(r.inputs.path, path.resolve("out/a.creds"));
  });

  it("plugin - preloadAccounts ({publicKey, jwt} list, what YAML can build) renders as preload does", async () => {
    const op = createKeyPair("operator");
    const acct = createKeyPair("account");
    const operator = (await p.create!(urn("Operator"), { name: "op" })).outs.jwt as string;
    const base = { operator, systemAccount: acct.getPublicKey(), resolver: { type: "memory" } };
    const byMap = await p.create!(urn("ServerConfig", "a"), {
      ...base,
      preload: { [acct.getPublicKey()]: "a.b.c" },
    });
    const byList = await p.create!(urn("ServerConfig", "b"), {
      ...base,
      preloadAccounts: [{ publicKey: acct.getPublicKey(), jwt: "a.b.c" }],
    });
    assert.match(byMap.outs.text.value, /resolver_preload/);
    assert.equal(byList.outs.text.value, byMap.outs.text.value);
    const pending = await p.check!(
      urn("ServerConfig", "c"),
      {},
      { ...base, preloadAccounts: [{ publicKey: UNKNOWN, jwt: UNKNOWN }] },
    );
    assert.deepEqual(pending.failures, []);
    const bad = await p.check!(
      urn("ServerConfig", "d"),
      {},
      { ...base, preloadAccounts: [{ publicKey: op.getPublicKey(), jwt: "x" }] },
    );
    assert.match(JSON.stringify(bad.failures), /not an account public key/);
  });

  it("plugin - every handler kind is served under a token, and the schema describes each", async () => {
    const kinds: ResourceKind[] = [
      "keyPair",
      "signingKey",
      "operator",
      "account",
      "user",
      "leafRemote",
      "serverConfigFile",
      "credsFile",
      "natsContext",
      "activationToken",
    ];
    assert.deepEqual(RESOURCES.map((r) => r.kind).sort(), [...kinds].sort());
    const schema = JSON.parse(await p.getSchema!()) as { name: string; resources: Record<string, unknown> };
    assert.equal(schema.name, "nats-auth");
    for (const r of RESOURCES) assert.ok(schema.resources[`nats-auth:index:${r.type}`], r.type);
    assert.ok(fs.existsSync(path.join(REPO_ROOT, "schema.json")));
  });
});
