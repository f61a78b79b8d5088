/**
 * Bad input, one field at a time: every resource kind starts from inputs that pass check, one row
 * changes one field, and check must fail naming exactly that field with a reason that says what to
 * do. No failure may carry a seed (the baselines hold real ones, and the resolver creds embed one),
 * and none may name a secret input as its property (the engine prints that property's value).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatCreds } from "../../core/creds";
import type { Failure } from "../../core/errors";
import { createKeyPair } from "../../core/nkeys";
import { handler as account } from "../../provider/account";
import { handler as activationToken } from "../../provider/activationToken";
import { handler as keyPair } from "../../provider/keyPair";
import type { Handler } from "../../provider/kit/handler";
import { UNKNOWN } from "../../provider/kit/unknown";
import { handler as leafRemote } from "../../provider/leafRemote";
import { handler as operator } from "../../provider/operator";
import { handler as serverConfig } from "../../provider/serverConfigFile";
import { handler as signingKey } from "../../provider/signingKey";
import { handler as user } from "../../provider/user";

const SEED = /S[OACNUX][A-Z2-7]{56}/;
/** Inputs whose values are secrets: a failure naming one of them would print the secret. */
const SECRET_PROPERTIES = ["seed", "signerSeed", "credentials", "resolver.creds", "creds"];

const op = createKeyPair("operator");
const opSk = createKeyPair("operator");
const acct = createKeyPair("account");
const acctSk = createKeyPair("account");
const usr = createKeyPair("user");
const otherAcct = createKeyPair("account").getPublicKey();
const userKey = usr.getPublicKey();
/** A real-looking .creds text: it holds a user seed that must never surface in a failure. */
const CREDS = formatCreds("eyJhbGciOiJlZDI1NTE5In0.e30.sig", createKeyPair("user").seed());

const exporter = createKeyPair("account");
const exporterKey = exporter.getPublicKey();

/** An activation JWT by hand (check reads its claims; the server checks the signature). */
function token(claims: { iss?: string; sub?: string; exp?: number }, nats: Record<string, unknown>): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const body = {
    iss: exporterKey,
    sub: acct.getPublicKey(),
    iat: 1_700_000_000,
    ...claims,
    nats: { type: "activation", version: 2, subject: "billing.>", kind: "service", ...nats },
  };
  const head = `${b64({ typ: "JWT", alg: "ed25519-nkey" })}.${b64(body)}`;
  return `${head}.${Buffer.from(exporter.sign(new TextEncoder().encode(head))).toString("base64url")}`;
}
/** An account importing billing.invoice from the exporter with the given token. */
const importing = (t: string) => ({
  imports: [{ subject: "billing.invoice", account: exporterKey, type: "service", token: t }],
});

const PAST = "2001-01-01T00:00:00Z";
const FUTURE = "2099-01-01T00:00:00Z";
const LATER = "2099-06-01T00:00:00Z";

const handlers = {
  keyPair,
  signingKey,
  operator,
  account,
  user,
  leafRemote,
  serverConfig,
  activationToken,
} as const;
type Kind = keyof typeof handlers;

/** Inputs of each kind that pass check, with real keys. */
const baseline: Record<Kind, Record<string, unknown>> = {
  keyPair: { kind: "account", seed: acct.seed() },
  signingKey: { owner: "account", seed: acctSk.seed(), scope: { role: "svc", template: {} } },
  operator: {
    name: "OP",
    seed: op.seed(),
    signingKeys: [opSk.getPublicKey()],
    systemAccount: otherAcct,
    serviceUrls: ["nats://127.0.0.1:4222"],
    expires: FUTURE,
  },
  account: {
    name: "APP",
    seed: acct.seed(),
    signerSeed: opSk.seed(),
    operatorPublicKey: op.getPublicKey(),
    operatorSigningKeys: [opSk.getPublicKey()],
    signingKeys: [acctSk.getPublicKey()],
    limits: { conn: 10 },
    expires: FUTURE,
    resolver: { servers: ["nats://127.0.0.1:4222"], creds: CREDS, expectedServers: 1 },
  },
  user: {
    name: "u",
    seed: usr.seed(),
    signerSeed: acctSk.seed(),
    accountPublicKey: acct.getPublicKey(),
    accountSigningKeys: [acctSk.getPublicKey()],
    pub: { allow: ["orders.>"] },
    expires: FUTURE,
  },
  leafRemote: { urls: ["nats-leaf://127.0.0.1:7422"] },
  activationToken: {
    name: "t",
    signerSeed: exporter.seed(),
    exporterPublicKey: exporterKey,
    exporterSigningKeys: [],
    exporterExports: [
      { subject: "billing.>", type: "service", tokenRequired: true },
      { subject: "public.>", type: "service" },
      { subject: "feed.>", type: "stream", tokenRequired: true },
    ],
    importer: acct.getPublicKey(),
    subject: "billing.invoice",
    type: "service",
    expires: FUTURE,
  },
  serverConfig: { port: 4222, cluster: { name: "c", port: 6222, routes: ["nats-route://10.0.0.2:6222"] } },
};

/** With a resolver: the fields a resolver needs besides itself. */
const withResolver = { operator: "operator.jwt", systemAccount: otherAcct };

interface Row {
  /** What the row varies, for the test name. */
  family: string;
  kind: Kind;
  /** Replaces these top-level inputs of the baseline (undefined drops one). */
  vary: Record<string, unknown>;
  property: string;
  reason: RegExp;
}

const subjects: Row[] = [
  {
    family: "subject",
    kind: "user",
    vary: { pub: { allow: ["a..b"] } },
    property: "pub.allow[0]",
    reason: /empty token/,
  },
  {
    family: "subject",
    kind: "user",
    vary: { sub: { deny: ["a b"] } },
    property: "sub.deny[0]",
    reason: /white space/,
  },
  {
    family: "subject",
    kind: "user",
    vary: { pub: { deny: ["a.>.b"] } },
    property: "pub.deny[0]",
    reason: /'>' must be the last token/,
  },
  {
    family: "subject",
    kind: "user",
    vary: { sub: { allow: ["ok", "foo*"] } },
    property: "sub.allow[1]",
    reason: /wildcards must be whole tokens/,
  },
  {
    family: "subject",
    kind: "user",
    vary: { pub: { allow: [""] } },
    property: "pub.allow[0]",
    reason: /non-empty subject/,
  },
  {
    family: "subject",
    kind: "user",
    vary: { pub: { allow: "orders.>" } },
    property: "pub.allow",
    reason: /list of subjects/,
  },
  {
    family: "subject",
    kind: "account",
    vary: { defaultPermissions: { sub: { allow: [".a"] } } },
    property: "defaultPermissions.sub.allow[0]",
    reason: /empty token/,
  },
  {
    family: "subject",
    kind: "account",
    vary: { exports: [{ subject: "a..b", type: "stream" }] },
    property: "exports[0].subject",
    reason: /empty token/,
  },
  {
    family: "subject",
    kind: "account",
    vary: { imports: [{ subject: "x y", account: otherAcct, type: "stream" }] },
    property: "imports[0].subject",
    reason: /white space/,
  },
  {
    family: "subject",
    kind: "account",
    vary: { imports: [{ subject: "x", localSubject: "a.>.b", account: otherAcct, type: "stream" }] },
    property: "imports[0].localSubject",
    reason: /last token/,
  },
  {
    family: "subject",
    kind: "account",
    vary: { exports: [{ subject: "svc", type: "service", latency: { sampling: 50, results: "lat.*" } }] },
    property: "exports[0].latency.results",
    reason: /may not contain wildcards/,
  },
  {
    family: "subject",
    kind: "signingKey",
    vary: { scope: { role: "r", template: { pub: { allow: ["a..b"] } } } },
    property: "scope.template.pub.allow[0]",
    reason: /empty token/,
  },
];

