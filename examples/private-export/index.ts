import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  Account,
  ActivationToken,
  CredsFile,
  KeyPair,
  OperatorWithSystemAccount,
  ServerConfig,
  User,
} from "pulumi-nats-auth";

const config = new pulumi.Config();
// false for the first `up` (no server runs yet); `pulumi config set push true` once it does.
const push = config.getBoolean("push") ?? false;
const port = config.getNumber("port") ?? 4222;
// Files go next to this program (Pulumi runs it from this folder; `out` is relative to it).
const out = path.join(__dirname, "out");

const local = new OperatorWithSystemAccount("local", { generateSigningKey: true });
const issuer = { operator: local.operator, signer: local.signingKey };
const server = new ServerConfig("server", {
  path: path.join(out, "server.conf"),
  host: "127.0.0.1",
  port,
  operator: local.operator.jwt,
  systemAccount: local.systemAccount.publicKey,
  resolver: { type: "full", dir: path.join(out, "jwt"), allowDelete: true },
  preload: [local.systemAccount],
});
const resolver = {
  servers: push ? [`nats://127.0.0.1:${port}`] : [],
  creds: local.systemUser.creds,
  waitMs: 10_000,
};

// The importer's key up front: the token names it before the importing account's JWT exists.
const shopKey = new KeyPair("SHOP-key", { kind: "account" });

// BILLING exports a private service: importing it takes an activation token.
const billing = new Account(
  "BILLING",
  { ...issuer, resolver, exports: [{ subject: "billing.>", type: "service", tokenRequired: true }] },
  { dependsOn: [server] },
);

// Lets SHOP import billing.invoice (inside the export's wildcard). Removing it revokes it in BILLING.
const invoices = new ActivationToken("shop-invoices", {
  exporter: billing,
  importer: shopKey,
  subject: "billing.invoice",
  type: "service",
});

const shop = new Account(
  "SHOP",
  {
    ...issuer,
    key: shopKey,
    resolver,
    imports: [
      { subject: "billing.invoice", account: billing.publicKey, type: "service", token: invoices.token },
    ],
  },
  { dependsOn: [server] },
);

// BILLING's service answers on billing.>; SHOP's client sends requests. Creds files are mode 0600.
const service = new User("billing-service", { account: billing, sub: { allow: ["billing.>"] } });
const client = new User("shop-client", { account: shop });
const creds = [
  new CredsFile("service-creds", { creds: service.creds, path: path.join(out, "billing-service.creds") }),
  new CredsFile("client-creds", { creds: client.creds, path: path.join(out, "shop-client.creds") }),
];

export const pushedTo = pulumi.all([billing.pushedTo, shop.pushedTo]);
export const invoiceToken = invoices.token; // a secret: it grants the import
export const credsPaths = creds.map((c) => c.path);
