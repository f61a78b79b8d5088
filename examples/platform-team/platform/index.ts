/**
 * The platform stack: the operator and its signing keys, SYS, a least-privilege resolver-push user,
 * the server config, and the teams' accounts. A team gets only what signing its users needs: its
 * account's public key and signing keys, and one account signing key seed (a secret), through a
 * StackReference. Teams never hold an operator key, so no team can sign an account.
 *
 * Stack config (all optional): port (4222), outDir (./out), push (false for the first `up`,
 * before the server runs; true once it runs), ordersSigningKeys (["orders-sk-1"]): the ORDERS account's signing keys;
 * teams sign with the last one, so adding a key moves them at their next `up`.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Account, OperatorWithSystemAccount, ServerConfig, SigningKey } from "pulumi-nats-auth";

const config = new pulumi.Config();
const port = config.getNumber("port") ?? 4222;
// Pulumi runs this file from its folder: `out` is resolved against it, wherever `pulumi` was started.
const outDir = path.resolve(__dirname, config.get("outDir") ?? "out");
const push = config.getBoolean("push") ?? false;
const url = `nats://127.0.0.1:${port}`;

const op = new OperatorWithSystemAccount("platform", {
  generateSigningKey: true,
  strictSigningKeyUsage: true,
  resolverUser: true, // pushes with only the $SYS.REQ subjects a push needs
});

const keyNames = config.getObject<string[]>("ordersSigningKeys") ?? ["orders-sk-1"];
const ordersKeys = keyNames.map((n) => new SigningKey(n, { owner: "account" }));
const orders = new Account("ORDERS", {
  operator: op.operator,
  signer: op.signingKey,
  signingKeys: ordersKeys,
  limits: { conn: 1000, subs: 10000 },
  resolver: { servers: push ? [url] : [], creds: op.resolverUser!.creds, waitMs: 10_000 },
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

// What the orders team reads through its StackReference.
export const natsUrls = [url];
export const ordersAccount = orders.publicKey;
export const ordersSigningKeys = orders.signingKeys;
export const ordersSigningKeySeed = ordersKeys[ordersKeys.length - 1].seed; // a secret
export const ordersPushedTo = orders.pushedTo;
export const serverConfigPath = server.path;
// For the other trust pattern (teams sign their own accounts): what a team would push with.
export const resolverUserCreds = op.resolverUser!.creds; // a secret
