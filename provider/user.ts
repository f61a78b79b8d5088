/** Dynamic provider of `User`: a user JWT signed by its account or an account signing key (the SDK derives its creds). */

import {
  pickClaims,
  type SigningKeyRef,
  USER_CLAIM_FIELDS,
  USER_TEMPLATE_FIELDS,
  type UserClaims,
} from "../core/claimInputs";
import { userClaims } from "../core/claims";
import { NatsAuthError } from "../core/errors";
import { jsAckWarningLines } from "../core/jsAck";
import { decodeJwt } from "../core/jwt";
import { CONNECT_ALLOWANCE, DEFAULT_MAX_CONTROL_LINE, userJwtTooLarge } from "../core/limits";
import { publicKeyOf } from "../core/nkeys";
import {
  ALL_USERS,
  allUsersRevokedAt,
  type Issued,
  mergeIssued,
  revokedMemberMessage,
} from "../core/revocation";
import { toUnixSeconds } from "../core/units";
import type { Checker } from "../core/validation";
import { USER_SIGNING_FIELDS, type UserProps, type UserState } from "./contracts";
import type { Handler } from "./kit/handler";
import { quietExpectedFailures } from "./kit/hostErrors";
import {
  checkOwnKey,
  checkSigner,
  expiryAccepted,
  type IdentitySpec,
  identityHandler,
  passedExpiry,
} from "./kit/identity";
import { label, loadSeed, seedReplaced } from "./kit/resource";
import { containsUnknown, previewChecker } from "./kit/unknown";
import { packedInputs } from "./kit/wire";

function keyOf(ref: SigningKeyRef): string {
  return typeof ref === "string" ? ref : ref.key;
}

function scopeOf(inputs: UserProps, signer: string): SigningKeyRef | undefined {
  return (inputs.accountSigningKeys ?? []).find((k) => keyOf(k) === signer);
}

function isScoped(inputs: UserProps): boolean {
  if (inputs.signerScoped === true) return true;
  if (typeof inputs.signerSeed !== "string" || containsUnknown(inputs.accountSigningKeys)) return false;
  const scope = scopeOf(inputs, publicKeyOf(inputs.signerSeed));
  return scope !== undefined && typeof scope !== "string";
}

export const userSpec: IdentitySpec<UserProps> = {
  kind: "User",
  keyKind: "user",
  claims: (inputs, publicKey, signer) => {
    const account = String(inputs.accountPublicKey);
    return userClaims(
      String(inputs.name),
      publicKey,
      signer,
      pickClaims<UserClaims>(inputs, USER_CLAIM_FIELDS),
      { issuerAccount: signer === account ? undefined : account, scoped: isScoped(inputs) },
    );
  },
  signer: (inputs, resource) => loadSeed(resource, "signer seed", inputs.signerSeed, ["account"]),
  sizeProblem: (inputs, length) =>
    userJwtTooLarge(
      length,
      typeof inputs.maxControlLine === "number" ? inputs.maxControlLine : DEFAULT_MAX_CONTROL_LINE,
    ),
};

function scopedFieldsUnset(c: Checker, news: UserProps): void {
  for (const f of USER_TEMPLATE_FIELDS) {
    if (news[f] !== undefined) {
      c.fail(
        f,
        "a user signed by a scoped signing key carries no permissions or limits of its own: set them in the key's scope",
      );
    }
  }
}

