/**
 * What Operator, Account and User share: an own key (generated, adopted or stored), claims built from
 * inputs, a signer, and a JWT that is re-signed only when the normalized claims change.
 */
import type { WireClaims } from "../../core/claims";
import { claimsDrift, type DriftReport } from "../../core/drift";
import type { Failure } from "../../core/errors";
import { ConfigError, KeyError } from "../../core/errors";
import { decodeJwt, jwtLength, type SignOptions, sign, signatureValid } from "../../core/jwt";
import { jwtTooLarge } from "../../core/limits";
import { createKeyPair, type KeyKind, publicKeyOf } from "../../core/nkeys";
import { claimsHash, sameMeaning } from "../../core/normalize";
import { toUnixSeconds } from "../../core/units";
import type { Checker } from "../../core/validation";
import type { IdentityProps, Signed } from "../contracts";
import type { Handler } from "./handler";
import {
  checkResult,
  label,
  loadSeed,
  ownKey,
  type SeededKeyPair,
  seedAdopted,
  seedReplaced,
} from "./resource";
import { containsUnknown, UNKNOWN } from "./unknown";

/** How one kind of identity builds its claims and finds its signer. */
export interface IdentitySpec<P extends IdentityProps> {
  kind: string;
  keyKind: KeyKind;
  /** Claims for the identity with public key `publicKey`, as signed by `signerPublicKey`. */
  claims(inputs: P, publicKey: string, signerPublicKey: string): WireClaims;
  /** The signer's key pair; undefined means the identity signs itself (operators). */
  signer(inputs: P, resource: string): SeededKeyPair | undefined;
  /**
   * Why a JWT of `length` bytes is too large for the servers to use, if it is (default: over the
   * 1 MiB nats-server decodes). Judged at preview and again before the JWT is stored.
   */
  sizeProblem?(inputs: P, length: number): string | undefined;
}

/**
 * Whether an issued identity (account, user) is given no signer seed: imported (`pulumi import`) with
 * its issuer's seed held elsewhere. It keeps its stored JWT, and pushes it again, but cannot re-sign.
 */
export function signerless<P extends IdentityProps>(spec: IdentitySpec<P>, inputs: P): boolean {
  const s = (inputs as { signerSeed?: unknown }).signerSeed;
  return spec.keyKind !== "operator" && (s === undefined || s === null || s === "");
}

/** What the stored JWT of an identity says, claim by claim against `claims`, for messages. */
function claimsThatDiffer(claims: WireClaims, jwt: unknown): string {
  try {
    const report = claimsDrift(claims, decodeJwt(String(jwt)), "jwt");
    const lines = Object.entries(report).map(([k, v]) => `${k} (${v})`);
    return lines.length ? lines.join(", ") : "its claims";
  } catch {
    return "its claims";
  }
}

/**
 * The refusal of a change an identity imported without its issuer's seed cannot sign: names the
 * claims that differ from the stored JWT, the missing field and what to do.
 */
export function signerSeedNeeded<P extends IdentityProps>(
  spec: IdentitySpec<P>,
  inputs: P,
  stored: Partial<Signed>,
): ConfigError {
  const issuer = spec.keyKind === "user" ? "account" : "operator";
  const differ = stored.issuer
    ? claimsThatDiffer(spec.claims(inputs, String(stored.publicKey), stored.issuer), stored.jwt)
    : "a new JWT";
  return new ConfigError(
    "signerSeed",
    `the program's claims differ from the ${spec.kind.toLowerCase()}'s JWT (${differ}), and signing a new JWT needs ` +
      `the ${issuer}'s seed or one of its signing keys' seeds, which this ${spec.kind.toLowerCase()} (imported by its ` +
      `public key) is not given: set signerSeed to one the program holds (issuer of the current JWT: ${stored.issuer ?? "unknown"}), ` +
      "or change the program back to the JWT's claims",
    { resource: label(spec.kind, inputs) },
  );
}

/**
 * The public key that signs the identity's JWT: the signer seed's; an identity imported without one
 * keeps the issuer of its stored JWT (undefined: the identity signs itself).
 */
