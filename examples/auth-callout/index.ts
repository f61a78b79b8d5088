import * as pulumi from "@pulumi/pulumi";
import { Account, KeyPair, OperatorWithSystemAccount, SigningKey, User } from "pulumi-nats-auth";

// encrypt: the server seals each authorization request to the service's xkey.
const encrypt = new pulumi.Config().getBoolean("encrypt") ?? false;
const local = new OperatorWithSystemAccount("local", { generateSigningKey: true });
const issuer = { operator: local.operator, signer: local.signingKey };

// The account the callout places users in; the service signs their JWTs with this key.
const appKey = new SigningKey("APP-sk", { owner: "account" });
const app = new Account("APP", { ...issuer, signingKeys: [appKey] });

// The service's user key, and the curve key (X…) requests are encrypted to.
const serviceKey = new KeyPair("callout-service-key", { kind: "user" });
const xkey = encrypt ? new KeyPair("callout-xkey", { kind: "curve" }) : undefined;

// nsc edit authcallout: users of AUTH are authorized by the service, into APP only.
const authKey = new SigningKey("AUTH-sk", { owner: "account" });
const auth = new Account("AUTH", {
  ...issuer,
  signingKeys: [authKey],
  authorization: {
    authUsers: [serviceKey.publicKey],
    allowedAccounts: [app.publicKey],
    xkey: xkey?.publicKey,
  },
});
const service = new User("callout-service", { account: auth, key: serviceKey });
// What clients present (with their token) before the service places them: it may do nothing itself.
const sentinel = new User("sentinel", { account: auth, pub: { deny: [">"] }, sub: { deny: [">"] } });

export const operatorJwt = local.operator.jwt;
export const systemAccount = local.systemAccount.publicKey;
export const accountJwts = pulumi.all([
  [local.systemAccount.publicKey, local.systemAccount.jwt],
  [app.publicKey, app.jwt],
  [auth.publicKey, auth.jwt],
]);
// The service's secrets: its creds, the keys it signs with, and the xkey it decrypts with.
export const serviceCreds = service.creds;
export const responseSigningKey = authKey.seed;
export const userSigningKey = appKey.seed;
export const xkeySeed = xkey?.seed;
export const sentinelCreds = sentinel.creds;