const publicKeys: Row[] = [
  {
    family: "public key",
    kind: "user",
    vary: { accountPublicKey: op.getPublicKey() },
    property: "account",
    reason: /not a valid account public key .*starting with 'A'/,
  },
  {
    family: "public key",
    kind: "user",
    vary: { accountPublicKey: "not-a-key" },
    property: "account",
    reason: /account public key/,
  },
  {
    family: "public key",
    kind: "account",
    vary: { operatorPublicKey: acct.getPublicKey() },
    property: "operator",
    reason: /operator public key .*'O'/,
  },
  {
    family: "public key",
    kind: "operator",
    vary: { systemAccount: userKey },
    property: "systemAccount",
    reason: /account public key/,
  },
  {
    family: "public key",
    kind: "operator",
    vary: { signingKeys: [otherAcct] },
    property: "signingKeys[0]",
    reason: /operator public key/,
  },
  {
    family: "public key",
    kind: "account",
    vary: { signingKeys: [op.getPublicKey()] },
    property: "signingKeys[0]",
    reason: /account public key/,
  },
  {
    family: "public key",
    kind: "account",
    vary: { signingKeys: [{ key: userKey, role: "r", template: {} }] },
    property: "signingKeys[0].key",
    reason: /account public key/,
  },
  {
    family: "public key",
    kind: "account",
    vary: { imports: [{ subject: "x", account: op.getPublicKey(), type: "stream" }] },
    property: "imports[0].account",
    reason: /account public key/,
  },
  {
    family: "public key",
    kind: "account",
    vary: { revocations: { [otherAcct]: 1 } },
    property: `revocations["${otherAcct}"]`,
    reason: /user public key/,
  },
  {
    family: "public key",
    kind: "account",
    vary: { exports: [{ subject: "x", type: "stream", revocations: { [userKey]: 1 } }] },
    property: `exports[0].revocations["${userKey}"]`,
    reason: /account public key/,
  },
  {
    family: "public key",
    kind: "serverConfig",
    vary: { systemAccount: op.getPublicKey() },
    property: "systemAccount",
    reason: /not an account public key/,
  },
  {
    family: "public key",
    kind: "serverConfig",
    vary: { ...withResolver, resolver: { type: "memory" }, preload: { [userKey]: "jwt" } },
    property: `preload.${userKey}`,
    reason: /not an account public key/,
  },
];

/** One character changed in the middle (the last one holds padding bits): the checksum no longer matches. */
const corrupt = (seed: string) => `${seed.slice(0, 20)}${seed[20] === "A" ? "B" : "A"}${seed.slice(21)}`;
const seeds: Row[] = [
  {
    family: "seed",
    kind: "user",
    vary: { seed: "SUnotaseed" },
    property: "identity",
    reason: /seed: not a valid nkey seed/,
  },
  {
    family: "seed",
    kind: "user",
    vary: { seed: createKeyPair("account").seed() },
    property: "identity",
    reason: /seed: is a account seed, expected user/,
  },
  {
    family: "seed",
    kind: "user",
    vary: { seed: corrupt(createKeyPair("user").seed()) },
    property: "identity",
    reason: /not a valid nkey seed/,
  },
  {
    family: "seed",
    kind: "account",
    vary: { signerSeed: createKeyPair("user").seed() },
    property: "signer",
    reason: /signer seed: is a user seed, expected operator/,
  },
  {
    family: "seed",
    kind: "account",
    vary: { signerSeed: "garbage" },
    property: "signer",
    reason: /signer seed: not a valid nkey seed/,
  },
  {
    family: "seed",
    kind: "account",
    vary: { signerSeed: createKeyPair("operator").seed() },
    property: "signer",
    reason: /neither the operator's identity key nor one of its signing keys/,
  },
  {
    family: "seed",
    kind: "operator",
    vary: { seed: createKeyPair("account").seed() },
    property: "identity",
    reason: /expected operator/,
  },
  {
    family: "seed",
    kind: "keyPair",
    vary: { kind: "user" },
    property: "identity",
    reason: /is a account seed, expected user/,
  },
  {
    family: "seed",
    kind: "signingKey",
    vary: { seed: opSk.seed() },
    property: "identity",
    reason: /is a operator seed, expected account/,
  },
  {
    family: "seed",
    kind: "user",
    vary: { signerSeed: op.seed() },
    property: "signer",
    reason: /expected account/,
  },
  {
    family: "seed",
    kind: "user",
    vary: { signerSeed: createKeyPair("account").seed() },
    property: "signer",
    reason: /neither the account's identity key/,
  },
  {
    family: "seed",
    kind: "user",
    vary: { signerSeed: acct.seed(), operatorStrict: true },
    property: "signer",
    reason: /strictSigningKeyUsage.*sign the user with one of the account's signing keys/,
  },
  {
    family: "seed",
    kind: "account",
    vary: { signerSeed: op.seed(), operatorStrict: true },
    property: "signer",
    reason: /strictSigningKeyUsage/,
  },
];

const limits: Row[] = [
  { family: "limit", kind: "user", vary: { subs: -2 }, property: "subs", reason: /integer >= -1/ },
  { family: "limit", kind: "user", vary: { data: 1.5 }, property: "data", reason: /integer >= -1/ },
  { family: "limit", kind: "user", vary: { payload: "10" }, property: "payload", reason: /integer >= -1/ },
  {
    family: "limit",
    kind: "user",
    vary: { resp: { maxMsgs: -3 } },
    property: "resp.maxMsgs",
    reason: /integer >= -1/,
  },
  {
    family: "limit",
    kind: "account",
    vary: { limits: { conn: -5 } },
    property: "limits.conn",
    reason: /-1 is unlimited/,
  },
  {
    family: "limit",
    kind: "account",
    vary: { limits: { leaf: 2.5 } },
    property: "limits.leaf",
    reason: /integer >= -1/,
  },
  {
    family: "limit",
    kind: "account",
    vary: { limits: { imports: -2 } },
    property: "limits.imports",
    reason: /integer >= -1/,
  },
  {
    family: "limit",
    kind: "account",
    vary: { jetstream: { memStorage: -2 } },
    property: "jetstream.memStorage",
    reason: /integer >= -1/,
  },
  {
    family: "limit",
    kind: "account",
    vary: { jetstream: { maxDiskStream: -3 } },
    property: "jetstream.maxDiskStream",
    reason: /0 and -1 are unlimited/,
  },
  {
    family: "limit",
    kind: "account",
    vary: { jetstreamTiers: { X1: {} } },
    property: "jetstreamTiers.X1",
    reason: /R1, R3/,
  },
  {
    family: "limit",
    kind: "account",
    vary: { jetstreamTiers: { R3: { streams: -2 } } },
    property: "jetstreamTiers.R3.streams",
    reason: /integer >= -1/,
  },
  {
    family: "limit",
    kind: "signingKey",
    vary: { scope: { role: "r", template: { subs: -9 } } },
    property: "scope.template.subs",
    reason: /integer >= -1/,
  },
];

const durations: Row[] = [
  {
    family: "duration",
    kind: "user",
    vary: { resp: { maxMsgs: 1, ttl: "1 second" } },
    property: "resp.ttl",
    reason: /not a duration .*"1s"/,
  },
  {
    family: "duration",
    kind: "user",
    vary: { resp: { maxMsgs: 1, ttl: -1 } },
    property: "resp.ttl",
    reason: /duration must be >= 0/,
  },
  {
    family: "duration",
    kind: "account",
    vary: { exports: [{ subject: "svc", type: "service", responseThreshold: "soon" }] },
    property: "exports[0].responseThreshold",
    reason: /not a duration/,
  },
  {
    family: "duration",
    kind: "account",
    vary: { defaultPermissions: { resp: { maxMsgs: 1, ttl: "5x" } } },
    property: "defaultPermissions.resp.ttl",
    reason: /not a duration/,
  },
];

