/**
 * A team stack: its users in the ORDERS account, signed with the account signing key the platform
 * stack hands out (a secret across the StackReference and in this stack's state), with a creds file
 * and a `nats` context each. A key the platform rotates reaches these users at this stack's next `up`.
 *
 * Stack config: platformStack (e.g. organization/platform/dev on a file backend); optional outDir
 * (./out).
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { CredsFile, NatsContext, type SigningKeyRef, User } from "pulumi-nats-auth";

const config = new pulumi.Config();
// Pulumi runs this file from its folder: `out` is resolved against it, wherever `pulumi` was started.
const outDir = path.resolve(__dirname, config.get("outDir") ?? "out");
const platform = new pulumi.StackReference(config.require("platformStack"));

const account = {
  publicKey: platform.requireOutput("ordersAccount") as pulumi.Output<string>,
  signingKeys: platform.requireOutput("ordersSigningKeys") as pulumi.Output<SigningKeyRef[]>,
  operatorStrict: true,
};
const signer = { seed: platform.requireOutput("ordersSigningKeySeed") as pulumi.Output<string> };
const servers = platform.requireOutput("natsUrls") as pulumi.Output<string[]>;

const users = {
  "orders-api": { pub: ["orders.>"], sub: ["_INBOX.>"] },
  "orders-worker": { pub: ["_INBOX.>"], sub: ["orders.>"] },
};
const contexts = Object.entries(users).map(([name, perms]) => {
  // The account is the platform's: removing a user here cannot revoke it there (ask the platform).
  const user = new User(name, {
    account,
    signer,
    pub: { allow: perms.pub },
    sub: { allow: perms.sub },
    revokeOnDelete: false,
  });
  const file = new CredsFile(`${name}-creds`, {
    creds: user.creds,
    path: path.join(outDir, `${name}.creds`),
  });
  return new NatsContext(name, { servers, credsPath: file.path, description: `orders team: ${name}` });
});

export const contextNames = contexts.map((c) => c.name);
export const credsPaths = contexts.map((c) => c.path);
