import * as pulumi from "@pulumi/pulumi";
import { Account, OperatorWithSystemAccount, SigningKey, User } from "pulumi-nats-auth";

// Servers whose NATS resolver gets the account JWTs; empty: sign only (before the servers run).
const servers = new pulumi.Config().getObject<string[]>("servers") ?? [];

// nsc add operator --generate-signing-key --sys: operator, signing key, SYS account, sys user.
const local = new OperatorWithSystemAccount("local", {
  generateSigningKey: true,
  strictSigningKeyUsage: true,
});

// An account with limits and a signing key for its users, pushed to the resolver.
const appKey = new SigningKey("app-sk", { owner: "account" });
const app = new Account("APP", {
  operator: local.operator,
  signer: local.signingKey,
  signingKeys: [appKey],
  limits: { conn: 100, payload: 1024 * 1024 },
  resolver: { servers, creds: local.systemUser.creds },
});

// A user that may publish on orders.> and receive replies.
const user = new User("orders", {
  account: app,
  signer: appKey,
  pub: { allow: ["orders.>"] },
  sub: { allow: ["_INBOX.>"] },
});

export const operatorJwt = local.operator.jwt;
export const systemAccount = local.systemAccount.publicKey;
export const systemAccountJwt = local.systemAccount.jwt;
export const appPushedTo = app.pushedTo;
export const userCreds = user.creds; // a secret; "Secrets" below writes it to a 0600 file