const dates: Row[] = [
  {
    family: "date",
    kind: "user",
    vary: { expires: "not a date" },
    property: "expires",
    reason: /not a date \(ISO-8601 text or unix seconds\)/,
  },
  { family: "date", kind: "user", vary: { notBefore: -5 }, property: "notBefore", reason: /not a date/ },
  {
    family: "date",
    kind: "account",
    vary: { expires: "tomorrow" },
    property: "expires",
    reason: /not a date/,
  },
  {
    family: "date",
    kind: "operator",
    vary: { notBefore: "yesterday" },
    property: "notBefore",
    reason: /not a date/,
  },
  {
    family: "date",
    kind: "user",
    vary: { expires: FUTURE, notBefore: LATER },
    property: "expires",
    reason: /is not after notBefore .*move expires later or notBefore earlier/,
  },
  {
    family: "date",
    kind: "account",
    vary: { expires: FUTURE, notBefore: LATER },
    property: "expires",
    reason: /is not after notBefore/,
  },
  {
    family: "date",
    kind: "operator",
    vary: { expires: FUTURE, notBefore: LATER },
    property: "expires",
    reason: /is not after notBefore/,
  },
  {
    family: "date",
    kind: "user",
    vary: { expires: 4102444800, notBefore: 4102444800 },
    property: "expires",
    reason: /is not after notBefore/,
  },
  {
    family: "date",
    kind: "user",
    vary: { expires: PAST },
    property: "expires",
    reason: /2001-01-01T00:00:00.000Z has already passed: .*set a later date or remove expires/,
  },
  {
    family: "date",
    kind: "account",
    vary: { expires: 1_000_000_000 },
    property: "expires",
    reason: /has already passed/,
  },
  {
    family: "date",
    kind: "account",
    vary: { revocations: { [userKey]: "whenever" } },
    property: `revocations["${userKey}"]`,
    reason: /unix seconds, an ISO-8601 date or "now"/,
  },
  {
    family: "date",
    kind: "account",
    vary: { revocations: { [userKey]: -5 } },
    property: `revocations["${userKey}"]`,
    reason: /unix seconds/,
  },
];

const windows: Row[] = [
  {
    family: "time window",
    kind: "user",
    vary: { times: [{ start: "25:00:00", end: "10:00:00" }] },
    property: "times[0].start",
    reason: /must be HH:MM:SS/,
  },
  {
    family: "time window",
    kind: "user",
    vary: { times: [{ start: "08:00:00", end: "9:00" }] },
    property: "times[0].end",
    reason: /must be HH:MM:SS/,
  },
  {
    family: "time window",
    kind: "user",
    vary: { timeZone: "Mars/Olympus" },
    property: "timeZone",
    reason: /not an IANA time zone/,
  },
  {
    family: "time window",
    kind: "signingKey",
    vary: { scope: { role: "r", template: { times: [{ start: "8am", end: "17:00:00" }] } } },
    property: "scope.template.times[0].start",
    reason: /HH:MM:SS/,
  },
];

const cidrs: Row[] = ["300.1.1.1", "10.0.0.0/33", "example.com", "10.0.0.0/8/1", "fe80::/129"].map(
  (cidr) => ({
    family: "CIDR",
    kind: "user" as const,
    vary: { sourceNetworks: [cidr] },
    property: "sourceNetworks[0]",
    reason: /not a CIDR network/,
  }),
);

const connectionTypes: Row[] = [
  {
    family: "connection type",
    kind: "user",
    vary: { allowedConnectionTypes: ["STANDARD", "FAX"] },
    property: "allowedConnectionTypes[1]",
    reason: /must be one of STANDARD, WEBSOCKET/,
  },
  {
    family: "connection type",
    kind: "user",
    vary: { allowedConnectionTypes: ["standard"] },
    property: "allowedConnectionTypes[0]",
    reason: /must be one of/,
  },
  {
    family: "connection type",
    kind: "signingKey",
    vary: { scope: { role: "r", template: { allowedConnectionTypes: ["TCP"] } } },
    property: "scope.template.allowedConnectionTypes[0]",
    reason: /must be one of/,
  },
];

const sk = acctSk.getPublicKey();
const signingKeys: Row[] = [
  {
    family: "signing key",
    kind: "account",
    vary: { signingKeys: [sk, sk] },
    property: "signingKeys[1]",
    reason: /repeats signingKeys\[0\] .*list each signing key once/,
  },
  {
    family: "signing key",
    kind: "account",
    vary: { signingKeys: [sk, { key: sk, role: "r", template: {} }] },
    property: "signingKeys[1].key",
    reason: /repeats signingKeys\[0\]/,
  },
  {
    family: "signing key",
    kind: "account",
    vary: {
      signingKeys: [otherAcct, { key: sk, role: "a", template: {} }, { key: sk, role: "b", template: {} }],
    },
    property: "signingKeys[2].key",
    reason: /repeats signingKeys\[1\]\.key/,
  },
  {
    family: "signing key",
    kind: "operator",
    vary: { signingKeys: [opSk.getPublicKey(), opSk.getPublicKey()] },
    property: "signingKeys[1]",
    reason: /repeats signingKeys\[0\]/,
  },
  {
    family: "signing key",
    kind: "operator",
    vary: { signingKeys: [], strictSigningKeyUsage: true },
    property: "signingKeys",
    reason: /needs at least one signing key/,
  },
];

const scoped = { key: sk, role: "svc", template: { pub: { allow: ["svc.>"] } } };
const scopes: Row[] = [
  {
    family: "scope",
    kind: "signingKey",
    vary: { owner: "operator", seed: opSk.seed() },
    property: "scope",
    reason: /only account signing keys can be scoped/,
  },
  {
    family: "scope",
    kind: "signingKey",
    vary: { scope: { role: "" } },
    property: "scope.role",
    reason: /needs a role/,
  },
  {
    family: "scope",
    kind: "signingKey",
    vary: { owner: "user" },
    property: "owner",
    reason: /"operator" or "account"/,
  },
  {
    family: "scope",
    kind: "keyPair",
    vary: { kind: "server" },
    property: "kind",
    reason: /one of operator, account, user/,
  },
  {
    family: "scope",
    kind: "account",
    vary: { signingKeys: [{ key: sk, role: "", template: {} }] },
    property: "signingKeys[0].role",
    reason: /needs a role/,
  },
  {
    family: "scope",
    kind: "user",
    vary: { accountSigningKeys: [scoped] },
    property: "pub",
    reason: /scoped signing key carries no permissions or limits of its own/,
  },
  {
    family: "scope",
    kind: "user",
    vary: { pub: undefined, signerScoped: true, subs: 5 },
    property: "subs",
    reason: /set them in the key's scope/,
  },
];

const svc = (more: Record<string, unknown>) => ({
  exports: [{ subject: "svc.*", type: "service", ...more }],
});
const exportsImports: Row[] = [
  {
    family: "export/import",
    kind: "account",
    vary: { exports: [{ subject: "x", type: "queue" }] },
    property: "exports[0].type",
    reason: /"stream" or "service"/,
  },
  {
    family: "export/import",
    kind: "account",
    vary: { imports: [{ subject: "x", account: otherAcct, type: "topic" }] },
    property: "imports[0].type",
    reason: /"stream" or "service"/,
  },
  {
    family: "export/import",
    kind: "account",
    vary: svc({ responseType: "Many" }),
    property: "exports[0].responseType",
    reason: /Singleton, Stream or Chunked/,
  },
  {
    family: "export/import",
    kind: "account",
    vary: { exports: [{ subject: "x", type: "stream", responseType: "Stream" }] },
    property: "exports[0]",
    reason: /service exports only/,
  },
  {
    family: "export/import",
    kind: "account",
    vary: svc({ latency: { sampling: 0, results: "lat" } }),
    property: "exports[0].latency.sampling",
    reason: /1\.\.100 or "headers"/,
  },
  {
    family: "export/import",
    kind: "account",
    vary: svc({ latency: { sampling: 101, results: "lat" } }),
    property: "exports[0].latency.sampling",
    reason: /1\.\.100/,
  },
  {
    family: "export/import",
    kind: "account",
    vary: svc({ accountTokenPosition: 1 }),
    property: "exports[0].accountTokenPosition",
    reason: /'\*' token of the subject/,
  },
  {
    family: "export/import",
    kind: "account",
    vary: svc({ accountTokenPosition: 3 }),
    property: "exports[0].accountTokenPosition",
    reason: /1-based/,
  },
  {
    family: "export/import",
    kind: "account",
    vary: { exports: [{ subject: "x", type: "stream", revocations: { [otherAcct]: -1 } }] },
    property: `exports[0].revocations["${otherAcct}"]`,
    reason: /must be unix seconds/,
  },
];

