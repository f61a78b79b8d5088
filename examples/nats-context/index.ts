/**
 * Client-ready outputs: after `pulumi up`, `nats --context orders-publisher pub orders.new hi` works.
 * Each user gets a creds file (mode 0600) and a `nats` CLI context naming the server and that file.
 *
 * Stack config (all optional): port (4222), outDir (./out: server config, jwt dir, creds files),
 * push (false: the first `up` writes the server config before the server runs; true once it runs).
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  Account,
  CredsFile,
  NatsContext,
  OperatorWithSystemAccount,
  ServerConfig,
  SigningKey,
  User,
} from "pulumi-nats-auth";

const config = new pulumi.Config();
const port = config.getNumber("port") ?? 4222;
// Pulumi runs this file from its folder: `out` is resolved against it, wherever `pulumi` was started.
const outDir = path.resolve(__dirname, config.get("outDir") ?? "out");
const push = config.getBoolean("push") ?? false;
const url = `nats://127.0.0.1:${port}`;

const op = new OperatorWithSystemAccount("demo", { generateSigningKey: true, strictSigningKeyUsage: true });

// The server's config comes first: the account depends on it, so destroy deletes the account from
// the server before it removes the config the server runs from.
const server = new ServerConfig("server", {
  path: path.join(outDir, "server.conf"),
  host: "127.0.0.1",
  port,
  operator: op.operator.jwt,
  systemAccount: op.systemAccount.publicKey,
  resolver: { type: "full", dir: path.join(outDir, "jwt"), allowDelete: true },
  preload: [op.systemAccount],
});

const ordersKey = new SigningKey("orders-sk", { owner: "account" });
const orders = new Account(
  "ORDERS",
  {
    operator: op.operator,
    signer: op.signingKey,
    signingKeys: [ordersKey],
    // waitMs: the push waits up to 10 s for a server that is still starting.
    resolver: { servers: push ? [url] : [], creds: op.systemUser.creds, waitMs: 10_000 },
  },
  { dependsOn: [server] },
);

// The publisher may only publish on orders.>; the reader may only subscribe to it.
const users = {
  "orders-publisher": new User("orders-publisher", {
    account: orders,
    signer: ordersKey,
    pub: { allow: ["orders.>"] },
    sub: { allow: ["_INBOX.>"] },
  }),
  "orders-reader": new User("orders-reader", {
    account: orders,
    signer: ordersKey,
    pub: { deny: [">"] },
    sub: { allow: ["orders.>"] },
  }),
};

// A creds file (0600) and a `nats` CLI context (in $XDG_CONFIG_HOME/nats/context or ~/.config/...)
// for each user.
const contexts = Object.entries(users).map(([name, user]) => {
  const file = new CredsFile(`${name}-creds`, {
    creds: user.creds,
    path: path.join(outDir, `${name}.creds`),
  });
  return new NatsContext(name, { servers: [url], credsPath: file.path, description: `ORDERS ${name}` });
});

export const serverConfigPath = server.path;
export const ordersPushedTo = orders.pushedTo;
export const contextFiles = contexts.map((c) => c.path);
