/**
 * What a JWT means, independent of how it was written: two claim sets with the same normalized form
 * say the same thing to a server, whatever their `iat`, `jti`, key order or nil-vs-empty lists. This
 * is what decides whether anything is re-signed or re-pushed.
 */
import { createHash } from "node:crypto";

type Json = Record<string, unknown>;

/**
 * Removes what does not carry meaning: `iat`, `jti`, undefined/null, zero values, empty lists and
 * objects; sorts keys. Two claims with the same normalized form say the same thing to a server.
 */
export function normalize(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalize).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (value && typeof value === "object") {
    const out: Json = {};
    for (const key of Object.keys(value).sort()) {
      const v = normalize((value as Json)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  // Zero values mean the same as absent to the server (Go's omitempty): 0, false and "" drop out.
  if (value === null || value === "" || value === 0 || value === false) return undefined;
  return value;
}

/** A stable hash of what a JWT says, ignoring `iat` and `jti`. */
export function claimsHash(claims: object): string {
  const { iat: _iat, jti: _jti, ...rest } = claims as Json;
  return createHash("sha256")
    .update(JSON.stringify(normalize(rest)) ?? "")
    .digest("hex")
    .slice(0, 32);
}