const activations: Row[] = [
  {
    family: "ActivationToken",
    kind: "activationToken",
    vary: { subject: "public.x" },
    property: "subject",
    reason: /is public \(tokenRequired is not set\)/,
  },
  {
    family: "ActivationToken",
    kind: "activationToken",
    vary: { subject: "other.x" },
    property: "subject",
    reason: /no service export of the exporter contains "other\.x"/,
  },
  {
    family: "ActivationToken",
    kind: "activationToken",
    vary: { subject: "feed.x" },
    property: "subject",
    reason: /as a stream, not a service: set type "stream"/,
  },
  {
    family: "ActivationToken",
    kind: "activationToken",
    vary: { subject: "billing..x" },
    property: "subject",
    reason: /empty token/,
  },
  {
    family: "ActivationToken",
    kind: "activationToken",
    vary: { type: "queue" },
    property: "type",
    reason: /"stream" or "service"/,
  },
  {
    family: "ActivationToken",
    kind: "activationToken",
    vary: { importer: userKey },
    property: "importer",
    reason: /not a valid account public key/,
  },
  {
    family: "ActivationToken",
    kind: "activationToken",
    vary: { exporterPublicKey: op.getPublicKey() },
    property: "exporter",
    reason: /not a valid account public key/,
  },
  {
    family: "ActivationToken",
    kind: "activationToken",
    vary: { signerSeed: acctSk.seed() },
    property: "signer",
    reason: /neither the account's identity key nor one of its signing keys/,
  },
  {
    family: "ActivationToken",
    kind: "activationToken",
    vary: { signerSeed: usr.seed() },
    property: "signer",
    reason: /is a user seed, expected account/,
  },
  {
    family: "ActivationToken",
    kind: "activationToken",
    vary: { expires: PAST },
    property: "expires",
    reason: /has already passed/,
  },
  {
    family: "ActivationToken",
    kind: "activationToken",
    vary: { name: "" },
    property: "name",
    reason: /an activation token needs a name/,
  },
  {
    family: "import token",
    kind: "account",
    vary: importing("not-a-jwt"),
    property: "imports[0].token",
    reason: /not an activation token/,
  },
  {
    family: "import token",
    kind: "account",
    vary: importing(token({ sub: otherAcct }, {})),
    property: "imports[0].token",
    reason: /was issued for account A\w+, not for this account/,
  },
  {
    family: "import token",
    kind: "account",
    vary: importing(token({ iss: otherAcct }, {})),
    property: "imports[0].token",
    reason: /not by the exporting account/,
  },
  {
    family: "import token",
    kind: "account",
    vary: importing(token({}, { kind: "stream" })),
    property: "imports[0].token",
    reason: /is for a stream, but the import is a service/,
  },
  {
    family: "import token",
    kind: "account",
    vary: importing(token({}, { subject: "billing.refund" })),
    property: "imports[0].token",
    reason: /does not contain the imported subject/,
  },
  {
    family: "import token",
    kind: "account",
    vary: importing(token({ exp: 1_000_000_000 }, {})),
    property: "imports[0].token",
    reason: /expired at 2001-09-09/,
  },
];

const callout = (a: Record<string, unknown>) => ({ authorization: { authUsers: [userKey], ...a } });
const authorizations: Row[] = [
  {
    family: "auth callout",
    kind: "account",
    vary: callout({ authUsers: [], allowedAccounts: [otherAcct] }),
    property: "authorization.authUsers",
    reason: /allowedAccounts without authUsers: list the users \(U…\) that run the callout service/,
  },
  {
    family: "auth callout",
    kind: "account",
    vary: callout({ authUsers: [otherAcct] }),
    property: "authorization.authUsers[0]",
    reason: /not a valid user public key/,
  },
  {
    family: "auth callout",
    kind: "account",
    vary: callout({ allowedAccounts: [userKey] }),
    property: "authorization.allowedAccounts[0]",
    reason: /not a valid account public key/,
  },
  {
    family: "auth callout",
    kind: "account",
    vary: callout({ allowedAccounts: [otherAcct, "*"] }),
    property: "authorization.allowedAccounts[1]",
    reason: /list accounts, or "\*" alone/,
  },
  {
    family: "auth callout",
    kind: "account",
    vary: callout({ xkey: otherAcct }),
    property: "authorization.xkey",
    reason: /not a valid curve public key \(expected 56 characters starting with 'X'\)/,
  },
  {
    family: "KeyPair",
    kind: "keyPair",
    vary: { kind: "curve", seed: acct.seed() },
    property: "identity",
    reason: /is a account seed, expected curve/,
  },
];

/** Rules of nats-io/jwt v2 (account_claims.go, exports.go, imports.go), one row each. */
const jwtRules: Row[] = [
  {
    family: "jwt rule",
    kind: "account",
    vary: { jetstream: { diskStorage: 1024 }, jetstreamTiers: { R1: { diskStorage: 1024 } } },
    property: "jetstreamTiers",
    reason: /global jetstream limits and tiered ones are mutually exclusive/,
  },
  {
    family: "jwt rule",
    kind: "account",
    vary: { imports: [{ subject: "feed.>", account: otherAcct, type: "stream", share: true }] },
    property: "imports[0].share",
    reason: /applies to service imports only/,
  },
  {
    family: "jwt rule",
    kind: "account",
    vary: { imports: [{ subject: "svc.x", account: otherAcct, type: "service", allowTrace: true }] },
    property: "imports[0].allowTrace",
    reason: /only stream imports let traces out.*the exporter sets allowTrace/,
  },
  {
    family: "jwt rule",
    kind: "account",
    vary: { exports: [{ subject: "feed.>", type: "stream", allowTrace: true }] },
    property: "exports[0].allowTrace",
    reason: /only service exports let traces in.*the importer sets allowTrace/,
  },
  {
    family: "jwt rule",
    kind: "account",
    vary: { exports: [{ subject: "feed.>", type: "stream", responseThreshold: "1s" }] },
    property: "exports[0]",
    reason: /responseType, responseThreshold and latency apply to service exports only/,
  },
  {
    family: "jwt rule",
    kind: "account",
    vary: { exports: [{ subject: "feed.>", type: "stream", latency: { sampling: 50, results: "lat" } }] },
    property: "exports[0]",
    reason: /service exports only/,
  },
  {
    family: "jwt rule",
    kind: "account",
    vary: svc({ responseThreshold: -1 }),
    property: "exports[0].responseThreshold",
    reason: /duration must be >= 0/,
  },
  {
    family: "jwt rule",
    kind: "account",
    vary: svc({ latency: { sampling: 50, results: "lat.*" } }),
    property: "exports[0].latency.results",
    reason: /may not contain wildcards/,
  },
  {
    family: "jwt rule",
    kind: "account",
    vary: { trace: { dest: "traces.>" } },
    property: "trace.dest",
    reason: /may not contain wildcards/,
  },
  {
    family: "jwt rule",
    kind: "account",
    vary: { trace: { dest: "traces", sampling: 101 } },
    property: "trace.sampling",
    reason: /percentage 1\.\.100/,
  },
  {
    family: "jwt rule",
    kind: "account",
    vary: { trace: { dest: "traces", sampling: 0 } },
    property: "trace.sampling",
    reason: /percentage 1\.\.100/,
  },
];

const mappings: Row[] = [
  {
    family: "mapping",
    kind: "account",
    vary: { mappings: { foo: [{ subject: "bar", weight: 150 }] } },
    property: 'mappings["foo"][0].weight',
    reason: /1\.\.100/,
  },
  {
    family: "mapping",
    kind: "account",
    vary: { mappings: { foo: [{ subject: "bar", weight: -1 }] } },
    property: 'mappings["foo"][0].weight',
    reason: /1\.\.100/,
  },
  {
    family: "mapping",
    kind: "account",
    vary: {
      mappings: {
        foo: [
          { subject: "bar", weight: 70 },
          { subject: "baz", weight: 40 },
        ],
      },
    },
    property: 'mappings["foo"]',
    reason: /weights add up to 110, more than 100/,
  },
  {
    family: "mapping",
    kind: "account",
    vary: { mappings: { foo: [{ subject: "a b" }] } },
    property: 'mappings["foo"][0].subject',
    reason: /white space/,
  },
  {
    family: "mapping",
    kind: "account",
    vary: { mappings: { "a..b": [{ subject: "c" }] } },
    property: 'mappings["a..b"]',
    reason: /empty token/,
  },
];

const revocations: Row[] = [
  {
    family: "revocation",
    kind: "account",
    vary: { revocations: { bogus: 1 } },
    property: 'revocations["bogus"]',
    reason: /not a valid user public key/,
  },
  {
    family: "revocation",
    kind: "account",
    vary: { revocations: { "*": "later" } },
    property: 'revocations["*"]',
    reason: /"now"/,
  },
];