function check(news: UserProps, olds: Partial<UserProps> = {}): Checker {
  const c = previewChecker();
  if (typeof news.name !== "string" || !news.name) c.fail("name", "a user needs a name");
  c.text("name", news.name);
  checkOwnKey(c, "user", news.seed, news.publicKey);
  c.publicKey("account", news.accountPublicKey, "account");
  // A user imported by its public key keeps its JWT without a signer seed (diff refuses a change).
  if ((news.signerSeed === undefined || news.signerSeed === null) && !olds.publicKey) {
    c.fail(
      "signer",
      "no signer seed: the account's seed is not held by this stack (declared by publicKey): pass one of its SigningKeys as signer",
    );
  }
  c.userClaims(pickClaims<UserClaims>(news, USER_CLAIM_FIELDS), {
    expiryAccepted: expiryAccepted(olds, news),
  });
  const refs = news.accountSigningKeys ?? [];
  checkSigner(c, {
    subject: "user",
    issuer: "account",
    signerSeed: news.signerSeed,
    issuerKey: news.accountPublicKey,
    issuerSigningKeys: containsUnknown(refs) ? refs : refs.map(keyOf),
    strict: news.operatorStrict,
    byIdentity: news.signedByIdentity,
  });
  const mcl = news.maxControlLine;
  if (c.known(mcl) && !(Number.isInteger(mcl) && Number(mcl) > CONNECT_ALLOWANCE)) {
    c.fail(
      "maxControlLine",
      `must be the servers' max_control_line in bytes, a whole number over ${CONNECT_ALLOWANCE}, got ${JSON.stringify(mcl)}`,
    );
  }
  const signerKnown = !containsUnknown([news.signerSeed, news.accountSigningKeys]) && c.passed("signer");
  if (news.signerScoped === true || (signerKnown && isScoped(news))) scopedFieldsUnset(c, news);
  return c;
}

/**
 * Why a key must not be signed: it is revoked in the account (a new JWT would re-admit it). `signed`:
 * the stack holds this User with that key already.
 */
function revokedReason(news: UserProps, publicKey: string, signed = false): string | undefined {
  const removed = news.accountRemovedUsers;
  if (removed && !containsUnknown(removed) && removed[publicKey] !== undefined) {
    return revokedMemberMessage(
      { name: typeof news.name === "string" ? news.name : undefined, publicKey },
      String(news.accountPublicKey),
      removed[publicKey],
      signed,
    );
  }
  const revocations = news.accountRevocations;
  if (!revocations || containsUnknown(revocations) || revocations[publicKey] === undefined) return undefined;
  return (
    `key ${publicKey} is revoked in account ${news.accountPublicKey} (revocations["${publicKey}"] = ` +
    `${JSON.stringify(revocations[publicKey])}); signing it again would re-admit it. Remove the ` +
    "revocation from the account first, or give the user a new key"
  );
}

/** The user's own key when the inputs give it (an adopted seed, or a declared public key). */
function givenKey(inputs: UserProps): string | undefined {
  try {
    if (typeof inputs.seed === "string" && !containsUnknown(inputs.seed)) return publicKeyOf(inputs.seed);
  } catch {
    // A bad seed is reported by check.
    return undefined;
  }
  return typeof inputs.publicKey === "string" && !containsUnknown(inputs.publicKey)
    ? inputs.publicKey
    : undefined;
}

const signing = identityHandler<UserProps, UserState>(
  userSpec,
  (news, olds) => {
    const c = check(news, olds);
    // A new User (or a new key) with a revoked key: known at preview when the key is given and the
    // account is not changing in the same run. A User kept as it is signs nothing (diff judges updates).
    const creating = Object.keys(olds).length === 0 || seedReplaced(olds, news).length > 0;
    const own = creating ? givenKey(news) : undefined;
    const why = own ? revokedReason(news, own) : undefined;
    if (why) c.fail("account", why);
    return c.failures;
  },
  () => ({}),
);

/** The entry of `key` and the `"*"` entry (every user issued before a time), or undefined. */
function ownEntry<T>(all: Record<string, T>, key: string | undefined): Record<string, T> | undefined {
  const out: Record<string, T> = {};
  for (const k of [key, ALL_USERS]) if (k !== undefined && all[k] !== undefined) out[k] = all[k];
  return Object.keys(out).length ? out : undefined;
}

