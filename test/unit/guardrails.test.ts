/**
 * The guardrail rules of the policy pack (policy/rules.ts) on the inputs the engine shows a pack:
 * the TypeScript SDK's dynamic resources (signer wiring packed under `signing`) and the native
 * plugin's (flat), values unknown at preview, and the system account's exemptions.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as rules from "../../policy/rules";

const DYN = "pulumi-nodejs:dynamic/nats-auth:";
const NATIVE = "nats-auth:index:";
const user = { system: false };
const system = { system: true };
const fields = (vs: rules.Violation[]) => vs.map((v) => v.field);
const NOW = 1_800_000_000;

describe("guardrails: resource kinds", () => {
  it("reads dynamic and native type tokens alike, and nothing else", () => {
    assert.equal(rules.kindOf(`${DYN}User`), "User");
    assert.equal(rules.kindOf(`${NATIVE}Account`), "Account");
    assert.equal(rules.kindOf(`${NATIVE}ServerConfig`), "Other");
    assert.equal(rules.kindOf("aws:s3/bucket:Bucket"), undefined);
    assert.equal(rules.kindOf("pulumi-nodejs:dynamic:Resource"), undefined);
  });
});

describe("guardrails: mandatory rules", () => {
  it("no publish allow of '>' (or '*.>') on users, scoped keys and account defaults; system exempt", () => {
    assert.equal(rules.grantsEverything(">"), true);
    assert.equal(rules.grantsEverything("*.*.>"), true);
    assert.equal(rules.grantsEverything("orders.>"), false);
    assert.equal(rules.grantsEverything("*"), false);
    const u = { name: "u", pub: { allow: ["orders.>", ">"] } };
    const v = rules.noFullWildcardPublish("User", u, user);
    assert.deepEqual(fields(v), ["pub.allow[1]"]);
    assert.match(v[0].message, /every subject.*instead/);
    assert.deepEqual(rules.noFullWildcardPublish("User", u, system), []);
    assert.deepEqual(
      fields(
        rules.noFullWildcardPublish(
          "SigningKey",
          { scope: { role: "r", template: { pub: { allow: ["*.>"] } } } },
          user,
        ),
      ),
      ["scope.template.pub.allow[0]"],
    );
    assert.deepEqual(
      fields(rules.noFullWildcardPublish("Account", { defaultPermissions: { pub: { allow: [">"] } } }, user)),
      ["defaultPermissions.pub.allow[0]"],
    );
    // deny of '>' restricts: not a grant.
    assert.deepEqual(rules.noFullWildcardPublish("User", { pub: { deny: [">"] } }, user), []);
    assert.deepEqual(rules.noFullWildcardPublish("User", { pub: { allow: [rules.UNKNOWN] } }, user), []);
  });

  it("operators have signing keys and strict signing key usage", () => {
    assert.deepEqual(fields(rules.operatorStrictSigningKeys("Operator", { name: "o" })), [
      "strictSigningKeyUsage",
      "signingKeys",
    ]);
    assert.deepEqual(
      rules.operatorStrictSigningKeys("Operator", { strictSigningKeyUsage: true, signingKeys: ["O…"] }),
      [],
    );
    // Known at `up`, not at preview: not judged.
    assert.deepEqual(
      rules.operatorStrictSigningKeys("Operator", {
        strictSigningKeyUsage: true,
        signingKeys: rules.UNKNOWN,
      }),
      [],
    );
    assert.deepEqual(rules.operatorStrictSigningKeys("Account", {}), []);
  });

  it("accounts are signed by signing keys: packed (TS SDK) and flat (native) inputs", () => {
    const packedIdentity = {
      name: "A",
      signing: { operatorPublicKey: "O", signedByIdentity: true, operatorSigningKeys: ["O2"] },
    };
    assert.deepEqual(fields(rules.accountSignedBySigningKey("Account", packedIdentity)), ["signer"]);
    const packedNoKeys = { name: "A", signing: { operatorPublicKey: "O", operatorSigningKeys: [] } };
    assert.deepEqual(fields(rules.accountSignedBySigningKey("Account", packedNoKeys)), [
      "operatorSigningKeys",
    ]);
    const packedOk = { name: "A", signing: { operatorPublicKey: "O", operatorSigningKeys: ["O2"] } };
    assert.deepEqual(rules.accountSignedBySigningKey("Account", packedOk), []);
    assert.deepEqual(
      fields(rules.accountSignedBySigningKey("Account", { name: "A", operatorPublicKey: "O" })),
      ["operatorSigningKeys"],
    );
    assert.deepEqual(
      rules.accountSignedBySigningKey("Account", { name: "A", operatorSigningKeys: ["O2"] }),
      [],
    );
    assert.deepEqual(
      rules.accountSignedBySigningKey("Account", { signing: { operatorSigningKeys: rules.UNKNOWN } }),
      [],
    );
  });

  it("no credentials in any URL, at any depth, without repeating the URL", () => {
    const props = {
      serviceUrls: ["nats://ok.example.com:4222", "nats://admin:pw@x.example.com"],
      resolver: { servers: ["tls://h:4222/?token=abc"] },
      exports: [{ subject: "a", infoUrl: "https://u@wiki.example.com/" }],
      __provider: "https://a:b@not-an-input",
    };
    const v = rules.noCredentialsInUrls("Operator", props);
    assert.deepEqual(fields(v), ["serviceUrls[1]", "resolver.servers[0]", "exports[0].infoUrl"]);
    for (const x of v) assert.ok(!x.message.includes("pw") && !x.message.includes("abc"), x.message);
    assert.deepEqual(rules.noCredentialsInUrls("Account", { infoUrl: "https://wiki.example.com/a@b" }), []);
  });
});

describe("guardrails: advisory rules", () => {
  it("user expiry within maxDays (ISO text or unix seconds); system users exempt", () => {
    const opts = { maxDays: 30 };
    assert.deepEqual(fields(rules.userExpiry("User", {}, opts, NOW, user)), ["expires"]);
    assert.deepEqual(rules.userExpiry("User", { expires: NOW + 29 * 86400 }, opts, NOW, user), []);
    const far = rules.userExpiry(
      "User",
      { expires: new Date((NOW + 31 * 86400) * 1000).toISOString() },
      opts,
      NOW,
      user,
    );
    assert.deepEqual(fields(far), ["expires"]);
    assert.match(far[0].message, /31 days away, beyond the 30-day/);
    assert.deepEqual(rules.userExpiry("User", {}, opts, NOW, system), []);
    assert.deepEqual(rules.userExpiry("User", { expires: rules.UNKNOWN }, opts, NOW, user), []);
  });

  it("no bearer tokens on users and scoped keys; accounts disallow them", () => {
    assert.deepEqual(fields(rules.noBearerTokens("User", { bearerToken: true }, user)), ["bearerToken"]);
    assert.deepEqual(
      fields(
        rules.noBearerTokens("SigningKey", { scope: { role: "r", template: { bearerToken: true } } }, user),
      ),
      ["scope.template.bearerToken"],
    );
    assert.deepEqual(fields(rules.noBearerTokens("Account", { limits: { conn: 1 } }, user)), [
      "limits.disallowBearer",
    ]);
    assert.deepEqual(rules.noBearerTokens("Account", { limits: { disallowBearer: true } }, user), []);
    assert.deepEqual(rules.noBearerTokens("Account", {}, system), []);
    assert.deepEqual(rules.noBearerTokens("Account", { limits: rules.UNKNOWN }, user), []);
  });

  it("account limits: absent or -1 is unlimited; configurable; system exempt", () => {
    const opts = { required: ["conn", "data"] as rules.AccountLimitsOptions["required"] };
    assert.deepEqual(fields(rules.accountLimits("Account", { limits: { conn: -1 } }, opts, user)), [
      "limits.conn",
      "limits.data",
    ]);
    assert.deepEqual(rules.accountLimits("Account", { limits: { conn: 5, data: 0 } }, opts, user), []);
    assert.deepEqual(rules.accountLimits("Account", {}, opts, system), []);
    assert.deepEqual(fields(rules.accountLimits("Account", {}, rules.ACCOUNT_LIMITS_DEFAULTS, user)), [
      "limits.conn",
      "limits.data",
      "limits.payload",
      "limits.subs",
    ]);
  });

  it("JetStream limits only when JetStream (or a tier) is enabled", () => {
    const opts = { required: ["memStorage", "diskStorage"] };
    assert.deepEqual(rules.jetStreamLimits("Account", { limits: {} }, opts), []);
    assert.deepEqual(fields(rules.jetStreamLimits("Account", { jetstream: { memStorage: 1 } }, opts)), [
      "jetstream.diskStorage",
    ]);
    assert.deepEqual(
      fields(
        rules.jetStreamLimits(
          "Account",
          { jetstreamTiers: { R3: { memStorage: -1, diskStorage: 5 } } },
          opts,
        ),
      ),
      ["jetstreamTiers.R3.memStorage"],
    );
  });

  it("resolver over TLS: plain URLs without resolver.tls", () => {
    assert.deepEqual(
      fields(rules.resolverTls("Account", { resolver: { servers: ["nats://h:4222"], creds: "" } })),
      ["resolver.tls"],
    );
    assert.deepEqual(
      rules.resolverTls("Account", { resolver: { servers: ["tls://h:4222"], creds: "" } }),
      [],
    );
    assert.deepEqual(
      rules.resolverTls("Account", { resolver: { servers: ["nats://h:4222"], creds: "", tls: { ca: "x" } } }),
      [],
    );
    assert.deepEqual(rules.resolverTls("Account", { resolver: { servers: [], creds: "" } }), []);
    assert.deepEqual(rules.resolverTls("Account", { resolver: rules.UNKNOWN }), []);
  });

  it("revocations near the JWT size limit, counted with the exports' revocations", () => {
    const many = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`U${String(i).padStart(55, "A")}`, NOW]));
    const limitEntries = Math.floor((1024 * 1024) / rules.REVOCATION_JWT_BYTES);
    const opts = { fraction: 0.5 };
    assert.deepEqual(
      rules.revocationsSize("Account", { revocations: many(Math.floor(limitEntries * 0.4)) }, opts),
      [],
    );
    const v = rules.revocationsSize(
      "Account",
      {
        revocations: many(Math.floor(limitEntries * 0.2)),
        exports: [{ subject: "a", type: "stream", revocations: many(Math.floor(limitEntries * 0.4)) }],
      },
      opts,
    );
    assert.deepEqual(fields(v), ["exports[0].revocations"]);
    assert.match(v[0].message, /over 50% of the 1048576-byte limit/);
  });
});