function signerKeyOf<P extends IdentityProps>(
  spec: IdentitySpec<P>,
  inputs: P,
  publicKey: string,
  stored?: Partial<Signed>,
): string {
  if (signerless(spec, inputs)) {
    if (typeof stored?.issuer === "string" && stored.issuer) return stored.issuer;
    throw signerSeedNeeded(spec, inputs, {});
  }
  const signer = spec.signer(inputs, spec.kind);
  const key = signer ? signer.getPublicKey() : publicKey;
  signer?.clear();
  return key;
}

/** The property size failures are reported under: not an input, so the engine prints no value. */
const SIZE_PROPERTY = "jwt size";

function sizeProblem<P extends IdentityProps>(spec: IdentitySpec<P>, inputs: P, length: number) {
  return spec.sizeProblem
    ? spec.sizeProblem(inputs, length)
    : jwtTooLarge(spec.kind.toLowerCase(), length, "make its claims smaller");
}

/** A public key of each kind to stand in for one not known yet (making a key pair is not cheap). */
const standIns = new Map<KeyKind, string>();
function standIn(kind: KeyKind): string {
  let key = standIns.get(kind);
  if (!key) {
    key = createKeyPair(kind).getPublicKey();
    standIns.set(kind, key);
  }
  return key;
}

/**
 * Preview check of the JWT's size: the claims the inputs describe, measured as the encoder will
 * write them. Judged only when the signer is known (it decides claims such as `issuer_account`);
 * an own key not known yet is stood in for by a key of the same kind (every key has the same
 * length). Anything else unknown leaves the judgement to `up`, which measures before storing.
 */
export async function checkJwtSize<P extends IdentityProps>(
  spec: IdentitySpec<P>,
  inputs: P,
  olds: Partial<Signed> = {},
): Promise<Failure[]> {
  return (await measureJwtSize(spec, inputs, olds)).failures;
}

/**
 * The length of the JWT the inputs would sign (undefined while unknown or not measurable), and the
 * size failure when it is too large.
 */
export async function measureJwtSize<P extends IdentityProps>(
  spec: IdentitySpec<P>,
  inputs: P,
  olds: Partial<Signed> = {},
): Promise<{ length?: number; failures: Failure[] }> {
  let signer: SeededKeyPair | undefined;
  let own: SeededKeyPair | undefined;
  try {
    if (containsUnknown((inputs as { signerSeed?: unknown }).signerSeed)) return { failures: [] };
    const declared = containsUnknown(inputs.publicKey) ? undefined : declaredKey(inputs, olds.seed);
    own =
      declared || typeof inputs.seed !== "string" || containsUnknown(inputs.seed) || !inputs.seed
        ? undefined
        : loadSeed(spec.kind, "seed", inputs.seed, [spec.keyKind]);
    const publicKey = declared ?? own?.getPublicKey() ?? olds.publicKey ?? standIn(spec.keyKind);
    signer = spec.signer(inputs, spec.kind);
    const claims = spec.claims(inputs, publicKey, signer ? signer.getPublicKey() : publicKey);
    if (containsUnknown(claims)) return { failures: [] };
    const length = await jwtLength(claims);
    const problem = sizeProblem(spec, inputs, length);
    return { length, failures: problem ? [{ property: SIZE_PROPERTY, reason: problem }] : [] };
  } catch {
    // Bad keys or claims are reported by the other checks; there is nothing to measure then.
    return { failures: [] };
  } finally {
    own?.clear();
    signer?.clear();
  }
}

/** The claims hash the inputs describe, for the key `publicKey`; undefined while inputs are unknown. */
export function desiredHash<P extends IdentityProps>(
  spec: IdentitySpec<P>,
  inputs: P,
  publicKey: string,
  stored?: Partial<Signed>,
): string | undefined {
  if (containsUnknown(inputs)) return undefined;
  const claims = spec.claims(inputs, publicKey, signerKeyOf(spec, inputs, publicKey, stored));
  // An identity imported without its issuer's seed keeps the JWT it was imported with (written by nsc,
  // say): claims that say the same in other words (JetStream's -1 vs absent) are that JWT's.
  if (signerless(spec, inputs) && sameAsStored(claims, stored?.jwt))
    return storedHash(stored?.jwt, undefined);
  return claimsHash(claims);
}

