/**
 * Signing and reading NATS JWTs, in UTF-8 both ways.
 *
 * A JWT segment is base64url of the UTF-8 bytes of its JSON. The encoder is written here rather than
 * taken from @nats-io/jwt: that library's `encode` (0.0.11) base64-encodes with `btoa` over the UTF-16
 * string, so a character above U+00FF throws a bare "Invalid character" and U+0080–U+00FF go out as
 * Latin-1 bytes, which the server decodes as U+FFFD (a permission on `café.>` would be enforced as
 * something else). Patching that per field cannot work, and the encoder is small: a fixed header, the
 * claims with `iss`, `iat` and `jti` set as the library sets them, and an ed25519 signature over
 * `header.body` made by the node:crypto key pair of nkeys.ts. Every JWT this package builds (operator,
 * account, user, activation, the resolver's generic delete) goes through `sign`; every one it reads,
 * through `decodeJwt`.
 */
import { createHash } from "node:crypto";
import type { WireClaims } from "./claims";
import { ConfigError } from "./errors";
import { createKeyPair, type NKeyPair, verifySignature } from "./nkeys";

type Json = Record<string, unknown>;

/** The header of every v2 NATS JWT (nats-io/jwt writes the same two fields). */
const HEADER = { typ: "JWT", alg: "ed25519-nkey" } as const;

/** base64url (no padding) of the UTF-8 bytes of `json`'s JSON text. */
function segment(json: unknown): string {
  return Buffer.from(JSON.stringify(json), "utf8").toString("base64url");
}

/**
 * Signs claims into a JWT. As @nats-io/jwt's encoder did (and jti/iat semantics are kept): `iss` is
 * the signer's public key, `iat` the current unix second, `nats.version` 2, and `jti` the standard
 * base64 of the SHA-512 of the claims' JSON without `jti` (nats-io/jwt in Go hashes with SHA-256
 * and base32; servers do not read it). The body is stripped of undefined and null fields first so
 * the JWT reads the same in `nsc describe jwt`.
 */
export async function sign(claims: WireClaims, signer: NKeyPair): Promise<string> {
  const body = stripNulls(claims) as Json & WireClaims;
  delete body.jti;
  body.iss = signer.getPublicKey();
  body.iat = Math.floor(Date.now() / 1000);
  body.nats.version = 2;
  body.jti = createHash("sha512").update(JSON.stringify(body), "utf8").digest("base64");
  const signed = `${segment(HEADER)}.${segment(body)}`;
  const signature = Buffer.from(signer.sign(Buffer.from(signed, "utf8"))).toString("base64url");
  return `${signed}.${signature}`;
}

/**
 * How long the JWT of `claims` will be, without signing with anyone's key: the same encoder signs
 * them with a throwaway key (every key, `iss` and signature has the same length whoever signs, and
 * `iat` keeps ten digits until 2286). For size checks at preview and before signing.
 */
export async function jwtLength(claims: WireClaims): Promise<number> {
  // One key per process: making a key pair costs several times what signing does.
  throwaway ??= createKeyPair("account");
  return (await sign(claims, throwaway)).length;
}

/** The key `jwtLength` signs with; it signs nothing that is kept. */
let throwaway: NKeyPair | undefined;

function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (value && typeof value === "object") {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || v === null) continue;
      out[k] = stripNulls(v);
    }
    return out;
  }
  return value;
}

/** Decodes a JWT's claims (UTF-8 JSON) without verifying it. */
export function decodeJwt(jwt: string): WireClaims {
  const parts = jwt.split(".");
  if (parts.length !== 3) throw new ConfigError("jwt", "not a JWT (expected three dot-separated parts)");
  return JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as WireClaims;
}

/** True when the JWT's signature verifies against `issuer` (its `iss`, or a key given explicitly). */
export function signatureValid(jwt: string, issuer: string): boolean {
  const [h, b, sig] = jwt.split(".");
  if (h === undefined || b === undefined || sig === undefined) return false;
  return verifySignature(issuer, new TextEncoder().encode(`${h}.${b}`), Buffer.from(sig, "base64url"));
}

/**
 * A JWT's claims as `nsc describe --json` prints them (the decoded payload, nothing verified), for the
 * `claims` output of Operator, Account, User and ActivationToken. An account's `nats.revocations` map
 * is replaced by `nats.revocationCount` (how many entries it holds): with thousands of revocations the
 * map would be the larger part of the JWT, and copying it into another output would double the
 * account's state. The `jwt` output holds it in full.
 */
export type DescribedClaims = Record<string, unknown>;

/** `jwt`'s claims, decoded and summarised (see {@link DescribedClaims}); undefined for no JWT. */
export function describeJwt(jwt: string | undefined): DescribedClaims | undefined {
  if (!jwt) return undefined;
  const claims = decodeJwt(jwt) as DescribedClaims;
  const nats = claims.nats;
  if (!nats || typeof nats !== "object" || !("revocations" in nats)) return claims;
  const { revocations, ...rest } = nats as { revocations?: Record<string, unknown> };
  return { ...claims, nats: { ...rest, revocationCount: Object.keys(revocations ?? {}).length } };
}
