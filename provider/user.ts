/** Dynamic provider of `User`: a user JWT signed by its account or an account signing key, and its creds. */
import { formatCreds, userClaims } from "./claims";
import type { Handler } from "./dynamic";
import { type IdentitySpec, identityDiff, pick, signIdentity } from "./identity";
import { publicKeyOf } from "./keys";
import { checked, loadSeed, type Props } from "./resource";
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
  c.seed("signer", news.signerSeed, ["account"], "signer seed");
  c.publicKey("account", news.accountPublicKey, "account");
  c.userClaims(pick<UserClaims>(news, USER_FIELDS));
  const known = !containsUnknown([
    news.signerSeed,
    news.accountPublicKey,
    news.accountSigningKeys,
    news.accountStrict,
  ]);
  if (news.signerScoped === true) scopedFieldsUnset(c, news);
  if (known && typeof news.signerSeed === "string" && c.failures.every((f) => f.property !== "signer")) {
    const signer = publicKeyOf(news.signerSeed);
    if (signer !== news.accountPublicKey && scopeOf(news, signer) === undefined) {
      c.fail("signer", "is neither the account's key nor one of the account's signing keys");
    }
    // The server applies strict signing key usage to users as well as accounts.
    if (news.accountStrict === true && signer === news.accountPublicKey && news.signedByAccountKey !== true) {
      c.fail(
        "signer",
        "the operator requires signing keys (strictSigningKeyUsage): sign the user with one of the account's signing keys",
      );
    }
    if (isScoped(news) && news.signerScoped !== true) scopedFieldsUnset(c, news);
  }
  if (news.accountStrict === true && news.signedByAccountKey === true) {
    c.fail(
      "signer",
      "the operator requires signing keys (strictSigningKeyUsage): sign the user with one of the account's signing keys",
    );
  }
  return c;
}

export const handler: Handler = {
  async check(_olds, news) {
    return checked(news, check(news).failures);
  },
  async diff(_id, olds, news) {
    const d = identityDiff(userSpec, olds, news);
    return { changes: d.changed, replaces: d.replaces };
  },
  async create(inputs) {
    const s = await signIdentity(userSpec, inputs);
    return { id: s.publicKey, outs: { ...inputs, ...s, creds: formatCreds(s.jwt, s.seed) } };
  },
  async update(_id, olds, news) {
    const s = await signIdentity(userSpec, news, olds);
    return { outs: { ...news, ...s, creds: formatCreds(s.jwt, s.seed) } };
  },
};
