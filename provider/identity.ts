/**
 * What Operator, Account and User share: an own key (generated, adopted or stored), claims built from
 * inputs, a signer, and a JWT that is re-signed only when the normalized claims change.
 */
import { claimsHash, decodeJwt, sign, type WireClaims } from "./claims";
import type { Handler } from "./dynamic";
import type { Failure } from "./errors";
import { type KeyKind, type NKeyPair, publicKeyOf, verifySignature } from "./keys";
import { checked, loadSeed, ownKey, type Props, seedReplaced } from "./resource";
import { type Checker, containsUnknown } from "./validate";

/** How one kind of identity builds its claims and finds its signer. */
export interface IdentitySpec {
  kind: string;
  keyKind: KeyKind;
  /** Claims for the identity with public key `publicKey`, as signed by `signerPublicKey`. */
  claims(inputs: Props, publicKey: string, signerPublicKey: string): WireClaims;
  /** The signer's key pair; undefined means the identity signs itself (operators). */
  signer(inputs: Props, resource: string): (NKeyPair & { seed(): string }) | undefined;
}

export interface Signed {
  publicKey: string;
  seed: string;
  jwt: string;
  claimsHash: string;
  issuer: string;
}

/** The claims hash the inputs describe, for the key `publicKey`; undefined while inputs are unknown. */
export function desiredHash(spec: IdentitySpec, inputs: Props, publicKey: string): string | undefined {
  if (containsUnknown(inputs)) return undefined;
  const signer = spec.signer(inputs, spec.kind);
  const signerPub = signer ? signer.getPublicKey() : publicKey;
  signer?.clear();
  return claimsHash(spec.claims(inputs, publicKey, signerPub));
}

/**
 * Signs the identity's JWT. With `previous` outputs it keeps the stored key and, when the claims did
 * not change, the stored JWT too (no new `iat`/`jti`, nothing downstream moves).
 */
export async function signIdentity(spec: IdentitySpec, inputs: Props, previous?: Props): Promise<Signed> {
  const own = previous
    ? loadSeed(spec.kind, "seed", previous.seed, [spec.keyKind])
    : ownKey(spec.kind, spec.keyKind, inputs.seed);
  const signer = spec.signer(inputs, spec.kind) ?? own;
  try {
    const publicKey = own.getPublicKey();
    const claims = spec.claims(inputs, publicKey, signer.getPublicKey());
    const hash = claimsHash(claims);
    const kept = previous ?? adoptedJwt(inputs.jwt, publicKey, signer.getPublicKey());
    if (kept && kept.claimsHash === hash && typeof kept.jwt === "string") {
      return {
        publicKey,
        seed: own.seed(),
        jwt: kept.jwt,
        claimsHash: hash,
        issuer: signer.getPublicKey(),
      };
    }
    const jwt = await sign(claims, signer);
    return { publicKey, seed: own.seed(), jwt, claimsHash: hash, issuer: signer.getPublicKey() };
  } finally {
    own.clear();
    signer.clear();
  }
}

/**
 * An existing JWT given as input (importing an nsc-made identity): kept as it is when it is for this
 * key, validly signed by the signer, and says what the inputs say; otherwise it is re-signed.
 */
function adoptedJwt(jwt: unknown, publicKey: string, signer: string): Props | undefined {
  if (typeof jwt !== "string" || jwt.split(".").length !== 3) return undefined;
  try {
    const claims = decodeJwt(jwt);
    const [h, b, sig] = jwt.split(".");
    const signed = verifySignature(signer, Buffer.from(`${h}.${b}`), Buffer.from(sig, "base64url"));
    if (claims.sub !== publicKey || claims.iss !== signer || !signed) return undefined;
    return { jwt, claimsHash: claimsHash(claims) };
  } catch {
    return undefined;
  }
}

/** Replace when the adopted seed changes; otherwise an update when the claims hash moved. */
export function identityDiff(
  spec: IdentitySpec,
  olds: Props,
  news: Props,
): { replaces: string[]; changed: boolean } {
  const replaces = seedReplaced(olds, news);
  if (replaces.length) return { replaces, changed: true };
  const hash = desiredHash(spec, news, String(olds.publicKey));
  return { replaces: [], changed: hash === undefined || hash !== olds.claimsHash };
}

/** Picks the listed fields from inputs (undefined ones dropped). */
export function pick<T>(inputs: Props, fields: readonly string[]): T {
  const out: Props = {};
  for (const f of fields) if (inputs[f] !== undefined) out[f] = inputs[f];
  return out as T;
}

/** Who signs an account (issuer: the operator) or a user (issuer: the account). */
export interface SignerCheck {
  /** What is being signed, for messages. */
  subject: "account" | "user";
  issuer: "operator" | "account";
  signerSeed: unknown;
  issuerKey: unknown;
  issuerSigningKeys: unknown;
  strict: unknown;
  /** Set by the SDK when no signer was given: known during preview even when seeds are not. */
  byIdentity: unknown;
}

/**
 * The signer must be the issuer's identity key or one of its signing keys; under strict signing
 * keys (which the server applies to accounts and users alike) it must be a signing key.
 */
export function checkSigner(c: Checker, s: SignerCheck): void {
  c.seed("signer", s.signerSeed, [s.issuer], "signer seed");
  const known = !containsUnknown([s.signerSeed, s.issuerKey, s.issuerSigningKeys]);
  const valid = typeof s.signerSeed === "string" && c.failures.every((f) => f.property !== "signer");
  const signer = known && valid ? publicKeyOf(String(s.signerSeed)) : undefined;
  const keys = Array.isArray(s.issuerSigningKeys) ? (s.issuerSigningKeys as string[]) : [];
  if (signer !== undefined && signer !== s.issuerKey && !keys.includes(signer)) {
    c.fail("signer", `is neither the ${s.issuer}'s identity key nor one of its signing keys`);
  }
  const byIdentity = s.byIdentity === true || (signer !== undefined && signer === s.issuerKey);
  if (s.strict === true && byIdentity) {
    c.fail(
      "signer",
      `the operator requires signing keys (strictSigningKeyUsage): sign the ${s.subject} with one of the ${s.issuer}'s signing keys`,
    );
  }
}

/**
 * The dynamic provider of an identity without side effects (Operator, User): check, diff from the
 * normalized claims, sign on create/update. `extra` adds outputs derived from the signed identity.
 */
export function identityHandler(
  spec: IdentitySpec,
  check: (news: Props) => Failure[],
  extra: (s: Signed) => Props = () => ({}),
): Handler {
  return {
    async check(_olds, news) {
      return checked(news, check(news));
    },
    async diff(_id, olds, news) {
      const d = identityDiff(spec, olds, news);
      return { changes: d.changed, replaces: d.replaces };
    },
    async create(inputs) {
      const s = await signIdentity(spec, inputs);
      return { id: s.publicKey, outs: { ...inputs, ...s, ...extra(s) } };
    },
    async update(_id, olds, news) {
      const s = await signIdentity(spec, news, olds);
      return { outs: { ...news, ...s, ...extra(s) } };
    },
  };
}
