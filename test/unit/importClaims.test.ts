/**
 * `pulumi import` rests on claims read back from a JWT into the inputs that sign the same claims.
 * Every claim field the contracts carry is covered, by construction: the fixtures are typed
 * `Complete<…>` (every optional field, at every depth, must be given), so a field added to the
 * contracts and not here fails to compile; a field the JWT carries that the inputs do not map back
 * fails `unexpressed`; a field the inputs carry that never reaches the JWT fails the path check.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccountClaims, OperatorClaims, UserClaims } from "../../core/claimInputs";
import { accountClaims, operatorClaims, userClaims, type WireClaims } from "../../core/claims";
import { accountInputs, operatorInputs, rebuild, unexpressed, userInputs } from "../../core/claimsFromJwt";
import { decodeJwt, sign } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";

/** `T` with every optional field required, at every depth (arrays and maps by their items). */
type Complete<T> = T extends readonly (infer I)[]
  ? Complete<I>[]
  : T extends object
    ? { [K in keyof T]-?: Complete<T[K]> }
    : T;

const op = createKeyPair("operator");
const opSk = createKeyPair("operator");
const acct = createKeyPair("account");
const acctSk = createKeyPair("account");
const other = createKeyPair("account");
const user = createKeyPair("user");
const xkey = "XAB3NANV3M6N7AHSQP2U5FRWKKUT7EG2ZXXABV4XVXYQRJGM4S2CZGHT";

const TEMPLATE: Complete<UserClaims> = {
  pub: { allow: ["a.>"], deny: ["a.secret"] },
  sub: { allow: ["b.>"], deny: ["b.secret"] },
  resp: { maxMsgs: 2, ttl: 1_000_000_000 },
  subs: 5,
  data: 6,
  payload: 7,
  sourceNetworks: ["10.0.0.0/8"],
  times: [{ start: "08:00:00", end: "17:00:00" }],
  timeZone: "Europe/Berlin",
  bearerToken: true,
  proxyRequired: true,
  allowedConnectionTypes: ["STANDARD", "WEBSOCKET"],
  tags: ["t:1"],
  expires: 4102444800,
  notBefore: 1700000000,
};

const { tags: _t, expires: _e, notBefore: _n, ...template } = TEMPLATE;

const ACCOUNT: Complete<AccountClaims> = {
  limits: {
    conn: 10,
    leaf: 2,
    data: 1000,
    payload: 512,
    subs: 20,
    imports: 3,
    exports: 4,
    wildcardExports: false,
    disallowBearer: true,
  },
  jetstream: {
    memStorage: 1024,
    diskStorage: 2048,
    streams: 3,
    consumer: 4,
    maxMemStream: 10,
    maxDiskStream: 100,
    maxBytesRequired: true,
    maxAckPending: 50,
  },
  jetstreamTiers: {
    R1: {
      memStorage: 1,
      diskStorage: 2,
      streams: 1,
      consumer: 1,
      maxMemStream: 1,
      maxDiskStream: 2,
      maxBytesRequired: true,
      maxAckPending: 3,
    },
  },
  // Scoped keys are in the ScopedSigningKey form: the fixture type asks every field of it.
  signingKeys: [{ key: acctSk.getPublicKey(), role: "r", template, description: "scoped" }],
  exports: [
    {
      name: "svc",
      subject: "svc.*",
      type: "service",
      tokenRequired: true,
      responseType: "Chunked",
      responseThreshold: 2_000_000_000,
      latency: { sampling: 50, results: "lat.svc" },
      accountTokenPosition: 2,
      advertise: true,
      allowTrace: true,
      revocations: { [other.getPublicKey()]: 1700000000 },
      description: "a service",
      infoUrl: "https://example.com",
    },
  ],
  imports: [
    {
      name: "in",
      subject: "x.>",
      account: other.getPublicKey(),
      type: "service",
      localSubject: "y.>",
      token: "activation.token.jwt",
      share: true,
      allowTrace: true,
    },
  ],
  mappings: { "a.b": [{ subject: "a.c", weight: 40, cluster: "east" }] },
  defaultPermissions: {
    pub: { allow: ["p.>"], deny: ["p.x"] },
    sub: { allow: ["s.>"], deny: ["s.x"] },
    resp: { maxMsgs: 1, ttl: 5 },
  },
  authorization: { authUsers: [user.getPublicKey()], allowedAccounts: ["*"], xkey },
  trace: { dest: "trace.dest", sampling: 25 },
  revocations: { [user.getPublicKey()]: 1700000000 },
  tags: ["team:a"],
  description: "the app",
  infoUrl: "https://example.com/app",
  clusterTraffic: "owner",
  expires: 4102444800,
  notBefore: 1700000000,
};