const resolver = (more: Record<string, unknown>) => ({
  resolver: { servers: ["nats://127.0.0.1:4222"], creds: CREDS, ...more },
});
const resolverTls: Row[] = [
  {
    family: "resolver TLS",
    kind: "account",
    vary: resolver({ tls: { certFile: "/c.pem" } }),
    property: "resolver.tls.keyFile",
    reason: /needs its private key.*give both/,
  },
  {
    family: "resolver TLS",
    kind: "account",
    vary: resolver({ tls: { keyFile: "/c.key" } }),
    property: "resolver.tls.certFile",
    reason: /give both/,
  },
  {
    family: "resolver TLS",
    kind: "account",
    vary: resolver({ tls: { ca: "/etc/ca.pem" } }),
    property: "resolver tls ca",
    reason: /must be PEM text .*for a path use caFile/,
  },
  {
    family: "resolver TLS",
    kind: "account",
    vary: resolver({ tls: { caFile: "/a.pem", ca: "-----BEGIN CERTIFICATE-----" } }),
    property: "resolver.tls.caFile",
    reason: /caFile or ca, not both/,
  },
  {
    family: "resolver TLS",
    kind: "account",
    vary: resolver({ tls: { handshakeFirst: "yes" } }),
    property: "resolver.tls.handshakeFirst",
    reason: /true or false/,
  },
];

const urls: Row[] = [
  {
    family: "URL",
    kind: "operator",
    vary: { serviceUrls: ["http://h:4222"] },
    property: "serviceUrls[0]",
    reason: /nats:\/\/host:port or tls:\/\/host:port/,
  },
  {
    family: "URL",
    kind: "operator",
    vary: { serviceUrls: ["nats://ok:4222", "h:4222"] },
    property: "serviceUrls[1]",
    reason: /nats:\/\/host:port/,
  },
  {
    family: "URL",
    kind: "operator",
    vary: { accountServerUrl: "ftp://x" },
    property: "accountServerUrl",
    reason: /http\(s\):\/\/ or nats:\/\//,
  },
  {
    family: "URL",
    kind: "account",
    vary: resolver({ servers: ["http://127.0.0.1:8222"] }),
    property: "resolver.servers[0]",
    reason: /uses http:\/\/, but a NATS client connection needs nats:\/\//,
  },
  {
    family: "URL",
    kind: "account",
    vary: resolver({ servers: ["nats://ok:4222", "not a url"] }),
    property: "resolver.servers[1]",
    reason: /is not a URL/,
  },
  {
    family: "URL",
    kind: "account",
    vary: resolver({ servers: [""] }),
    property: "resolver.servers[0]",
    reason: /nats:\/\/host:4222/,
  },
  {
    family: "URL",
    kind: "account",
    vary: resolver({ servers: "nats://h:4222" }),
    property: "resolver.servers",
    reason: /list of server URLs/,
  },
  {
    family: "URL",
    kind: "account",
    vary: resolver({ expectedServers: 0 }),
    property: "resolver.expectedServers",
    reason: /whole number of at least 1/,
  },
  {
    family: "URL",
    kind: "account",
    vary: resolver({ expectedServers: 1.5 }),
    property: "resolver.expectedServers",
    reason: /whole number/,
  },
  {
    family: "URL",
    kind: "account",
    vary: resolver({ expectedServers: -1 }),
    property: "resolver.expectedServers",
    reason: /at least 1/,
  },
  {
    family: "URL",
    kind: "account",
    vary: resolver({ expectedServersByCluster: { east: 3, west: 0 } }),
    property: "resolver.expectedServersByCluster.west",
    reason: /whole number of at least 1, got 0/,
  },
  {
    family: "URL",
    kind: "account",
    vary: resolver({ expectedServersByCluster: [3, 2] }),
    property: "resolver.expectedServersByCluster",
    reason: /map cluster names to server counts/,
  },
  {
    family: "URL",
    kind: "account",
    vary: resolver({ creds: "SUAbogus" }),
    property: "resolver credentials",
    reason: /\.creds text of a system account user/,
  },
  {
    family: "URL",
    kind: "account",
    vary: resolver({ onDelete: "purge" }),
    property: "resolver.onDelete",
    reason: /"delete" or "retain"/,
  },
  {
    family: "URL",
    kind: "leafRemote",
    vary: { urls: ["http://h:7422"] },
    property: "urls",
    reason: /must start with one of nats-leaf, tls, ws, wss, nats/,
  },
  { family: "URL", kind: "leafRemote", vary: { urls: [] }, property: "urls", reason: /at least one url/ },
  {
    family: "URL",
    kind: "leafRemote",
    vary: { urls: ["ws://h:80", "nats://h:7422"] },
    property: "urls",
    reason: /cannot be mixed/,
  },
  {
    family: "URL",
    kind: "serverConfig",
    vary: { cluster: { name: "c", port: 6222, routes: ["http://10.0.0.2:6222"] } },
    property: "cluster.routes[0]",
    reason: /uses http:\/\/: must be a route URL such as nats-route:\/\/host:6222/,
  },
  {
    family: "URL",
    kind: "serverConfig",
    vary: { cluster: { name: "c", port: 6222, routes: ["nats://a:6222", "10.0.0.2:6222"] } },
    property: "cluster.routes[1]",
    reason: /has no scheme/,
  },
  {
    family: "URL",
    kind: "serverConfig",
    vary: { cluster: { name: "c", port: 6222, routes: ["nats-route://"] } },
    property: "cluster.routes[0]",
    reason: /has no host/,
  },
  {
    family: "URL",
    kind: "serverConfig",
    vary: { cluster: { name: "c", port: 6222, routes: "nats://a:6222" } },
    property: "cluster.routes",
    reason: /list of route URLs/,
  },
  {
    family: "URL",
    kind: "serverConfig",
    vary: { leafnodes: { remotes: [{ urls: ["http://hub:7422"] }] } },
    property: "leafnodes.remotes[0].urls",
    reason: /must start with one of/,
  },
  {
    family: "URL",
    kind: "serverConfig",
    vary: { leafnodes: { remotes: [{ urls: ["nats://a:1"] }, { urls: [] }] } },
    property: "leafnodes.remotes[1].urls",
    reason: /at least one url/,
  },
];

