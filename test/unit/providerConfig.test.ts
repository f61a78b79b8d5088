/**
 * The provider's configuration (kit/providerConfig.ts through the plugin): `nats-auth:*` stack config
 * as text and explicit provider inputs as typed values are read the same; bad values are refused at
 * CheckConfig naming the key, the reason and what to do; an Account's own `resolver` overrides the
 * provider's field by field; only `servers` of the provider's settings enter a resource's state.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createKeyPair } from "../../core/nkeys";
import { nativeProvider, SECRET_SIG } from "../../plugin/provider";
import { accountHandler } from "../../provider/account";
import {
  effectiveResolver,
  envVarOf,
  PROVIDER_CONFIG_KEYS,
  parseProviderConfig,
  storedResolver,
  withStackProviderConfig,
} from "../../provider/kit/providerConfig";
import { UNKNOWN } from "../../provider/kit/unknown";
import schema from "../../schema.json";
import { deadPort } from "../harness/natsServer";

const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";
const secret = (value: unknown) => ({ [SECRET_SIG]: SECRET_VALUE, value });
const urn = (type: string, name = "r") => `urn:pulumi:dev::proj::nats-auth:index:${type}::${name}`;

/** A system user's .creds text, made by the plugin itself. */
async function sysCreds(): Promise<string> {
  const p = nativeProvider("0.0.0-test", { env: {} });
  const sys = createKeyPair("account");
  const u = await p.create!(urn("User", "sys"), {
    name: "sys",
    accountPublicKey: sys.getPublicKey(),
    signerSeed: sys.seed(),
  });
  return String((u.outs.creds as { value: string }).value);
}

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