/** Whether `claims` say what the stored JWT says. */
function sameAsStored(claims: WireClaims, jwt: unknown): boolean {
  if (typeof jwt !== "string") return false;
  try {
    return sameMeaning(claims, decodeJwt(jwt));
  } catch {
    return false;
  }
}

/**
 * The claims hash of what a stored JWT says. State records `claimsHash` beside the JWT and the two
 * agree, except where the JWT's bytes say something else than the claims it was signed from: releases
 * before UTF-8 signing (0.1.0) wrote U+0080–U+00FF as Latin-1 bytes, which the servers read as
 * U+FFFD. Then the JWT's own hash counts, so the identity is re-signed (and an account re-pushed)
 * instead of the recorded hash hiding what the servers enforce. An undecodable JWT hashes to "".
 */
export function storedHash(jwt: unknown, recorded: unknown): string {
  if (typeof jwt !== "string") return typeof recorded === "string" ? recorded : "";
  try {
    return claimsHash(decodeJwt(jwt));
  } catch {
    return "";
  }
}

/**
 * Signs the identity's JWT. With `previous` outputs it keeps the stored key and, when the claims did
 * not change, the stored JWT too (no new `iat`/`jti`, nothing downstream moves).
 */
export async function signIdentity<P extends IdentityProps>(
  spec: IdentitySpec<P>,
  inputs: P,
  previous?: Signed,
  opts: SignOptions = {},
): Promise<Signed> {
  const declared = declaredKey(inputs, previous?.seed);
  if (signerless(spec, inputs)) return keptUnsigned(spec, inputs, declared, previous);
  const own = declared
    ? undefined
    : previous?.seed
      ? loadSeed(spec.kind, "seed", previous.seed, [spec.keyKind])
      : ownKey(spec.kind, spec.keyKind, inputs.seed);
  const signer = spec.signer(inputs, spec.kind) ?? own;
  if (!signer) {
    throw new KeyError("publicKey: a self-signed identity needs its seed here", { resource: spec.kind });
  }
  try {
    const publicKey = declared ?? own!.getPublicKey();
    const seed = own ? { seed: own.seed() } : {};
    const claims = spec.claims(inputs, publicKey, signer.getPublicKey());
    const hash = claimsHash(claims);
    // A JWT given to adopt wins over the stored one when both say the same (re-importing after an
    // nsc edit keeps nsc's bytes, so the servers that hold them see no change).
    const stored = previous && {
      jwt: previous.jwt,
      claimsHash: storedHash(previous.jwt, previous.claimsHash),
    };
    // With a lowest `iat`, an earlier JWT of the same claims is exactly what must not be kept.
    const kept =
      opts.minIat === undefined
        ? [adoptedJwt(inputs.jwt, publicKey, signer.getPublicKey()), stored].find(
            (k) => k !== undefined && k.claimsHash === hash && typeof k.jwt === "string",
          )
        : undefined;
    if (kept) {
      refuseOversize(spec, inputs, String(kept.jwt));
      return { publicKey, ...seed, jwt: String(kept.jwt), claimsHash: hash, issuer: signer.getPublicKey() };
    }
    // A JWT signed now with an `exp` already past is refused by every server (its creds cannot
    // connect): an `expires` kept from earlier inputs is judged again whenever the JWT is re-signed.
    const passed = passedExpiry(claims.exp);
    if (passed) throw new ConfigError("expires", passed, { resource: label(spec.kind, inputs) });
    // Measured before it leaves here: a JWT the servers cannot use is dropped, never stored or written.
    const jwt = await sign(claims, signer, opts);
    refuseOversize(spec, inputs, jwt);
    return { publicKey, ...seed, jwt, claimsHash: hash, issuer: signer.getPublicKey() };
  } finally {
    own?.clear();
    signer.clear();
  }
}

/**
 * An identity imported without its issuer's seed: its stored JWT, kept while the claims say the same
 * (an account is pushed again as it is); anything else needs the seed and is refused.
 */