/**
 * Whether the account's `"*"` revocation refuses the stored JWT (issued at or before its time): the
 * User is signed again, with a later `iat`, so a user still in the program stays admitted.
 */
function revokedByAll(news: UserProps, olds: Partial<UserState>): boolean {
  const at = containsUnknown(news.accountRevocations)
    ? undefined
    : allUsersRevokedAt(news.accountRevocations);
  if (at === undefined || typeof olds.jwt !== "string") return false;
  const iat = decodeJwt(olds.jwt).iat;
  return typeof iat === "number" && iat <= at;
}

/**
 * The inputs with only the user's own entry of the account's revocations and departed keys: the only
 * use of them is refusing the user's own key, and the whole maps in every User's state grew as
 * users × revocations (a 72.9 MB checkpoint for 100 users and 10,000 revocations). The own key is the
 * given one (a seed or a declared public key, which the stored inputs also hold). A key the User
 * generated is not in `olds`: the engine hands check the stored inputs, not the outputs, so only the
 * `"*"` entry is kept, and the Account refuses a revocation of such a key (core/revocation.ts
 * `revokedGeneratedMembers`). Values still unknown at preview are kept (they are not stored).
 */
function ownRevocations(news: UserProps, olds: Partial<UserState>): UserProps {
  const stored = typeof olds.publicKey === "string" && olds.publicKey ? olds.publicKey : undefined;
  const own = givenKey(news) ?? stored;
  const narrowed = { ...news };
  for (const field of ["accountRevocations", "accountRemovedUsers"] as const) {
    const all = news[field];
    if (all === undefined || all === null || containsUnknown(all) || typeof all !== "object") continue;
    const entry = ownEntry(all as Record<string, never>, own);
    if (entry === undefined) delete narrowed[field];
    else narrowed[field] = entry;
  }
  return narrowed;
}

/**
 * Waits out the second of the account's `"*"` revocation when it is this one (the account refuses a
 * later one): a JWT issued in that second would be refused with the ones it replaces.
 */
async function pastAllRevoked(news: UserProps): Promise<void> {
  const at = containsUnknown(news.accountRevocations)
    ? undefined
    : allUsersRevokedAt(news.accountRevocations);
  if (at === undefined) return;
  const wait = (at + 1) * 1000 - Date.now();
  if (wait > 0 && wait <= 2000) await new Promise((r) => setTimeout(r, wait));
}

/** What one signed JWT adds to the record of the key's JWTs: its issuer and its expiry. */
function issuedOf(s: { jwt: string; issuer: string }): Issued {
  const exp = decodeJwt(s.jwt).exp;
  return typeof exp === "number" && exp > 0 ? { issuers: [s.issuer], expires: exp } : { issuers: [s.issuer] };
}

/** The outputs with `issued` set to `issued`, or without it when it is not known. */
function withIssued(outs: UserState, issued: Issued | undefined): UserState {
  const { issued: _was, ...rest } = outs;
  return issued ? { ...rest, issued } : rest;
}

/**
 * The `issued` an update (or a create with a generated key) will record, when the preview knows the
 * signer and the expiry; undefined (unknown in the preview) otherwise. An Account's member list then
 * shows the change its update will record.
 */
function previewIssued(
  news: UserProps,
  olds: Partial<UserState> | undefined,
  issuer: unknown,
): Issued | undefined {
  if (typeof issuer !== "string" || containsUnknown(issuer) || containsUnknown(news.expires))
    return undefined;
  const creating = olds?.publicKey === undefined;
  if (creating ? ownKeyGiven(news) : !olds.issued) return undefined;
  const exp = news.expires === undefined || news.expires === null ? undefined : toUnixSeconds(news.expires);
  if (exp !== undefined && Number.isNaN(exp)) return undefined;
  const next: Issued =
    exp !== undefined && exp > 0 ? { issuers: [issuer], expires: exp } : { issuers: [issuer] };
  return creating ? next : mergeIssued(olds.issued, next);
}

