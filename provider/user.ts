/** Dynamic provider of `User`: a user JWT signed by its account or an account signing key, and its creds. */
import { formatCreds, userClaims } from "./claims";
import type { Handler } from "./dynamic";
import { checkSigner, type IdentitySpec, identityHandler, pick } from "./identity";
import { publicKeyOf } from "./keys";
import { loadSeed, type Props } from "./resource";
import type { SigningKeyRef, UserClaims } from "./types";
import { Checker, containsUnknown } from "./validate";

/** Fields a user signed by a scoped key may not set: the scope's template supplies them. */
const SCOPED_FIELDS = [
  "pub",
  "sub",
  "resp",
  "subs",
  "data",
  "payload",
  "sourceNetworks",
  "times",
  "timeZone",
  "bearerToken",
  "allowedConnectionTypes",
] as const;

export const USER_FIELDS = [...SCOPED_FIELDS, "tags", "expires", "notBefore"] as const;

function scopeOf(inputs: Props, signer: string): SigningKeyRef | undefined {
  const keys = (inputs.accountSigningKeys as SigningKeyRef[] | undefined) ?? [];
  return keys.find((k) => (typeof k === "string" ? k : k.key) === signer);
}

function isScoped(inputs: Props): boolean {
  if (inputs.signerScoped === true) return true;
  if (typeof inputs.signerSeed !== "string" || containsUnknown(inputs.accountSigningKeys)) return false;
  const scope = scopeOf(inputs, publicKeyOf(inputs.signerSeed));
  return scope !== undefined && typeof scope !== "string";
}

export const userSpec: IdentitySpec = {
  kind: "User",
  keyKind: "user",
  claims: (inputs, publicKey, signer) => {
    const account = String(inputs.accountPublicKey);
    return userClaims(String(inputs.name), publicKey, signer, pick<UserClaims>(inputs, USER_FIELDS), {
      issuerAccount: signer === account ? undefined : account,
      scoped: isScoped(inputs),
    });
  },
  signer: (inputs, resource) => loadSeed(resource, "signer seed", inputs.signerSeed, ["account"]),
};

function scopedFieldsUnset(c: Checker, news: Props): void {
  for (const f of SCOPED_FIELDS) {
    if (news[f] !== undefined) {
      c.fail(
        f,
        "a user signed by a scoped signing key carries no permissions or limits of its own: set them in the key's scope",
      );
    }
  }
}

function check(news: Props): Checker {
  const c = new Checker();
  if (typeof news.name !== "string" || !news.name) c.fail("name", "a user needs a name");
  c.seed("identity", news.seed, ["user"], "seed");
  c.publicKey("account", news.accountPublicKey, "account");
  c.userClaims(pick<UserClaims>(news, USER_FIELDS));
  const refs = (news.accountSigningKeys as SigningKeyRef[] | undefined) ?? [];
  checkSigner(c, {
    subject: "user",
    issuer: "account",
    signerSeed: news.signerSeed,
    issuerKey: news.accountPublicKey,
    issuerSigningKeys: containsUnknown(refs) ? refs : refs.map((k) => (typeof k === "string" ? k : k.key)),
    strict: news.accountStrict,
    byIdentity: news.signedByAccountKey,
  });
  const signerKnown =
    !containsUnknown([news.signerSeed, news.accountSigningKeys]) &&
    c.failures.every((f) => f.property !== "signer");
  if (news.signerScoped === true || (signerKnown && isScoped(news))) scopedFieldsUnset(c, news);
  return c;
}

export const handler: Handler = identityHandler(
  userSpec,
  (news) => check(news).failures,
  (s) => ({ creds: formatCreds(s.jwt, s.seed) }),
);