function keptUnsigned<P extends IdentityProps>(
  spec: IdentitySpec<P>,
  inputs: P,
  declared: string | undefined,
  previous: Signed | undefined,
): Signed {
  if (!previous?.issuer || typeof previous.jwt !== "string") throw signerSeedNeeded(spec, inputs, {});
  // Its own key: declared, or the seed it was stored with or is given now (of the same key: diff
  // replaces an identity given another key's seed).
  const own = declared ? undefined : ownKey(spec.kind, spec.keyKind, previous.seed ?? inputs.seed);
  try {
    const publicKey = declared ?? own!.getPublicKey();
    if (publicKey !== previous.publicKey) throw signerSeedNeeded(spec, inputs, previous);
    const hash = desiredHash(spec, inputs, publicKey, previous);
    if (hash !== storedHash(previous.jwt, previous.claimsHash))
      throw signerSeedNeeded(spec, inputs, previous);
    const seed = own ? { seed: own.seed() } : {};
    return { publicKey, ...seed, jwt: previous.jwt, claimsHash: hash, issuer: previous.issuer };
  } finally {
    own?.clear();
  }
}

function refuseOversize<P extends IdentityProps>(spec: IdentitySpec<P>, inputs: P, jwt: string): void {
  const problem = sizeProblem(spec, inputs, jwt.length);
  if (problem) throw new ConfigError(SIZE_PROPERTY, problem, { resource: label(spec.kind, inputs) });
}

/**
 * The public key of an identity declared by it: nothing of its own to load, its issuer signs. A
 * stored or given seed wins: it is the key (a `publicKey` that disagrees with it is refused by check).
 */
function declaredKey(inputs: IdentityProps, storedSeed?: string): string | undefined {
  return typeof inputs.publicKey === "string" && inputs.publicKey && !storedSeed && !inputs.seed
    ? inputs.publicKey
    : undefined;
}

/**
 * An adopted JWT judged against the key it must be issued to and the signer that must have signed
 * it: its claims, or why it cannot be kept (`whose` names the key in that reason).
 */
function judgeAdopted(
  jwt: string,
  publicKey: string,
  signer: string,
  whose: string,
): { claims: WireClaims } | { problem: string } {
  let claims: WireClaims;
  let signed: boolean;
  try {
    claims = decodeJwt(jwt);
    signed = signatureValid(jwt, signer);
  } catch {
    return { problem: "not a decodable JWT: re-signed from the inputs" };
  }
  if (claims.sub !== publicKey)
    return { problem: `issued to ${claims.sub}, not to ${whose} ${publicKey}: re-signed` };
  if (claims.iss !== signer || !signed) {
    return { problem: `not signed by the signer ${signer} (issuer ${claims.iss}): re-signed` };
  }
  return { claims };
}

/**
 * An existing JWT given as input (importing an nsc-made identity): kept as it is when it is for this
 * key, validly signed by the signer, and says what the inputs say; otherwise it is re-signed.
 */
function adoptedJwt(
  jwt: unknown,
  publicKey: string,
  signer: string,
): { jwt: string; claimsHash: string } | undefined {
  if (typeof jwt !== "string" || jwt.split(".").length !== 3) return undefined;
  const judged = judgeAdopted(jwt, publicKey, signer, "the key");
  return "claims" in judged ? { jwt, claimsHash: claimsHash(judged.claims) } : undefined;
}

/**
 * Why an adopted `jwt` will not be kept, claim by claim (`limits.conn: "jwt: 9, program: 10"`), or
 * undefined when it is kept or nothing is adopted. `check` puts it among the inputs, so a preview shows
 * that `up` re-signs (and, for an account, re-pushes) instead of keeping the adopted bytes.
 */
