/**
 * What Operator, Account and User share: an own key (generated, adopted or stored), claims built from
 * inputs, a signer, and a JWT that is re-signed only when the normalized claims change.
 */
import { claimsHash, decodeJwt, sign, type WireClaims } from "./claims";
import { type KeyKind, type NKeyPair, verifySignature } from "./keys";
import { loadSeed, ownKey, type Props, seedReplaced } from "./resource";
import { containsUnknown } from "./validate";

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