const serverBlocks: Row[] = [
  {
    family: "ServerConfig",
    kind: "serverConfig",
    vary: { port: 70000 },
    property: "port",
    reason: /0\.\.65535 \(or -1/,
  },
  {
    family: "ServerConfig",
    kind: "serverConfig",
    vary: { httpPort: 1.5 },
    property: "httpPort",
    reason: /not an integer/,
  },
  {
    family: "ServerConfig",
    kind: "serverConfig",
    vary: { leafnodes: { port: -2 } },
    property: "leafnodes.port",
    reason: /0\.\.65535/,
  },
  {
    family: "ServerConfig",
    kind: "serverConfig",
    vary: { cluster: { name: "", port: 6222 } },
    property: "cluster.name",
    reason: /needs a name/,
  },
  {
    family: "ServerConfig",
    kind: "serverConfig",
    vary: { cluster: { name: "c" } },
    property: "cluster.port",
    reason: /needs a port/,
  },
  {
    family: "ServerConfig",
    kind: "serverConfig",
    vary: { cluster: { name: "c", port: 99999 } },
    property: "cluster.port",
    reason: /0\.\.65535/,
  },
  {
    family: "ServerConfig",
    kind: "serverConfig",
    vary: { ...withResolver, resolver: { type: "memory" } },
    property: "preload",
    reason: /preload at least one/,
  },
  {
    family: "ServerConfig",
    kind: "serverConfig",
    vary: { ...withResolver, resolver: { type: "memory", dir: "/x" }, preload: { [otherAcct]: "jwt" } },
    property: "resolver.dir",
    reason: /memory resolver has no directory/,
  },
  {
    family: "ServerConfig",
    kind: "serverConfig",
    vary: { ...withResolver, resolver: { type: "full", dir: "" } },
    property: "resolver.dir",
    reason: /needs a directory/,
  },
  {
    family: "ServerConfig",
    kind: "serverConfig",
    vary: { ...withResolver, resolver: { type: "cache", dir: "/x", allowDelete: true } },
    property: "resolver.allowDelete",
    reason: /cannot delete/,
  },
  {
    family: "ServerConfig",
    kind: "serverConfig",
    vary: { ...withResolver, resolver: { type: "ldap" } },
    property: "resolver.type",
    reason: /unknown resolver type/,
  },
  {
    family: "ServerConfig",
    kind: "serverConfig",
    vary: { systemAccount: otherAcct, resolver: { type: "full", dir: "/x" } },
    property: "operator",
    reason: /operator is not set/,
  },
  {
    family: "ServerConfig",
    kind: "serverConfig",
    vary: { operator: "op.jwt", resolver: { type: "full", dir: "/x" } },
    property: "systemAccount",
    reason: /system account is not set/,
  },
  {
    family: "ServerConfig",
    kind: "serverConfig",
    vary: { preload: { [otherAcct]: "jwt" } },
    property: "preload",
    reason: /need a resolver/,
  },
  {
    family: "ServerConfig",
    kind: "serverConfig",
    vary: { ...withResolver, resolver: { type: "memory" }, preload: { [otherAcct]: " " } },
    property: `preload.${otherAcct}`,
    reason: /JWT is empty/,
  },
  {
    family: "ServerConfig",
    kind: "serverConfig",
    vary: { jetstream: { storeDir: "" } },
    property: "jetstream.storeDir",
    reason: /store directory/,
  },
  {
    family: "ServerConfig",
    kind: "serverConfig",
    vary: { extra: { port: 1 } },
    property: "extra.port",
    reason: /use the typed field/,
  },
];

const leafOptions: Row[] = [
  {
    family: "LeafRemote",
    kind: "leafRemote",
    vary: { credentials: `not creds ${createKeyPair("user").seed()}`, credentialsPath: "/tmp/x.creds" },
    property: "credentials file",
    reason: /\.creds text of a user/,
  },
  {
    family: "LeafRemote",
    kind: "leafRemote",
    vary: { credentials: CREDS, credentialsPath: "relative/x.creds" },
    property: "credentialsPath",
    reason: /absolute path/,
  },
  {
    family: "LeafRemote",
    kind: "leafRemote",
    vary: { credentials: CREDS },
    property: "credentialsPath",
    reason: /absolute path/,
  },
];

const names: Row[] = [
  { family: "name", kind: "user", vary: { name: "" }, property: "name", reason: /a user needs a name/ },
  {
    family: "name",
    kind: "account",
    vary: { name: undefined },
    property: "name",
    reason: /an account needs a name/,
  },
  {
    family: "name",
    kind: "operator",
    vary: { name: 5 },
    property: "name",
    reason: /an operator needs a name/,
  },
];

/** Issue 20 (items 2 and 9): shapes the servers read otherwise than written, or drop, or refuse. */
const scopedRef = (template: Record<string, unknown>) => ({
  signingKeys: [{ key: acctSk.getPublicKey(), role: "r", template }],
});
const mapping = (src: string, ...dests: Record<string, unknown>[]) => ({ mappings: { [src]: dests } });
const EMPTY_ALLOW = /empty, which NATS reads as no restriction .*deny: \[">"\]/;
const emptyAllows: Row[] = [
  {
    family: "empty allow",
    kind: "user",
    vary: { pub: { allow: [] } },
    property: "pub.allow",
    reason: EMPTY_ALLOW,
  },
  {
    family: "empty allow",
    kind: "user",
    vary: { sub: { allow: [], deny: ["x"] } },
    property: "sub.allow",
    reason: EMPTY_ALLOW,
  },
  {
    family: "empty allow",
    kind: "account",
    vary: { defaultPermissions: { pub: { allow: [] } } },
    property: "defaultPermissions.pub.allow",
    reason: EMPTY_ALLOW,
  },
  {
    family: "empty allow",
    kind: "account",
    vary: scopedRef({ sub: { allow: [] } }),
    property: "signingKeys[0].template.sub.allow",
    reason: EMPTY_ALLOW,
  },
  {
    family: "empty allow",
    kind: "signingKey",
    vary: { scope: { role: "r", template: { pub: { allow: [] } } } },
    property: "scope.template.pub.allow",
    reason: EMPTY_ALLOW,
  },
  ...(
    [
      ["sourceNetworks", /any address/],
      ["times", /any time/],
      ["allowedConnectionTypes", /any way/],
    ] as const
  ).map(([field, reason]) => ({
    family: "empty allow",
    kind: "user" as const,
    vary: { [field]: [] },
    property: field,
    reason: new RegExp(`no restriction .*${reason.source}.*omit it`),
  })),
];

const INT64 = /64-bit integer/;
const numbers: Row[] = [
  { family: "int64", kind: "user", vary: { subs: 1e20 }, property: "subs", reason: INT64 },
  {
    family: "int64",
    kind: "account",
    vary: { limits: { data: 2 ** 63 } },
    property: "limits.data",
    reason: INT64,
  },
  {
    family: "int64",
    kind: "account",
    vary: { jetstream: { maxDiskStream: 1e19 } },
    property: "jetstream.maxDiskStream",
    reason: /integer >= -1/,
  },
  {
    family: "int64",
    kind: "account",
    vary: { jetstream: { memStorage: 1e300 } },
    property: "jetstream.memStorage",
    reason: INT64,
  },
  {
    family: "int64",
    kind: "signingKey",
    vary: { scope: { role: "r", template: { payload: 9.3e18 } } },
    property: "scope.template.payload",
    reason: INT64,
  },
  { family: "int64", kind: "user", vary: { expires: 1e300 }, property: "expires", reason: /not a date/ },
  {
    family: "int64",
    kind: "user",
    vary: { resp: { maxMsgs: 1, ttl: "3000000h" } },
    property: "resp.ttl",
    reason: /64-bit nanosecond/,
  },
  {
    family: "int64",
    kind: "account",
    vary: { exports: [{ subject: "s", type: "service", responseThreshold: 1e30 }] },
    property: "exports[0].responseThreshold",
    reason: /64-bit nanosecond/,
  },
  {
    family: "integer",
    kind: "account",
    vary: { exports: [{ subject: "x", type: "stream", revocations: { [otherAcct]: 1.5 } }] },
    property: `exports[0].revocations["${otherAcct}"]`,
    reason: /a whole number/,
  },
  {
    family: "integer",
    kind: "account",
    vary: { revocations: { [userKey]: 2 ** 64 } },
    property: `revocations["${userKey}"]`,
    reason: /whole seconds/,
  },
  {
    family: "integer",
    kind: "account",
    vary: mapping("foo", { subject: "bar", weight: 50.5 }),
    property: 'mappings["foo"][0].weight',
    reason: /whole percentage 1\.\.100/,
  },
  {
    family: "integer",
    kind: "account",
    vary: mapping("foo", { subject: "bar", weight: 0 }),
    property: 'mappings["foo"][0].weight',
    reason: /reads a weight of 0 as 100/,
  },
];

const NO_SUCH_DAY = /is not a date that exists/;
const calendar: Row[] = [
  {
    family: "calendar",
    kind: "user",
    vary: { expires: "2099-02-30" },
    property: "expires",
    reason: NO_SUCH_DAY,
  },
  {
    family: "calendar",
    kind: "account",
    vary: { notBefore: "2027-04-31T00:00:00Z" },
    property: "notBefore",
    reason: NO_SUCH_DAY,
  },
  {
    family: "calendar",
    kind: "operator",
    vary: { expires: "2099-02-29T12:00:00Z" },
    property: "expires",
    reason: /month 2 of 2099 has 28 days/,
  },
  {
    family: "calendar",
    kind: "activationToken",
    vary: { expires: "2099-02-30T12:00:00Z" },
    property: "expires",
    reason: /not a date that exists/,
  },
  {
    family: "calendar",
    kind: "user",
    vary: { expires: "Feb 30 2099" },
    property: "expires",
    reason: /not a date \(ISO-8601 text or unix seconds\)/,
  },
  {
    family: "calendar",
    kind: "account",
    vary: { revocations: { [userKey]: "2027-02-29T00:00:00Z" } },
    property: `revocations["${userKey}"]`,
    reason: /a date that exists/,
  },
];

const destinations: Row[] = (
  [
    [mapping("foo.*", { subject: "bar.*" }), "foo.*", /may not contain '\*'/],
    [mapping("foo.>", { subject: "bar" }), "foo.>", /both end in '>' or neither/],
    [mapping("foo", { subject: "bar.>" }), "foo", /both end in '>' or neither/],
    [mapping("foo.*", { subject: "bar.{{wildcard(2)}}" }), "foo.*", /index 2 is out of range/],
    [mapping("foo.*", { subject: "bar.$0" }), "foo.*", /index 0 is out of range/],
    [mapping("foo.*", { subject: "bar.{{nosuch(1)}}" }), "foo.*", /not a mapping function the server knows/],
    [mapping("foo", { subject: "bar.{{wildcard(1)}}" }), "foo", /has no '\*'/],
    [mapping("foo.>", { subject: "bar.{{wildcard(1)}}.>" }), "foo.>", /has no '\*'/],
    [mapping("foo.*", { subject: "bar.{{split(1)}}" }), "foo.*", /split takes/],
    [mapping("foo.*", { subject: "bar.{{partition(x,1)}}" }), "foo.*", /partition takes numbers/],
    [mapping("foo.*", { subject: "bar.{{partition(0,1)}}" }), "foo.*", /1 or more/],
    [mapping("foo.*", { subject: "bar.{{wildcard(1,2)}}" }), "foo.*", /one wildcard index/],
    [mapping("foo.*", { subject: "bar.{{SliceFromLeft(1)}}" }), "foo.*", /takes \(wildcard index, number\)/],
  ] as const
).map(([vary, src, reason]) => ({
  family: "mapping destination",
  kind: "account" as const,
  vary,
  property: `mappings["${src}"][0].subject`,
  reason,
}));
destinations.push(
  {
    family: "mapping destination",
    kind: "account",
    vary: mapping("foo", { subject: "bar", weight: 50 }, { subject: "bar", weight: 50 }),
    property: 'mappings["foo"][1].subject',
    reason: /repeats mappings\["foo"\]\[0\]/,
  },
  {
    family: "mapping destination",
    kind: "account",
    vary: mapping(
      "foo",
      { subject: "a", weight: 60 },
      { subject: "b", weight: 60 },
      { subject: "c", weight: 10, cluster: "east" },
    ),
    property: 'mappings["foo"]',
    reason: /weights add up to 120, more than 100/,
  },
  {
    family: "mapping destination",
    kind: "account",
    vary: mapping(
      "foo",
      { subject: "a", weight: 60, cluster: "east" },
      { subject: "b", weight: 60, cluster: "east" },
    ),
    property: 'mappings["foo"]',
    reason: /120, more than 100 in cluster "east"/,
  },
);

const overlaps: Row[] = [
  {
    family: "duplicate export",
    kind: "account",
    vary: {
      exports: [
        { subject: "a.>", type: "stream" },
        { subject: "a.b", type: "stream" },
      ],
    },
    property: "exports[1].subject",
    reason: /lies inside exports\[0\] \(stream "a\.>"\)/,
  },
  {
    family: "duplicate export",
    kind: "account",
    vary: {
      exports: [
        { subject: "svc.*", type: "service" },
        { subject: "svc.*", type: "service" },
      ],
    },
    property: "exports[1].subject",
    reason: /repeats exports\[0\]/,
  },
  {
    family: "duplicate export",
    kind: "account",
    vary: {
      exports: [
        { subject: "a.b.c", type: "service" },
        { subject: "a.*.c", type: "service" },
      ],
    },
    property: "exports[0].subject",
    reason: /lies inside exports\[1\]/,
  },
  {
    family: "duplicate import",
    kind: "account",
    vary: {
      imports: [
        { subject: "svc.>", account: otherAcct, type: "service" },
        { subject: "svc.a", account: otherAcct, type: "service" },
      ],
    },
    property: "imports[1].subject",
    reason: /overlaps imports\[0\]/,
  },
  {
    family: "local subject",
    kind: "account",
    vary: { imports: [{ subject: "a.*", localSubject: "b", account: otherAcct, type: "stream" }] },
    property: "imports[0].localSubject",
    reason: /each of the 1 '\*'/,
  },
  {
    family: "local subject",
    kind: "account",
    vary: { imports: [{ subject: "a.>", localSubject: "b.c", account: otherAcct, type: "stream" }] },
    property: "imports[0].localSubject",
    reason: /both end in '>' or neither/,
  },
  {
    family: "local subject",
    kind: "account",
    vary: { imports: [{ subject: "a.*", localSubject: "b.$2", account: otherAcct, type: "service" }] },
    property: "imports[0].localSubject",
    reason: /\$2 refers to a '\*'/,
  },
];

const bareCidrs: Row[] = [
  {
    family: "CIDR",
    kind: "user",
    vary: { sourceNetworks: ["10.0.0.7"] },
    property: "sourceNetworks[0]",
    reason: /no prefix length.*"10\.0\.0\.7\/32"/,
  },
  {
    family: "CIDR",
    kind: "signingKey",
    vary: { scope: { role: "r", template: { sourceNetworks: ["10.0.0.0/8", "fe80::1"] } } },
    property: "scope.template.sourceNetworks[1]",
    reason: /no prefix length.*fe80::1\/128/,
  },
  {
    family: "CIDR",
    kind: "user",
    vary: { sourceNetworks: ["fe80::1::2/64"] },
    property: "sourceNetworks[0]",
    reason: /neither IPv4 nor IPv6/,
  },
  {
    family: "CIDR",
    kind: "user",
    vary: { sourceNetworks: ["010.0.0.0/8"] },
    property: "sourceNetworks[0]",
    reason: /neither IPv4 nor IPv6/,
  },
  {
    family: "CIDR",
    kind: "user",
    vary: { sourceNetworks: [":::/0"] },
    property: "sourceNetworks[0]",
    reason: /neither IPv4 nor IPv6/,
  },
];

/** EXP, an account of the same program: its exports (and a service import back from APP). */
const peer = (more: Record<string, unknown> = {}) => ({
  publicKey: exporterKey,
  name: "EXP",
  exports: [
    { subject: "svc.>", type: "service" },
    { subject: "feed.>", type: "stream" },
    { subject: "priv.>", type: "service", tokenRequired: true },
  ],
  ...more,
});
const fromPeer = (imp: Record<string, unknown>, more: Record<string, unknown> = {}) => ({
  peers: [peer(more)],
  imports: [{ account: exporterKey, ...imp }],
});
const peerImports: Row[] = [
  {
    family: "import from the program",
    kind: "account",
    vary: fromPeer({ subject: "other.x", type: "service" }),
    property: "imports[0].subject",
    reason: /EXP \(A[A-Z0-9]+\) exports no service containing "other\.x" \(it exports service "svc\.>"/,
  },
  {
    family: "import from the program",
    kind: "account",
    vary: fromPeer({ subject: "feed.a", type: "service" }),
    property: "imports[0].type",
    reason: /exports "feed\.>" as a stream, not a service: set type "stream"/,
  },
  {
    family: "import from the program",
    kind: "account",
    vary: fromPeer({ subject: "priv.a", type: "service" }),
    property: "imports[0].token",
    reason: /privately \(tokenRequired\): importing it needs an activation token/,
  },
  {
    family: "import from the program",
    kind: "account",
    vary: fromPeer(
      { subject: "svc.a", type: "service" },
      { imports: [{ subject: "svc.>", account: acct.getPublicKey(), type: "service" }] },
    ),
    property: "imports[0].subject",
    reason: /leads back to this account \(EXP imports "svc\.>" from this account\)/,
  },
];

const PUBLISHED = /JWTs are public.*remove it/;
const urlSecrets: Row[] = [
  {
    family: "URL credentials",
    kind: "operator",
    vary: { serviceUrls: ["nats://admin:s3cret@h:4222"] },
    property: "serviceUrls[0]",
    reason: PUBLISHED,
  },
  {
    family: "URL credentials",
    kind: "operator",
    vary: { serviceUrls: ["tls://tok@h:4222"] },
    property: "serviceUrls[0]",
    reason: PUBLISHED,
  },
  {
    family: "URL credentials",
    kind: "operator",
    vary: { accountServerUrl: "https://u:p@h/jwt/v1" },
    property: "accountServerUrl",
    reason: PUBLISHED,
  },
  {
    family: "URL credentials",
    kind: "account",
    vary: { infoUrl: "https://wiki/app?token=abc" },
    property: "infoUrl",
    reason: PUBLISHED,
  },
  {
    family: "URL credentials",
    kind: "account",
    vary: { exports: [{ subject: "x", type: "stream", infoUrl: "https://bob:pw@docs/x" }] },
    property: "exports[0].infoUrl",
    reason: PUBLISHED,
  },
];

const ROWS: Row[] = [
  ...subjects,
  ...publicKeys,
  ...seeds,
  ...limits,
  ...durations,
  ...dates,
  ...windows,
  ...cidrs,
  ...connectionTypes,
  ...signingKeys,
  ...scopes,
  ...exportsImports,
  ...activations,
  ...authorizations,
  ...jwtRules,
  ...mappings,
  ...revocations,
  ...urls,
  ...resolverTls,
  ...serverBlocks,
  ...leafOptions,
  ...names,
  ...emptyAllows,
  ...numbers,
  ...calendar,
  ...destinations,
  ...overlaps,
  ...bareCidrs,
  ...urlSecrets,
  ...peerImports,
];

async function check(kind: Kind, inputs: Record<string, unknown>): Promise<Failure[]> {
  const h = handlers[kind] as unknown as Handler<object, object>;
  return (await h.check({}, inputs)).failures;
}

function assertNoSecrets(failures: Failure[]): void {
  for (const f of failures) {
    assert.doesNotMatch(`${f.property} ${f.reason}`, SEED, "a failure carries a seed");
    assert.ok(!SECRET_PROPERTIES.includes(f.property), `a failure names the secret input ${f.property}`);
  }
}

describe("bad input", () => {
  it("bad input - every baseline passes check", async () => {
    for (const kind of Object.keys(handlers) as Kind[]) {
      const failures = await check(kind, baseline[kind]);
      assert.deepEqual(failures, [], `${kind}: ${JSON.stringify(failures)}`);
    }
  });

  it("bad input - valid tokens, callouts, curve keys, tracing and tiers pass", async () => {
    const good: [Kind, Record<string, unknown>][] = [
      ["account", importing(token({}, {}))],
      ["account", importing(token({ iss: acctSk.getPublicKey() }, { issuer_account: exporterKey }))],
      ["account", callout({ allowedAccounts: ["*"] })],
      ["account", { authorization: { authUsers: [] } }],
      ["account", callout({ allowedAccounts: [otherAcct], xkey: createKeyPair("curve").getPublicKey() })],
      ["keyPair", { kind: "curve", seed: createKeyPair("curve").seed() }],
      [
        "account",
        { trace: { dest: "traces" }, exports: [{ subject: "s.x", type: "service", allowTrace: true }] },
      ],
      ["account", { imports: [{ subject: "f.>", account: otherAcct, type: "stream", allowTrace: true }] }],
      ["account", { jetstreamTiers: { R1: { diskStorage: 1 }, R3: { diskStorage: 1 } } }],
      ["activationToken", { subject: "billing.>" }],
      ["activationToken", { subject: "feed.x", type: "stream" }],
      ["user", { pub: { deny: [">"] }, sub: { deny: [">"] } }],
      [
        "user",
        { sourceNetworks: ["10.0.0.7/32", "::ffff:10.0.0.0/104", "fe80::/10", "::/0", "2001:db8::1/128"] },
      ],
      ["user", { expires: "2028-02-29T23:59:59Z" }],
      ["user", { expires: "2099-12-31" }],
      ["account", { revocations: { [userKey]: "2028-02-29" } }],
      [
        "account",
        {
          exports: [
            { subject: "a.>", type: "stream" },
            { subject: "a.>", type: "service" },
            { subject: "b.c", type: "stream" },
          ],
        },
      ],
      [
        "account",
        {
          imports: [
            { subject: "svc.a", account: otherAcct, type: "service" },
            { subject: "svc.b", account: otherAcct, type: "service" },
            { subject: "svc.a", account: exporterKey, type: "service" },
            { subject: "feed.*", localSubject: "in.$1", account: otherAcct, type: "stream" },
            { subject: "feed.*.>", localSubject: "f.*.>", account: exporterKey, type: "stream" },
          ],
        },
      ],
      [
        "account",
        {
          mappings: {
            "foo.*.*": [{ subject: "bar.{{wildcard(2)}}.{{Wildcard(1)}}" }],
            "p.*": [{ subject: "p.{{partition(3,1)}}.$1" }],
            "q.*": [
              { subject: "q.{{split(1,-)}}", weight: 40 },
              { subject: "q2.$1", weight: 60 },
            ],
            r: [{ subject: "r.{{random(3)}}" }, { subject: "rr.{{partition(2)}}", cluster: "east" }],
            "s.*.>": [{ subject: "s.{{SplitFromLeft(1,2)}}.>" }],
            "t.>": [
              { subject: "u.>", weight: 100 },
              { subject: "v.>", weight: 100, cluster: "east" },
            ],
          },
        },
      ],
      ["account", { infoUrl: "https://wiki.example.com/app?page=2" }],
      ["operator", { serviceUrls: ["tls://h:4222"], accountServerUrl: "https://h/jwt/v1" }],
      ["account", fromPeer({ subject: "svc.a", type: "service" })],
      ["account", fromPeer({ subject: "feed.a.b", type: "stream" })],
      // A cycle needs the service to come back: EXP's own import goes elsewhere.
      [
        "account",
        fromPeer(
          { subject: "svc.a", type: "service" },
          { imports: [{ subject: "svc.>", account: otherAcct, type: "service" }] },
        ),
      ],
      // An exporter of another stack is not judged here.
      ["account", { imports: [{ subject: "anything", account: otherAcct, type: "service" }] }],
    ];
    for (const [kind, vary] of good) {
      const failures = await check(kind, { ...baseline[kind], ...vary });
      assert.deepEqual(failures, [], `${kind} ${JSON.stringify(vary)}: ${JSON.stringify(failures)}`);
    }
  });

  it(`bad input - the table has at least 80 rows over every kind (${ROWS.length})`, () => {
    assert.ok(ROWS.length >= 80);
    assert.deepEqual(new Set(ROWS.map((r) => r.kind)), new Set(Object.keys(handlers)));
  });

  for (const row of ROWS) {
    it(`bad input - ${row.kind} ${row.family}: ${row.property} ${row.reason.source}`, async () => {
      const failures = await check(row.kind, { ...baseline[row.kind], ...row.vary });
      const text = JSON.stringify(failures);
      const hit = failures.find((f) => f.property === row.property);
      assert.ok(hit, `no failure names ${row.property}: ${text}`);
      assert.match(hit.reason, row.reason, text);
      assertNoSecrets(failures);
    });
  }

  it("bad input - values unknown at preview are skipped, never judged", async () => {
    const pending: [Kind, Record<string, unknown>][] = [
      ["user", { expires: UNKNOWN, notBefore: LATER }],
      ["user", { expires: FUTURE, notBefore: UNKNOWN }],
      ["user", { expires: UNKNOWN }],
      ["account", { expires: UNKNOWN, notBefore: LATER }],
      ["operator", { expires: FUTURE, notBefore: UNKNOWN }],
      ["account", { signingKeys: [sk, UNKNOWN] }],
      ["account", { signingKeys: UNKNOWN }],
      ["operator", { signingKeys: [opSk.getPublicKey(), UNKNOWN] }],
      ["account", resolver({ expectedServers: UNKNOWN })],
      ["account", resolver({ servers: [UNKNOWN] })],
      ["account", resolver({ creds: UNKNOWN })],
      ["serverConfig", { cluster: { name: "c", port: 6222, routes: [UNKNOWN] } }],
      ["serverConfig", { cluster: { name: "c", port: 6222, routes: UNKNOWN } }],
      ["serverConfig", { leafnodes: { remotes: [{ urls: [UNKNOWN] }] } }],
      ["leafRemote", { urls: UNKNOWN }],
      ["leafRemote", { credentials: UNKNOWN, credentialsPath: UNKNOWN }],
    ];
    for (const [kind, vary] of pending) {
      const failures = await check(kind, { ...baseline[kind], ...vary });
      assert.deepEqual(failures, [], `${kind} ${JSON.stringify(vary)}: ${JSON.stringify(failures)}`);
    }
  });

  it("bad input - a known bad field is still judged next to an unknown one", async () => {
    const failures = await check("serverConfig", {
      ...baseline.serverConfig,
      cluster: { name: "c", port: 6222, routes: [UNKNOWN, "http://10.0.0.3:6222"] },
    });
    assert.deepEqual(
      failures.map((f) => f.property),
      ["cluster.routes[1]"],
    );
  });
});