describe("provider config - parsing and refusals", () => {
  it("provider config - stack config text and typed explicit-provider values read the same", () => {
    const text = parseProviderConfig(
      {
        servers: '["nats://a:4222","nats://b:4222"]',
        timeoutMs: "800",
        waitMs: "0",
        tlsHandshakeFirst: "true",
      },
      { env: {} },
    );
    const typed = parseProviderConfig(
      { servers: ["nats://a:4222", "nats://b:4222"], timeoutMs: 800, waitMs: 0, tlsHandshakeFirst: true },
      { env: {} },
    );
    assert.deepEqual(text.failures, []);
    assert.deepEqual(text.config, typed.config);
    assert.deepEqual(typed.config.servers, ["nats://a:4222", "nats://b:4222"]);
    assert.equal(typed.config.timeoutMs, 800);
  });

  it("provider config - environment variables fill keys the config leaves out, never override it", () => {
    assert.equal(envVarOf("tlsCaFile"), "NATS_AUTH_TLS_CA_FILE");
    const p = parseProviderConfig(
      { servers: ["nats://a:4222"] },
      { env: { NATS_AUTH_SERVERS: "nats://x:1,nats://y:2", NATS_AUTH_WAIT_MS: "2000" } },
    );
    assert.deepEqual(p.failures, []);
    assert.deepEqual(p.config.servers, ["nats://a:4222"]);
    assert.equal(p.config.waitMs, 2000);
    assert.deepEqual(p.fromEnv, ["waitMs"]);
  });

  it("provider config - every bad value is refused at once, naming the key, the reason and what to do", () => {
    const { failures } = parseProviderConfig(
      {
        servers: ["nats://sys:hunter2@a:4222", "http://b:80", "nats://a2:4222", "nats://a2:4222"],
        creds: "/home/me/sys.creds",
        timeoutMs: "soon",
        waitMs: -1,
        expectedServers: 0,
        onDelete: "drop",
        tlsCert: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----",
        tlsCaFile: "",
        sevrers: ["nats://c:4222"],
        version: "0.1.0",
      },
      { env: {} },
    );
    const text = failures.map((f) => `${f.property} | ${f.reason}`).join("\n");
    const has = (property: string, re: RegExp) =>
      assert.ok(
        failures.some((f) => f.property === property && re.test(f.reason)),
        `expected ${property}: ${re} in:\n${text}`,
      );
    has("", /nats-auth:servers\[0\]: the URL carries a user, password or token.*nats-auth:creds/);
    has("servers", /nats-auth:servers\[1\]: .*http:\/\/.*needs nats:\/\//);
    has("servers", /nats-auth:servers\[3\]: is the same server as \[2\]/);
    has(
      "",
      /nats-auth:creds: is not the text of a \.creds file.*looks like a file path.*pulumi config set --secret nats-auth:creds < sys\.creds/,
    );
    has("timeoutMs", /nats-auth:timeoutMs: must be a whole number of milliseconds, 1 or more, got "soon"/);
    has("waitMs", /nats-auth:waitMs: must be a whole number of milliseconds, 0 or more/);
    has("expectedServers", /nats-auth:expectedServers: must be a whole number, 1 or more/);
    has("onDelete", /nats-auth:onDelete: must be "delete" or "retain"/);
    has(
      "tlsKeyFile",
      /client certificate needs its private key.*nats-auth:tlsCertFile\/nats-auth:tlsKeyFile/,
    );
    has("tlsCaFile", /must be a file path/);
    has(
      "sevrers",
      /nats-auth:sevrers is not a setting of the nats-auth provider \(did you mean nats-auth:servers\?\); remove it \(pulumi config rm nats-auth:sevrers\)/,
    );
    assert.ok(!failures.some((f) => f.property === "version"), "the engine's own inputs are not refused");
    assert.ok(!text.includes("hunter2"), "the refused URL's password is not repeated");
  });

  it("provider config - CheckConfig returns the secret keys wrapped, given plain or not; their failures name no property", async () => {
    const creds = await sysCreds();
    const p = nativeProvider("0.0.0-test", { env: {} });
    for (const given of [creds, secret(creds)]) {
      const r = await p.checkConfig(
        {},
        { creds: given, tlsKey: "-----BEGIN PRIVATE KEY-----\nx", tlsKeyFile: undefined },
      );
      assert.deepEqual(r.inputs.creds, secret(creds));
      assert.ok(!plainStrings(r.inputs).includes(creds));
    }
    // The engine prints the value of a failure's property: none for a secret key or a URL with a password.
    const bad = await p.checkConfig({}, { creds: "SUAM...", servers: ["nats://u:pw@h:4222"], waitMs: "x" });
    assert.deepEqual(
      bad.failures.map((f) => f.property),
      ["", "", "waitMs"],
    );
    // From the environment it is in no config file nor state: read, and never returned.
    const fromEnv = nativeProvider("0.0.0-test", { env: { NATS_AUTH_CREDS: creds, NATS_AUTH_SERVERS: "" } });
    const r = await fromEnv.checkConfig({}, {});
    assert.deepEqual(r, { inputs: {}, failures: [] });
    await fromEnv.configureProvider({});
    assert.equal(fromEnv.providerConfig()?.creds, creds);
  });

  it("provider config - unknown values (a preview) are kept and not judged", () => {
    const p = parseProviderConfig({ servers: UNKNOWN, creds: UNKNOWN }, { env: {} });
    assert.deepEqual(p.failures, []);
    assert.equal(p.config.servers, UNKNOWN);
  });

  it("provider config - the schema's config variables and provider inputs are the contract's keys", () => {
    const s = schema as unknown as {
      config: { variables: Record<string, { secret?: boolean }> };
      provider: { inputProperties: Record<string, { secret?: boolean }> };
    };
    assert.deepEqual(Object.keys(s.config.variables).sort(), [...PROVIDER_CONFIG_KEYS].sort());
    assert.deepEqual(Object.keys(s.provider.inputProperties).sort(), [...PROVIDER_CONFIG_KEYS].sort());
    const secrets = Object.entries(s.config.variables)
      .filter(([, v]) => v.secret)
      .map(([k]) => k)
      .sort();
    assert.deepEqual(secrets, ["creds", "tlsKey"]);
  });
});

describe("provider config - an Account's resolver", () => {
  it("provider config - an Account's own resolver overrides the provider's field by field; [] opts out", () => {
    const config = {
      servers: ["nats://p:4222"],
      creds: "PCREDS",
      timeoutMs: 700,
      onDelete: "delete" as const,
    };
    assert.deepEqual(effectiveResolver(undefined, config), {
      servers: ["nats://p:4222"],
      creds: "PCREDS",
      timeoutMs: 700,
      onDelete: "delete",
    });
    assert.deepEqual(effectiveResolver({ onDelete: "retain" }, config)?.onDelete, "retain");
    const own = effectiveResolver({ servers: ["nats://o:4222"], creds: "OCREDS" }, config);
    assert.deepEqual(own?.servers, ["nats://o:4222"]);
    assert.equal(own?.creds, "OCREDS");
    assert.equal(own?.timeoutMs, 700, "a field the Account leaves out is the provider's");
    assert.deepEqual(effectiveResolver({ servers: [] }, config)?.servers, []);
    assert.equal(effectiveResolver(undefined, undefined), undefined);
    assert.equal(effectiveResolver(undefined, { creds: "PCREDS" }), undefined, "no servers: not pushed");
    // Only the servers are stored.
    assert.deepEqual(storedResolver(undefined, config), { servers: ["nats://p:4222"] });
    assert.deepEqual(storedResolver({ onDelete: "retain" }, config), {
      onDelete: "retain",
      servers: ["nats://p:4222"],
    });
    assert.deepEqual(storedResolver({ servers: [] }, config), { servers: [] });
  });

  it("provider config - an Account opted out with resolver { servers: [] } needs no creds; one that pushes does", async () => {
    const p = nativeProvider("0.0.0-test", { env: {} });
    await p.configureProvider({});
    const op = createKeyPair("operator");
    const base = { name: "SYS", operatorPublicKey: op.getPublicKey(), signerSeed: op.seed() };
    const optedOut = await p.check!(urn("Account"), {}, { ...base, resolver: { servers: [] } });
    assert.deepEqual(optedOut.failures, []);
    const pushes = await p.check!(
      urn("Account"),
      {},
      { ...base, resolver: { servers: ["nats://127.0.0.1:4222"] } },
    );
    assert.equal(pushes.failures?.length, 1);
    assert.match(String(pushes.failures?.[0].reason), /\.creds text.*nats-auth:creds/);
  });

  it("provider config - through the plugin: check stores the servers only, a failed push's state holds no provider creds", async () => {
    const creds = await sysCreds();
    const port = await deadPort();
    const server = `nats://127.0.0.1:${port}`;
    const p = nativeProvider("0.0.0-test", { env: {} });
    const checked = await p.checkConfig(
      {},
      { servers: JSON.stringify([server]), creds: secret(creds), timeoutMs: "300", version: "0.1.0" },
    );
    assert.deepEqual(checked.failures, []);
    assert.deepEqual(checked.inputs.creds, secret(creds), "the creds stay secret in the provider's inputs");
    await p.configureProvider(checked.inputs);
    const op = createKeyPair("operator");
    const news = { name: "app", operatorPublicKey: op.getPublicKey(), signerSeed: op.seed() };
    const r = await p.check!(urn("Account"), {}, news);
    assert.deepEqual(r.failures, []);
    assert.deepEqual(r.inputs.resolver, { servers: [server] }, "the provider's servers, nothing else");
    const failure = await p.create!(urn("Account"), r.inputs).then(
      () => assert.fail("a push to a closed port succeeded"),
      (e: unknown) => e as Error & { properties?: Record<string, unknown> },
    );
    assert.match(failure.message, new RegExp(`127\\.0\\.0\\.1:${port}`), "it tried the provider's server");
    assert.deepEqual(failure.properties?.resolver, { servers: [server] });
    assert.ok(
      !JSON.stringify(failure.properties).includes("NATS USER JWT"),
      "no creds in the recorded state",
    );
    assert.ok(!plainStrings(failure.properties).includes(creds));
  });

  it("provider config - a creds rotation changes no Account; a change of servers is an update", async () => {
    const creds = await sysCreds();
    const other = await sysCreds();
    const p = nativeProvider("0.0.0-test", { env: {} });
    const op = createKeyPair("operator");
    const news = { name: "app", operatorPublicKey: op.getPublicKey(), signerSeed: op.seed() };
    await p.configureProvider({ servers: [], creds: secret(creds) });
    const checked = await p.check!(urn("Account"), {}, news);
    const made = await p.create!(urn("Account"), checked.inputs);
    const diffUnder = async (config: Record<string, unknown>) => {
      assert.equal((await p.diffConfig({ servers: [], creds: secret(creds) }, config)).changes, true);
      await p.configureProvider(config);
      const again = await p.check!(urn("Account"), made.outs, news);
      return (await p.diff!(made.id, urn("Account"), made.outs, again.inputs)).changes;
    };
    assert.equal(await diffUnder({ servers: [], creds: secret(other) }), false, "new creds: no change");
    assert.equal(await diffUnder({ servers: [], creds: secret(creds), timeoutMs: 900 }), false);
    assert.equal(await diffUnder({ servers: ["nats://127.0.0.1:1"], creds: secret(creds) }), true);
    assert.equal(
      (await p.diffConfig({ servers: "[]" }, { servers: [] })).changes,
      false,
      "same value, other form",
    );
  });
});

describe("provider config - the TypeScript SDK's dynamic resources", () => {
  const stackConfig = (projectName: string, values: Record<string, string>) => ({
    config: { projectName, get: (key: string) => values[key] },
  });
  it("provider config - nats-auth:servers reaches an Account with no resolver, except in a project named nats-auth (its own keys)", async () => {
    const op = createKeyPair("operator");
    const news = { name: "SYS", operatorPublicKey: op.getPublicKey(), signerSeed: op.seed() };
    const values = { "nats-auth:servers": '["nats://127.0.0.1:4222"]' };
    const applied = withStackProviderConfig(accountHandler, {});
    await applied.configure(stackConfig("platform", values));
    const pushed = await applied.check({}, news as never);
    assert.deepEqual((pushed.inputs as { resolver?: unknown }).resolver, {
      servers: ["nats://127.0.0.1:4222"],
    });
    const own = withStackProviderConfig(accountHandler, {});
    await own.configure(stackConfig("nats-auth", values));
    const notPushed = await own.check({}, news as never);
    assert.deepEqual(notPushed.failures, []);
    assert.equal((notPushed.inputs as { resolver?: unknown }).resolver, undefined);
  });
});
