import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  Account,
  CredsFile,
  OperatorWithSystemAccount,
  ServerConfig,
  SigningKey,
  User,
} from "pulumi-nats-auth";

const config = new pulumi.Config();
// false for the first `up` (no server runs yet); `pulumi config set push true` once it does.
const push = config.getBoolean("push") ?? false;
const port = config.getNumber("port") ?? 4222;
// Files go next to this program (Pulumi runs it from this folder; `out` is relative to it).
const out = path.join(__dirname, "out");

// nsc add operator --generate-signing-key --sys: operator, signing key, SYS account, sys user.
const local = new OperatorWithSystemAccount("local", {
  generateSigningKey: true,
  strictSigningKeyUsage: true,
});

// nsc generate config --nats-resolver: the server trusts the operator and runs a full resolver.
// `host` is the interface it listens on (127.0.0.1: this machine only); `allowDelete` lets
// `pulumi destroy` delete the account from the resolver (otherwise it stays on the server).
const server = new ServerConfig("server", {
  path: path.join(out, "server.conf"),
  host: "127.0.0.1",
  port,
  operator: local.operator.jwt,
  systemAccount: local.systemAccount.publicKey,
  resolver: { type: "full", dir: path.join(out, "jwt"), allowDelete: true },
  preload: [local.systemAccount],
});

// An account with limits and a signing key for its users, pushed to the server's resolver.
const appKey = new SigningKey("app-sk", { owner: "account" });
const app = new Account(
  "APP",
  {
    operator: local.operator,
    signer: local.signingKey,
    signingKeys: [appKey],
    limits: { conn: 100, payload: 1024 * 1024 },
    // waitMs: the push waits up to 10 s for a server that is still starting.
    resolver: {
      servers: push ? [`nats://127.0.0.1:${port}`] : [],
      creds: local.systemUser.creds,
      waitMs: 10_000,
    },
  },
  { dependsOn: [server] }, // destroy deletes APP from the server before its config goes
);

// Two users that may send and receive on greet.> (and get replies on _INBOX.>), each with a creds
// file only its owner can read (mode 0600).
const creds = ["service", "client"].map((name) => {
  const user = new User(name, {
    account: app,
    signer: appKey,
    pub: { allow: ["greet.>", "_INBOX.>"] },
    sub: { allow: ["greet.>", "_INBOX.>"] },
  });
  return new CredsFile(`${name}-creds`, { creds: user.creds, path: path.join(out, `${name}.creds`) });
});

export const serverConfigPath = server.path;
export const appPushedTo = app.pushedTo;
export const credsPaths = creds.map((c) => c.path);