export function adoptionDrift<P extends IdentityProps>(
  spec: IdentitySpec<P>,
  inputs: P,
): DriftReport | undefined {
  if (typeof inputs.jwt !== "string" || inputs.jwt === "" || containsUnknown(inputs)) return undefined;
  const declared = declaredKey(inputs);
  if (!declared && (typeof inputs.seed !== "string" || inputs.seed === "")) {
    return { jwt: "given without its seed: the identity gets a new key and a new JWT" };
  }
  let own: SeededKeyPair | undefined;
  let signer: SeededKeyPair | undefined;
  try {
    own = declared ? undefined : ownKey(spec.kind, spec.keyKind, inputs.seed);
    signer = spec.signer(inputs, spec.kind) ?? own;
    // A declared identity without a signer is reported by the checks.
    if (!signer) return undefined;
    const publicKey = declared ?? own!.getPublicKey();
    const signerKey = signer.getPublicKey();
    const whose = declared ? "the declared key" : "this seed's key";
    const judged = judgeAdopted(inputs.jwt, publicKey, signerKey, whose);
    if ("problem" in judged) return { jwt: judged.problem };
    const report = claimsDrift(spec.claims(inputs, publicKey, signerKey), judged.claims, "jwt");
    return Object.keys(report).length ? report : undefined;
  } catch {
    // A bad seed or signer is reported by the checks; there is nothing to compare with then.
    return undefined;
  } finally {
    own?.clear();
    if (signer !== own) signer?.clear();
  }
}

/**
 * The checked inputs. When an adopted JWT will be re-signed, the note takes the JWT's place: a
 * preview then shows the output `jwt` as unknown (a new one) rather than the bytes it will not keep.
 */
export function withAdoption<P extends IdentityProps>(spec: IdentitySpec<P>, news: P): P {
  const { adoptionDrift: _stale, ...inputs } = news;
  const drift = adoptionDrift(spec, inputs as P);
  if (!drift) return inputs as P;
  const { jwt: _notKept, ...rest } = inputs;
  return { ...rest, adoptionDrift: drift } as P;
}

/** Why an `exp` (unix seconds) cannot be signed now: it has passed. */
export function passedExpiry(exp: unknown, now: number = Date.now()): string | undefined {
  if (typeof exp !== "number" || exp <= 0 || exp * 1000 > now) return undefined;
  return (
    `${new Date(exp * 1000).toISOString()} has passed: a JWT signed now would be expired (servers refuse ` +
    "it, its creds cannot connect). Set a later expires, or remove it, and run pulumi up again"
  );
}

/**
 * The expiry the inputs ask for when a diff re-signs (an update or a replace): refused at preview
 * rather than signed. `label` names the resource.
 */
export function refusePassedExpiry(label: string, news: { expires?: unknown }): void {
  const e = news.expires;
  if (e === undefined || e === null || containsUnknown(e)) return;
  const t = typeof e === "number" || typeof e === "string" ? toUnixSeconds(e) : Number.NaN;
  const passed = Number.isNaN(t) ? undefined : passedExpiry(t);
  if (passed) throw new ConfigError("expires", passed, { resource: label });
}

/** Replace when the adopted seed changes; otherwise an update when the claims hash moved. */
export function identityDiff<P extends IdentityProps>(
  spec: IdentitySpec<P>,
  olds: Signed,
  news: P,
): { replaces: string[]; changed: boolean } {
  const replaces = [...seedReplaced(olds, news), ...publicKeyReplaced(olds, news)];
  if (replaces.length) return { replaces, changed: true };
  const hash = desiredHash(spec, news, String(olds.publicKey), olds);
  const resigned = hash === undefined || hash !== storedHash(olds.jwt, olds.claimsHash);
  // The seed of an identity imported without it: an update records it (nothing is re-signed for it).
  const changed = resigned || seedAdopted(olds, news);
  // Refused at preview: an update would need to sign.
  if (resigned && hash !== undefined && signerless(spec, news)) throw signerSeedNeeded(spec, news, olds);
  return { replaces: [], changed };
}

/** A declared public key other than the stored one is another identity. */
function publicKeyReplaced(olds: { publicKey?: string }, news: { publicKey?: string }): string[] {
  const n = news.publicKey;
  if (typeof n !== "string" || !n || containsUnknown(n)) return [];
  return n !== olds.publicKey ? ["publicKey"] : [];
}

/**
 * An identity's own key inputs: an adopted `seed`, or a `publicKey` alone (its seed held elsewhere),
 * never both.
 */
export function checkOwnKey(c: Checker, kind: "account" | "user", seed: unknown, publicKey: unknown): void {
  c.seed("identity", seed, [kind], "seed");
  c.publicKey("publicKey", publicKey, kind);
  if (seed !== undefined && seed !== null && publicKey !== undefined && publicKey !== null) {
    c.fail(
      "publicKey",
      "give either seed (the identity is held here) or publicKey (its seed is held elsewhere), not both",
    );
  }
}

