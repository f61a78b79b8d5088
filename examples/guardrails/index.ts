import * as pulumi from "@pulumi/pulumi";
import { Account, Operator, OperatorWithSystemAccount, SigningKey, User } from "pulumi-nats-auth";

const config = new pulumi.Config();
// Adds resources that break the mandatory guardrails, to see what the policy pack reports.
const insecure = config.getBoolean("insecure") ?? false;

// Users live 30 days (the day is fixed for a day, so previews of one day agree).
const in30Days = new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10);

const local = new OperatorWithSystemAccount("local", {
  generateSigningKey: true,
  strictSigningKeyUsage: true,
});
const appKey = new SigningKey("app-sk", { owner: "account" });
const app = new Account("APP", {
  operator: local.operator,
  signer: local.signingKey,
  signingKeys: [appKey],
  limits: { conn: 100, subs: 1000, data: 64 * 1024 * 1024, payload: 1024 * 1024, disallowBearer: true },
  jetstream: { memStorage: 64 * 1024 * 1024, diskStorage: 1024 * 1024 * 1024, streams: 10, consumer: 100 },
});
new User("orders", {
  account: app,
  signer: appKey,
  pub: { allow: ["orders.>"] },
  sub: { allow: ["_INBOX.>"] },
  expires: in30Days,
});

if (insecure) {
  // nats-operator-strict-signing-keys: no signing key, no strictSigningKeyUsage.
  const loose = new Operator("loose", {});
  new Account("LOOSE", {
    // nats-account-signed-by-signing-key: no signer, so the operator's identity key signs.
    operator: loose,
    limits: { conn: 10, subs: 100, data: 1024 * 1024, payload: 1024, disallowBearer: true },
    // nats-no-credentials-in-urls: a password in a resolver URL.
    resolver: { servers: ["tls://sys:s3cret@nats.example.com:4222"], creds: local.systemUser.creds },
  });
  // nats-no-full-wildcard-publish: publishes on every subject.
  new User("firehose", { account: app, signer: appKey, pub: { allow: [">"] }, expires: in30Days });
}
