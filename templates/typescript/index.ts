/**
 * An operator with a signing key and the system account (strict signing keys), an account APP with a
 * signing key, a user that may send and receive on app.>, and the config of a NATS server that trusts
 * the operator, on the native nats-auth provider (`pulumi-nats-auth/native`). Stack config: host
 * (127.0.0.1) and port (4222) of the server; servers (a JSON list of nats:// URLs APP is pushed to,
 * empty until the server runs).
 */
import * as pulumi from "@pulumi/pulumi";
import * as nats from "pulumi-nats-auth/native";

const config = new pulumi.Config();
const host = config.get("host") ?? "127.0.0.1";
const port = config.getNumber("port") ?? 4222;
const servers = config.getObject<string[]>("servers") ?? [];

// nsc add operator --generate-signing-key --sys: the operator, its signing key, the SYS account and
// its user, in one component.
const op = new nats.OperatorWithSystemAccount("operator", {
  name: pulumi.getProject(),
  generateSigningKey: true,
  strictSigningKeyUsage: true,
});

// nsc generate config --nats-resolver: the server trusts the operator and runs a full resolver;
// allowDelete lets `pulumi destroy` delete APP from it. Paths are relative to this folder.
const server = new nats.ServerConfig("server", {
  path: "out/server.conf",
  host,
  port,
  operator: op.operatorJwt,
  systemAccount: op.systemAccountPublicKey,
  resolver: { type: "full", dir: "out/jwt", allowDelete: true },
  preloadAccounts: [{ publicKey: op.systemAccountPublicKey, jwt: op.systemAccountJwt }],
});

// The app account, with a signing key for its users, pushed to `servers` (waiting up to 10 s for a
// server that is still starting).
const appKey = new nats.KeyPair("app-key", { kind: "account" });
const appSk = new nats.SigningKey("app-sk", { owner: "account" });
const app = new nats.Account(
  "APP",
  {
    name: "APP",
    seed: appKey.seed,
    signerSeed: op.signingKeySeed.apply((s) => s ?? ""),
    operatorPublicKey: op.operatorPublicKey,
    operatorSigningKeys: [op.signingKeyPublicKey.apply((k) => k ?? "")],
    operatorStrict: true,
    signingKeys: [appSk.ref],
    limits: { conn: 100 },
    resolver: { servers, creds: op.systemUserCreds, waitMs: 10_000 },
  },
  { dependsOn: [server] },
);

// A user that may send and receive on app.> (and get replies), its creds in out/app-user.creds (0600).
const user = new nats.User("app-user", {
  name: "app-user",
  signerSeed: appSk.seed,
  accountPublicKey: appKey.publicKey,
  accountSigningKeys: [appSk.ref],
  operatorStrict: true,
  pub: { allow: ["app.>", "_INBOX.>"] },
  sub: { allow: ["app.>", "_INBOX.>"] },
});
const creds = new nats.CredsFile("app-user-creds", {
  path: "out/app-user.creds",
  creds: user.creds.apply((c) => c ?? ""),
});

export const serverConfigPath = server.path;
export const appPushedTo = app.pushedTo;
export const credsPath = creds.path;