/** Who signs an account (issuer: the operator) or a user (issuer: the account). */
export interface SignerCheck {
  /** What is being signed, for messages. */
  subject: "account" | "user" | "activation token";
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
  const valid = typeof s.signerSeed === "string" && c.passed("signer");
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

/** A string Pulumi knows during preview (not the unknown placeholder, not empty). */
function knownString(v: unknown): v is string {
  return typeof v === "string" && v !== "" && !containsUnknown(v);
}

/**
 * An identity's outputs as a preview knows them, with nothing signed. On update its key and seed are
 * the stored ones: a different seed or declared key is a replace (identityDiff), never an update, so
 * dependents reading them see no change. On create they are known when given (a seed, or a declared
 * public key) and unknown when generated. The issuer is the signer's key when the signer seed is known
 * (a rotated signing key re-signs: the issuer changes with it). The JWT and its hash are unknown: an
 * update is called only when the claims changed.
 */
export function identityPreview<P extends IdentityProps>(
  spec: IdentitySpec<P>,
  news: P,
  olds?: Partial<Signed>,
): P & Signed {
  let publicKey: string = UNKNOWN;
  let seed: string | undefined = UNKNOWN;
  if (olds && knownString(olds.publicKey)) {
    publicKey = olds.publicKey;
    seed = olds.seed;
  } else if (knownString(news.publicKey) && !news.seed) {
    publicKey = news.publicKey;
    seed = undefined;
  } else if (knownString(news.seed)) {
    try {
      publicKey = publicKeyOf(news.seed);
      seed = news.seed;
    } catch {
      // A bad seed fails the checks; the preview knows nothing from it.
    }
  }
  let issuer: string = UNKNOWN;
  if (signerless(spec, news)) {
    if (olds && knownString(olds.issuer)) issuer = olds.issuer;
  } else if (!containsUnknown((news as { signerSeed?: unknown }).signerSeed)) {
    try {
      const signer = spec.signer(news, spec.kind);
      issuer = signer ? signer.getPublicKey() : publicKey;
      signer?.clear();
    } catch {
      // A bad signer seed fails the checks; the issuer stays unknown.
    }
  }
  return { ...news, publicKey, seed, issuer, jwt: UNKNOWN, claimsHash: UNKNOWN };
}

/**
 * The dynamic provider of an identity without side effects (Operator, User): check, diff from the
 * normalized claims, sign on create/update. `extra` adds outputs derived from the signed identity.
 */
/** An `expires` kept from the stored inputs: already judged when its JWT was signed. */
export function expiryAccepted(olds: { expires?: unknown }, news: { expires?: unknown }): boolean {
  return olds.expires !== undefined && JSON.stringify(olds.expires) === JSON.stringify(news.expires);
}

export function identityHandler<P extends IdentityProps, S extends P & Signed>(
  spec: IdentitySpec<P>,
  check: (news: P, olds: Partial<P>) => Failure[],
  extra: (s: Signed) => Omit<S, keyof P | keyof Signed>,
): Handler<P, S> {
  const outputs = (news: P, s: Signed): S => ({ ...news, ...s, ...extra(s) }) as unknown as S;
  return {
    async check(olds, news) {
      const failures = check(news, olds);
      // A JWT that failed other checks is not measured: its claims may not even build.
      if (failures.length === 0) failures.push(...(await checkJwtSize(spec, news, olds)));
      return checkResult(withAdoption(spec, news), failures);
    },
    async diff(_id, olds, news) {
      const d = identityDiff(spec, olds, news);
      if (d.changed) refusePassedExpiry(label(spec.kind, news), news as { expires?: unknown });
      return { changes: d.changed, replaces: d.replaces };
    },
    async create(inputs) {
      const s = await signIdentity(spec, inputs);
      return { id: s.publicKey, outs: outputs(inputs, s) };
    },
    async update(_id, olds, news) {
      const s = await signIdentity(spec, news, olds);
      return { outs: outputs(news, s) };
    },
    preview: (news, olds) => identityPreview(spec, news, olds) as unknown as Partial<S>,
  };
}
