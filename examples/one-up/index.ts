/**
 * One `pulumi up` from nothing: the operator, the server config, and an account pushed as soon as
 * the server it configures answers. Whatever starts nats-server from `server.conf` (a container or
 * VM resource in a real deployment, a process manager here) runs while the account waits: the push
 * retries for up to `resolver.waitMs`, then gives up naming each server and its last error.
 *
 * Stack config (all optional): port (4222), outDir (out, relative to this folder), waitMs (60000).
 */
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
const port = config.getNumber("port") ?? 4222;
// Pulumi runs this file from its folder: `out` is resolved against it, wherever `pulumi` was started.
const outDir = path.resolve(__dirname, config.get("outDir") ?? "out");
const url = `nats://127.0.0.1:${port}`;

const op = new OperatorWithSystemAccount("op", {
  generateSigningKey: true,
  strictSigningKeyUsage: true,
  resolverUser: true,
});

const server = new ServerConfig("server", {
  path: path.join(outDir, "server.conf"),
  host: "127.0.0.1",
  port,
  operator: op.operator.jwt,
  systemAccount: op.systemAccount.publicKey,
  resolver: { type: "full", dir: path.join(outDir, "jwt"), allowDelete: true },
  preload: [op.systemAccount],
});

const appKey = new SigningKey("app-sk", { owner: "account" });
const app = new Account(
  "APP",
  {
    operator: op.operator,
    signer: op.signingKey,
    signingKeys: [appKey],
    resolver: {
      servers: [url],
      creds: op.resolverUser!.creds,
      waitMs: config.getNumber("waitMs") ?? 60_000,
    },
  },
  // In a real deployment: dependsOn the resource that runs nats-server with `server.text`.
  { dependsOn: [server] },
);

const user = new User("app-user", { account: app, signer: appKey });
const creds = new CredsFile("app-user-creds", {
  creds: user.creds,
  path: path.join(outDir, "app-user.creds"),
});

export const appPushedTo = app.pushedTo;
export const serverConfigPath = server.path;
export const credsPath = creds.path;
