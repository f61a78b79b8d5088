/**
 * The pure half of `import-nsc`: claims read back from JWTs into inputs that re-build the same
 * claims, what cannot be expressed is reported, and the generated program is valid JavaScript.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Script } from "node:vm";
import type { AccountClaims, UserClaims } from "../../core/claimInputs";
import { accountClaims, operatorClaims, userClaims, type WireClaims } from "../../core/claims";
import { accountInputs, rebuild, unexpressed, userInputs } from "../../core/claimsFromJwt";
import { decodeJwt, sign } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import { type NscStoreContents, nscProgram, type StoredIdentity } from "../../core/nscProgram";
import { NSC_SYSTEM_ACCOUNT_EXPORTS } from "../../core/systemAccount";

const op = createKeyPair("operator");
const opSk = createKeyPair("operator");
const sys = createKeyPair("account");
const app = createKeyPair("account");
const appSk = createKeyPair("account");
const sysSk = createKeyPair("account");
const sysUser = createKeyPair("user");
const user = createKeyPair("user");

const RICH_ACCOUNT: AccountClaims = {
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
    maxMemStream: -1,
    maxDiskStream: 100,
    maxBytesRequired: true,
    maxAckPending: 50,
  },
  jetstreamTiers: { R1: { memStorage: 1, diskStorage: 2, streams: 1, consumer: 1 }, R3: { diskStorage: 9 } },
  signingKeys: [
    appSk.getPublicKey(),
    {
      key: createKeyPair("account").getPublicKey(),
      role: "r",
      template: { sub: { allow: ["a.>"] }, resp: { maxMsgs: 1, ttl: "1s" }, subs: 5 },
      description: "d",
    },
  ],
  exports: [
    {
      name: "svc",
      subject: "svc.*",
      type: "service",
      tokenRequired: true,
      responseType: "Chunked",
      responseThreshold: "2s",
      latency: { sampling: 50, results: "lat.svc" },
      accountTokenPosition: 2,
      advertise: true,
      revocations: { [createKeyPair("account").getPublicKey()]: 1700000000 },
      description: "a service",
      infoUrl: "https://example.com",
    },
  ],
  imports: [
    {
      name: "in",
      subject: "x.>",
      account: sys.getPublicKey(),
      type: "stream",
      localSubject: "y.>",
      share: true,
      allowTrace: true,
    },
  ],
  mappings: {
    "a.b": [
      { subject: "a.c", weight: 40 },
      { subject: "a.d", weight: 60, cluster: "east" },
    ],
  },
  defaultPermissions: { pub: { deny: ["secret.>"] } },
  revocations: { [user.getPublicKey()]: 1700000000, "*": 1600000000 },
  tags: ["team:a"],
  description: "the app",
  infoUrl: "https://example.com/app",
  expires: 4102444800,
  notBefore: 1700000000,
};

const RICH_USER: UserClaims = {
  pub: { allow: ["a"], deny: ["b"] },
  sub: { allow: ["c"] },
  resp: { maxMsgs: 2, ttl: 1_000_000 },
  subs: 5,
  data: 6,
  payload: 7,
  sourceNetworks: ["10.0.0.0/8"],
  times: [{ start: "08:00:00", end: "17:00:00" }],
  timeZone: "Europe/Berlin",
  bearerToken: true,
  allowedConnectionTypes: ["STANDARD", "WEBSOCKET"],
  tags: ["t"],
  expires: 4102444800,
};

async function identity(
  claims: WireClaims,
  signer: ReturnType<typeof createKeyPair>,
): Promise<StoredIdentity> {
  const jwt = await sign(claims, signer);
  return { jwt, claims: decodeJwt(jwt) };
}

describe("nsc import - claims read back from JWTs", () => {
  it("nsc import - every account claim round-trips through the inputs", async () => {
    const c = (
      await identity(accountClaims("APP", app.getPublicKey(), opSk.getPublicKey(), RICH_ACCOUNT), opSk)
    ).claims;
    assert.deepEqual(unexpressed(c, rebuild.account(c)), []);
    assert.equal(accountInputs(c).limits?.conn, 10);
  });

  it("nsc import - every user claim round-trips through the inputs", async () => {
    const c = (
      await identity(
        userClaims("u", user.getPublicKey(), appSk.getPublicKey(), RICH_USER, {
          issuerAccount: app.getPublicKey(),
        }),
        appSk,
      )
    ).claims;
    assert.deepEqual(unexpressed(c, rebuild.user(c, false)), []);
    assert.deepEqual(userInputs(c).allowedConnectionTypes, ["STANDARD", "WEBSOCKET"]);
  });

  it("nsc import - a claim with no input is reported by its path", async () => {
    const wire = accountClaims("APP", app.getPublicKey(), op.getPublicKey(), {});
    // A claim a later jwt library may add (cluster_traffic, once the example here, now has an input).
    wire.nats.future_claim = "owner";
    wire.nats.authorization = { auth_users: [user.getPublicKey()], allowed_accounts: ["*"] };
    const c = (await identity(wire, op)).claims;
    assert.deepEqual(unexpressed(c, rebuild.account(c)), ["nats.future_claim"], "authorization round-trips");
    const empty = accountClaims("APP", app.getPublicKey(), op.getPublicKey(), {});
    empty.nats.authorization = {};
    const e = (await identity(empty, op)).claims;
    assert.deepEqual(unexpressed(e, rebuild.account(e)), [], "nsc's empty authorization is no callout");
  });
});

describe("nsc import - the generated program", () => {
  async function store(sysExtra: AccountClaims): Promise<NscStoreContents> {
    const operator = await identity(
      operatorClaims("OP", op.getPublicKey(), {
        signingKeys: [opSk.getPublicKey()],
        strictSigningKeyUsage: true,
        systemAccount: sys.getPublicKey(),
      }),
      op,
    );
    const sysAccount = await identity(
      accountClaims("SYS", sys.getPublicKey(), opSk.getPublicKey(), {
        exports: [...NSC_SYSTEM_ACCOUNT_EXPORTS],
        signingKeys: [sysSk.getPublicKey()],
        ...sysExtra,
      }),
      opSk,
    );
    const appAccount = await identity(
      accountClaims("APP", app.getPublicKey(), opSk.getPublicKey(), {
        ...RICH_ACCOUNT,
        signingKeys: [appSk.getPublicKey()],
      }),
      opSk,
    );
    return {
      operator,
      accounts: [
        {
          ...appAccount,
          users: [
            await identity(
              userClaims("u", user.getPublicKey(), appSk.getPublicKey(), RICH_USER, {
                issuerAccount: app.getPublicKey(),
              }),
              appSk,
            ),
          ],
        },
        {
          ...sysAccount,
          users: [
            await identity(
              userClaims(
                "sys",
                sysUser.getPublicKey(),
                sysSk.getPublicKey(),
                {},
                { issuerAccount: sys.getPublicKey() },
              ),
              sysSk,
            ),
          ],
        },
      ],
    };
  }
  const opts = { hasSeed: () => true, packageSpec: "file:vendor/pulumi-nats-auth-0.1.0.tgz" };

  it("nsc import - a store nsc add operator --sys made becomes one adopting OperatorWithSystemAccount", async () => {
    const out = nscProgram(await store({}), opts);
    new Script(out.program);
    assert.deepEqual(out.notes, []);
    assert.match(out.program, /new OperatorWithSystemAccount\("OP"/);
    assert.match(out.program, /systemAccountExports: "nsc"/);
    assert.ok(out.program.indexOf("const resolver") < out.program.indexOf('new Account("APP"'));
    assert.equal(
      out.seeds.length,
      8,
      "operator, its signing key, SYS, its signing key, sys, APP, its signing key, u",
    );
  });

  it("nsc import - a SYS the component cannot say is declared as plain resources, with the resolver", async () => {
    const out = nscProgram(await store({ limits: { conn: 5 } }), opts);
    new Script(out.program);
    assert.doesNotMatch(out.program, /new OperatorWithSystemAccount/);
    assert.match(out.program, /new Operator\("OP"/);
    assert.match(out.program, /const user_SYS_sys = new User\("SYS-sys"/);
    assert.match(out.program, /creds: user_SYS_sys\.creds/);
    assert.deepEqual(out.notes, []);
  });

  it("nsc import - a user signed by its account key under strict signing keys is listed, not declared", async () => {
    const s = await store({});
    const signedByAccount = await identity(
      userClaims("old", createKeyPair("user").getPublicKey(), app.getPublicKey(), {}, {}),
      app,
    );
    s.accounts[0].users.push(signedByAccount);
    const out = nscProgram(s, opts);
    assert.doesNotMatch(out.program, /name: "old"/);
    assert.match(out.notes.join("\n"), /user "old" of account "APP": signed by the account's identity key/);
  });

  it("nsc import - a revoked user is listed, not declared; its revocation stays in the account", async () => {
    const s = await store({});
    const revoked = s.accounts[0].users[0];
    const appWithRevocation = await identity(
      accountClaims("APP", app.getPublicKey(), opSk.getPublicKey(), {
        ...RICH_ACCOUNT,
        signingKeys: [appSk.getPublicKey()],
        revocations: { [revoked.claims.sub]: Math.floor(Date.now() / 1000) + 60 },
      }),
      opSk,
    );
    s.accounts[0] = { ...appWithRevocation, users: [revoked] };
    const out = nscProgram(s, opts);
    assert.doesNotMatch(out.program, /new User\("APP-u"/);
    assert.match(out.program, new RegExp(`${revoked.claims.sub}: \\d+`));
    assert.match(out.notes.join("\n"), /user "u" of account "APP": revoked in the account/);
  });

  it("nsc import - identities without seeds are listed, not dropped silently", async () => {
    const out = nscProgram(await store({}), { ...opts, hasSeed: (k) => k !== app.getPublicKey() });
    new Script(out.program);
    assert.doesNotMatch(out.program, /new Account\("APP"/);
    assert.equal(out.notes.length, 1);
    assert.match(out.notes[0], /account "APP" .*no seed in the keys dir; not imported, nor are its users/);
  });
});
