/**
 * Signing and reading NATS JWTs. Encoding is @nats-io/jwt's (it sets `iss`, `iat` and `jti`); the
 * signature itself comes from the node:crypto key pair of nkeys.ts.
 */
import { Algorithms, encode } from "@nats-io/jwt";
import type { WireClaims } from "./claims";
import { ConfigError } from "./errors";
import { createKeyPair, type NKeyPair, verifySignature } from "./nkeys";

type Json = Record<string, unknown>;

/**
 * Signs claims into a JWT with @nats-io/jwt's encoder (it sets `iss`, `iat` and `jti`). The body is
 * stripped of undefined and null fields first so the JWT reads the same in `nsc describe jwt`.
 */
export async function sign(claims: WireClaims, signer: NKeyPair): Promise<string> {
  const body = stripNulls(claims) as WireClaims;
  delete body.jti;
  // The library's KeyPair type asks for methods the encoder never calls (seal/open for curve keys).
  return encode(
    Algorithms.v2,
    body as unknown as Parameters<typeof encode>[1],
    signer as unknown as Parameters<typeof encode>[2],
  );
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

/** Decodes a JWT's claims without verifying it. */
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
