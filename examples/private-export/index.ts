import * as pulumi from "@pulumi/pulumi";
import { Account, ActivationToken, KeyPair, OperatorWithSystemAccount, User } from "pulumi-nats-auth";

const servers = new pulumi.Config().getObject<string[]>("servers") ?? [];
const local = new OperatorWithSystemAccount("local", { generateSigningKey: true });
const issuer = { operator: local.operator, signer: local.signingKey };
const resolver = { servers, creds: local.systemUser.creds };

// The importer's key up front: the token names it before the importing account's JWT exists.
const shopKey = new KeyPair("SHOP-key", { kind: "account" });

// BILLING exports a private service: importing it takes an activation token.
const billing = new Account("BILLING", {
  ...issuer,
  resolver,
  exports: [{ subject: "billing.>", type: "service", tokenRequired: true }],
});

// Lets SHOP import billing.invoice (inside the export's wildcard). Removing it revokes it in BILLING.
const invoices = new ActivationToken("shop-invoices", {
  exporter: billing,
  importer: shopKey,
  subject: "billing.invoice",
  type: "service",
});

const shop = new Account("SHOP", {
  ...issuer,
  key: shopKey,
  resolver,
  imports: [
    { subject: "billing.invoice", account: billing.publicKey, type: "service", token: invoices.token },
  ],
});

const service = new User("billing-service", { account: billing, sub: { allow: ["billing.>"] } });
const client = new User("shop-client", { account: shop });

export const operatorJwt = local.operator.jwt;
export const systemAccount = local.systemAccount.publicKey;
export const systemAccountJwt = local.systemAccount.jwt;
export const pushedTo = pulumi.all([billing.pushedTo, shop.pushedTo]);
export const invoiceToken = invoices.token; // a secret: it grants the import
export const serviceCreds = service.creds;
export const clientCreds = client.creds;
