import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  Account,
  CredsFile,
  KeyPair,
  OperatorWithSystemAccount,
  ServerConfig,
  SigningKey,
  User,
} from "pulumi-nats-auth";

const config = new pulumi.Config();
// false for the first `up` (no server runs yet); `pulumi config set push true` once it does.
const push = config.getBoolean("push") ?? false;
const port = config.getNumber("port") ?? 4222;
// encrypt: the server seals each authorization request to the service's xkey.
const encrypt = config.getBoolean("encrypt") ?? false;
// Files go next to this program (Pulumi runs it from this folder; `out` is relative to it).
const out = path.join(__dirname, "out");

const local = new OperatorWithSystemAccount("local", { generateSigningKey: true });
const issuer = { operator: local.operator, signer: local.signingKey };
const server = new ServerConfig("server", {
  path: path.join(out, "server.conf"),
  host: "127.0.0.1",
  port,
  operator: local.operator.jwt,
  systemAccount: local.systemAccount.publicKey,
  resolver: { type: "full", dir: path.join(out, "jwt"), allowDelete: true },
  preload: [local.systemAccount],
});
const resolver = {
  servers: push ? [`nats://127.0.0.1:${port}`] : [],
  creds: local.systemUser.creds,
  waitMs: 10_000,
};

// The account the callout places users in; the service signs their JWTs with this key.
const appKey = new SigningKey("APP-sk", { owner: "account" });
const app = new Account("APP", { ...issuer, signingKeys: [appKey], resolver }, { dependsOn: [server] });

// The service's user key, and the curve key (X…) requests are encrypted to.
const serviceKey = new KeyPair("callout-service-key", { kind: "user" });
const xkey = encrypt ? new KeyPair("callout-xkey", { kind: "curve" }) : undefined;

// nsc edit authcallout: users of AUTH are authorized by the service, into APP only.
const authKey = new SigningKey("AUTH-sk", { owner: "account" });
const auth = new Account(
  "AUTH",
  {
    ...issuer,
    signingKeys: [authKey],
    resolver,
    authorization: {
      authUsers: [serviceKey.publicKey],
      allowedAccounts: [app.publicKey],
      xkey: xkey?.publicKey,
    },
  },
  { dependsOn: [server] },
);
const service = new User("callout-service", { account: auth, key: serviceKey });
// What clients present (with their token) before the service places them: it may do nothing itself.
const sentinel = new User("sentinel", { account: auth, pub: { deny: [">"] }, sub: { deny: [">"] } });
const creds = [
  new CredsFile("service-creds", { creds: service.creds, path: path.join(out, "callout-service.creds") }),
  new CredsFile("sentinel-creds", { creds: sentinel.creds, path: path.join(out, "sentinel.creds") }),
];

export const appPushedTo = app.pushedTo;
export const appAccount = app.publicKey;
export const authAccount = auth.publicKey;
// The service's secrets: the keys it signs with, and the xkey it decrypts with.
export const responseSigningKey = authKey.seed;
export const userSigningKey = appKey.seed;
export const xkeySeed = xkey?.seed;
export const credsPaths = creds.map((c) => c.path);
