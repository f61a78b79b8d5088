/**
 * Signing keys named in stack config, so a rotation is a few `pulumi config set` + `pulumi up` steps
 * (README "Rotating keys"): add the new key, move what it signs, remove the old key.
 *
 * Stack config (all optional):
 * - operatorSigningKeys (["op-sk-1"]) and accountSigner (the first): operator signing keys, and the
 *   one that signs APP;
 * - accountSigningKeys (["app-sk-1"]) and userSigner (the first): APP's signing keys, and the one that
 *   signs its users;
 * - port (4222), outDir (./out: server config, jwt dir, creds files), push (false for the
 *   first `up`, before the server runs; true once it runs).
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
const push = config.getBoolean("push") ?? false;
const url = `nats://127.0.0.1:${port}`;

/** Signing keys by name, from a config list; `signer` must be one of them. */
function signingKeys(list: string, signer: string, owner: "operator" | "account") {
  const names = config.getObject<string[]>(list) ?? [`${owner === "operator" ? "op" : "app"}-sk-1`];
  const keys = new Map(names.map((n) => [n, new SigningKey(n, { owner })]));
  const chosen = config.get(signer) ?? names[0];
  const key = keys.get(chosen);
  if (!key) throw new Error(`${signer} "${chosen}" is not one of ${list}: ${names.join(", ")}`);
  return { all: [...keys.values()], signer: key };
}

const opKeys = signingKeys("operatorSigningKeys", "accountSigner", "operator");
const op = new OperatorWithSystemAccount("op", {
  generateSigningKey: true, // signs SYS
  strictSigningKeyUsage: true,
  signingKeys: opKeys.all,
});

const appKeys = signingKeys("accountSigningKeys", "userSigner", "account");
const app = new Account("APP", {
  operator: op.operator,
  signer: opKeys.signer,
  signingKeys: appKeys.all,
  resolver: { servers: push ? [url] : [], creds: op.systemUser.creds, waitMs: 10_000 },
});

const creds: Record<string, pulumi.Output<string>> = {};
for (const name of ["orders", "billing"]) {
  const user = new User(name, { account: app, signer: appKeys.signer });
  creds[name] = new CredsFile(`${name}-creds`, {
    creds: user.creds,
    path: path.join(outDir, `${name}.creds`),
  }).path;
}

const server = new ServerConfig("server", {
  path: path.join(outDir, "server.conf"),
  host: "127.0.0.1",
  port,
  operator: op.operator.jwt,
  systemAccount: op.systemAccount.publicKey,
  resolver: { type: "full", dir: path.join(outDir, "jwt"), allowDelete: true },
  preload: [op.systemAccount],
});

export const serverConfigPath = server.path;
export const restartRequired = server.restartRequired;
export const appPushedTo = app.pushedTo;
export const credsFiles = creds;
