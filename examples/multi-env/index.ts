/**
 * One program, several environments: every difference between dev and prod lives in the stack's
 * config (Pulumi.dev.yaml, Pulumi.prod.yaml): the operator (generated, or adopted from a secret seed),
 * the account's limits, the server URL and the users with their permissions. Each user gets a creds
 * file (0600) and a `nats` CLI context named `<stack>-<user>`.
 *
 * Stack config: operatorName, port, limits ({conn, payload, subs}), users ({name: {pub, sub}}: the
 * subjects each may publish and subscribe to; an absent or empty list allows none);
 * optional: operatorSeed (secret: adopt an existing operator), host (127.0.0.1), outDir
 * (./out/<stack>), push (false for the first `up`, before the server runs; true once it runs).
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

interface UserSpec {
  pub?: string[];
  sub?: string[];
}

/**
 * The subjects a user may use in one direction. None listed means none allowed: NATS reads an empty
 * `allow` as no restriction at all (and the provider refuses one), so "nothing" is `deny: [">"]`.
 */
const only = (subjects: string[] | undefined) => (subjects?.length ? { allow: subjects } : { deny: [">"] });

const config = new pulumi.Config();
const stack = pulumi.getStack();
const host = config.get("host") ?? "127.0.0.1";
const port = config.requireNumber("port");
const url = `nats://${host}:${port}`;
const push = config.getBoolean("push") ?? false;
// Pulumi runs this file from its folder: `out` is resolved against it, wherever `pulumi` was started.
const outDir = path.resolve(__dirname, config.get("outDir") ?? path.join("out", stack));
// `pulumi config set --path limits.conn 50` stores a string: read every limit as a number.
const limits = Object.fromEntries(
  Object.entries(config.requireObject<Record<string, number | string>>("limits")).map(([k, v]) => [
    k,
    Number(v),
  ]),
);
const users = config.requireObject<Record<string, UserSpec>>("users");

const op = new OperatorWithSystemAccount("operator", {
  name: config.require("operatorName"),
  // Absent: a new operator is generated. Set: that operator is adopted (the seed stays a secret).
  seed: config.getSecret("operatorSeed"),
  generateSigningKey: true,
  strictSigningKeyUsage: true,
});

const appKey = new SigningKey("app-sk", { owner: "account" });
const app = new Account("APP", {
  operator: op.operator,
  signer: op.signingKey,
  signingKeys: [appKey],
  limits,
  resolver: { servers: push ? [url] : [], creds: op.systemUser.creds, waitMs: 10_000 },
});

const contexts = Object.entries(users).map(([name, spec]) => {
  const user = new User(name, {
    account: app,
    signer: appKey,
    pub: only(spec.pub),
    sub: only(spec.sub),
  });
  const creds = new CredsFile(`${name}-creds`, {
    creds: user.creds,
    path: path.join(outDir, `${name}.creds`),
  });
  return new NatsContext(`${stack}-${name}`, {
    servers: [url],
    credsPath: creds.path,
    description: `${stack}: APP user ${name}`,
  });
});

const server = new ServerConfig("server", {
  path: path.join(outDir, "server.conf"),
  serverName: stack,
  host,
  port,
  operator: op.operator.jwt,
  systemAccount: op.systemAccount.publicKey,
  resolver: { type: "full", dir: path.join(outDir, "jwt"), allowDelete: true },
  preload: [op.systemAccount],
});

export const operatorPublicKey = op.operator.publicKey;
export const appPushedTo = app.pushedTo;
export const serverConfigPath = server.path;
export const contextNames = contexts.map((c) => c.name);