/**
 * Whether the User is given its key (`seed`, `publicKey`) or a JWT to adopt, known or not: JWTs of
 * that key may have been issued elsewhere, so its `issued` is not known.
 */
function ownKeyGiven(inputs: UserProps): boolean {
  const given = (v: unknown) => v !== undefined && v !== null && v !== "";
  return given(inputs.seed) || given(inputs.publicKey) || given(inputs.jwt);
}

const flat: Handler<UserProps, UserState> = {
  ...signing,
  async update(id, olds, news) {
    await pastAllRevoked(news);
    // The stored JWT says the same claims but is refused: signed again rather than kept.
    const stale = revokedByAll(news, olds) ? { ...olds, jwt: undefined as unknown as string } : olds;
    const { outs } = await signing.update!(id, stale, news);
    // Known only while it was known from the first JWT on (not for state written before it).
    return { outs: withIssued(outs, mergeIssued(olds.issued, issuedOf(outs))) };
  },
  preview(news, olds) {
    const outs = signing.preview!(news, olds);
    const issued = previewIssued(news, olds, outs.issuer);
    return issued ? { ...outs, issued } : outs;
  },
  async check(olds, news) {
    const r = await signing.check(olds, ownRevocations(news, olds));
    return { ...r, warnings: jsAckWarningLines(news) };
  },
  async diff(id, olds, news) {
    // The account's signing keys and revocations shape the claims only through the signer's scope;
    // when the SDK knows the scope (a SigningKey signer, or the account key), a key being added to
    // the account must not preview an update of every user.
    const scopeKnown = news.signerScoped !== undefined || news.signedByIdentity === true;
    // The account's departed keys never shape the claims (they only refuse a key, below).
    const forClaims = scopeKnown
      ? {
          ...news,
          accountSigningKeys: undefined,
          accountRevocations: undefined,
          accountRemovedUsers: undefined,
        }
      : { ...news, accountRemovedUsers: undefined };
    const signed = await signing.diff(id, olds, forClaims);
    const d = !signed.changes && revokedByAll(news, olds) ? { ...signed, changes: true } : signed;
    // An update re-signs with a later `iat`, which the server would accept despite the revocation.
    const why = d.changes && !d.replaces?.length ? revokedReason(news, olds.publicKey, true) : undefined;
    if (why) throw new NatsAuthError(why, { resource: label("User", news) });
    return d;
  },
  async read(id, props) {
    // An expired JWT is reported as such (its creds cannot connect); `up` then refuses to re-sign it
    // with the same past `expires` (kit/identity.ts).
    const { expired: _was, ...rest } = props;
    const exp = typeof props.jwt === "string" ? decodeJwt(props.jwt).exp : undefined;
    const expired =
      passedExpiry(exp) && typeof exp === "number" ? new Date(exp * 1000).toISOString() : undefined;
    return { id, props: expired ? { ...rest, expired } : rest };
  },
  async create(inputs) {
    // An adopted key (a `seed` or `publicKey`, or a KeyPair kept while the User is replaced) may be a revoked one.
    const own = givenKey(inputs);
    const why = own ? revokedReason(inputs, own) : undefined;
    if (why) throw new NatsAuthError(why, { resource: label("User", inputs) });
    await pastAllRevoked(inputs);
    const { id, outs } = await signing.create(inputs);
    // A given key (or adopted JWT) may have JWTs issued elsewhere: they are not known here.
    return { id, outs: withIssued(outs, ownKeyGiven(inputs) ? undefined : issuedOf(outs)) };
  },
};

/** What Pulumi calls: the signer wiring arrives packed under `signing` (kit/wire.ts). */
export const handler: Handler<UserProps, UserState> = quietExpectedFailures(
  packedInputs(flat, "signing", USER_SIGNING_FIELDS, [...USER_SIGNING_FIELDS, "signerSeed"]),
);