const OPERATOR: Complete<OperatorClaims> = {
  signingKeys: [opSk.getPublicKey()],
  strictSigningKeyUsage: true,
  systemAccount: other.getPublicKey(),
  serviceUrls: ["nats://127.0.0.1:4222"],
  accountServerUrl: "https://accounts.example.com",
  assertServerVersion: "2.10.0",
  tags: ["o"],
  expires: 4102444800,
  notBefore: 1700000000,
};

/** The leaf paths of a JSON value (array items by index). */
function leafPaths(v: unknown, at = ""): string[] {
  if (v && typeof v === "object") {
    return Object.entries(v).flatMap(([k, x]) => leafPaths(x, at ? `${at}.${k}` : k));
  }
  return [at];
}

async function signed(claims: WireClaims, signer: ReturnType<typeof createKeyPair>): Promise<WireClaims> {
  return decodeJwt(await sign(claims, signer));
}

/** Every leaf of `given` is among the inputs read back (values may change units: "1s" → ns). */
function everyFieldReadBack(given: object, back: object): void {
  const have = new Set(leafPaths(back));
  const lost = leafPaths(given).filter((p) => !have.has(p));
  assert.deepEqual(lost, [], "input fields that the JWT does not carry back");
}

describe("import claims - every claim field round-trips through the inputs", () => {
  it("import claims - an account: JWT → inputs → the same claims", async () => {
    const c = await signed(accountClaims("APP", acct.getPublicKey(), opSk.getPublicKey(), ACCOUNT), opSk);
    assert.deepEqual(unexpressed(c, rebuild.account(c)), []);
    everyFieldReadBack(ACCOUNT, accountInputs(c));
  });

  it("import claims - a user: JWT → inputs → the same claims", async () => {
    const c = await signed(
      userClaims("u", user.getPublicKey(), acctSk.getPublicKey(), TEMPLATE, {
        issuerAccount: acct.getPublicKey(),
      }),
      acctSk,
    );
    assert.deepEqual(unexpressed(c, rebuild.user(c, false)), []);
    everyFieldReadBack(TEMPLATE, userInputs(c));
  });

  it("import claims - an operator: JWT → inputs → the same claims", async () => {
    const c = await signed(operatorClaims("OP", op.getPublicKey(), OPERATOR), op);
    assert.deepEqual(unexpressed(c, rebuild.operator(c)), []);
    everyFieldReadBack(OPERATOR, operatorInputs(c));
  });

  it("import claims - a JWT field no input maps is named, at any depth, never dropped", async () => {
    const wire = accountClaims("APP", acct.getPublicKey(), op.getPublicKey(), ACCOUNT);
    (wire.nats as Record<string, unknown>).some_future_claim = "x";
    (wire.nats.limits as Record<string, unknown>).some_future_limit = 3;
    (wire.nats.exports as Record<string, unknown>[])[0].some_future_field = true;
    const c = await signed(wire, op);
    assert.deepEqual(unexpressed(c, rebuild.account(c)).sort(), [
      "nats.exports",
      "nats.limits.some_future_limit",
      "nats.some_future_claim",
    ]);
  });
});
