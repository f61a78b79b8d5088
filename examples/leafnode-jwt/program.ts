/**
 * NATS-by-Example "Leafnode with JWT Auth": operator `local` with a generated signing key and strict
 * signing keys, the SYS account and `sys` user, account APP with a signing key and user `user`; a
 * main server with the NATS resolver and a leaf-node port; a leaf server whose remote binds APP
 * through `user`'s creds. Clients of the leaf server need no credentials.
 *
 * Stack config (all optional): mainPort (4222), leafPort (4223), leafnodePort (7422), host
 * (127.0.0.1), outputDir (./out, in the folder `pulumi` runs the program from: creds, configs and the
 * resolver's jwt dir), push (false for the first `up` that writes the configs; true pushes APP to the
 * main server, which must be running).
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  Account,
  LeafRemote,
  OperatorWithSystemAccount,
  ServerConfig,
  SigningKey,
  User,
} from "pulumi-nats-auth";

export function leafnodeJwt() {
  const config = new pulumi.Config();
  const host = config.get("host") ?? "127.0.0.1";
  const mainPort = config.getNumber("mainPort") ?? 4222;
  const leafPort = config.getNumber("leafPort") ?? 4223;
  const leafnodePort = config.getNumber("leafnodePort") ?? 7422;
  const outputDir = path.resolve(config.get("outputDir") ?? "out");
  const push = config.getBoolean("push") ?? false;

  const local = new OperatorWithSystemAccount("local", {
    generateSigningKey: true,
    strictSigningKeyUsage: true,
  });

  // The main server's config comes first: APP depends on it, so destroy deletes APP from the server
  // before it removes the config the server runs from.
  const main = new ServerConfig("main", {
    path: path.join(outputDir, "main.conf"),
    serverName: "main",
    host,
    port: mainPort,
    operator: local.operator.jwt,
    systemAccount: local.systemAccount.publicKey,
    resolver: {
      type: "full",
      dir: path.join(outputDir, "jwt"),
      allowDelete: true,
      interval: "2m",
      timeout: "1.9s",
    },
    preload: [local.systemAccount],
    leafnodes: { host, port: leafnodePort },
  });

  const appSigningKey = new SigningKey("APP-sk", { owner: "account" });
  const app = new Account(
    "APP",
    {
      operator: local.operator,
      signer: local.signingKey,
      signingKeys: [appSigningKey],
      resolver: push
        ? { servers: [`nats://${host}:${mainPort}`], creds: local.systemUser.creds, onDelete: "delete" }
        : undefined,
    },
    { dependsOn: [main] },
  );
  const user = new User("user", { account: app, signer: appSigningKey });

  const remote = new LeafRemote("leaf-remote", {
    urls: [`nats-leaf://${host}:${leafnodePort}`],
    credentials: user.creds,
    credentialsPath: path.join(outputDir, "user.creds"),
  });
  const leaf = new ServerConfig("leaf", {
    path: path.join(outputDir, "leaf.conf"),
    serverName: "leaf",
    host,
    port: leafPort,
    leafnodes: { remotes: [remote] },
  });

  return {
    operatorJwt: local.operator.jwt,
    systemAccountPublicKey: local.systemAccount.publicKey,
    appAccountPublicKey: app.publicKey,
    appPushedTo: app.pushedTo,
    mainServerConfig: main.text,
    leafServerConfig: leaf.text,
    mainServerConfigPath: main.path,
    leafServerConfigPath: leaf.path,
    userCreds: user.creds,
    sysCreds: local.systemUser.creds,
  };
}
