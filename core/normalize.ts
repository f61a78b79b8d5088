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

/**
 * JetStream limits the server reads as "no limit" at any value of 0 or less (nats-server
 * accounts.go maps max_ack_pending and the per-stream byte limits through `toUnlimited`, and checks
 * streams and consumer with `> 0`): -1, 0 and absent say the same. Not so for mem_storage and
 * disk_storage, where 0 (or absent) disables JetStream and -1 is unlimited.
 */
const JETSTREAM_UNLIMITED_AT_ZERO = [
  "streams",
  "consumer",
  "max_ack_pending",
  "mem_max_stream_bytes",
  "disk_max_stream_bytes",
] as const;

function settleJetStreamLimits(limits: unknown): unknown {
  if (!limits || typeof limits !== "object" || Array.isArray(limits)) return limits;
  const out: Json = { ...(limits as Json) };
  for (const k of JETSTREAM_UNLIMITED_AT_ZERO) {
    if (typeof out[k] === "number" && (out[k] as number) <= 0) delete out[k];
  }
  return out;
}

/**
 * Wire claims with the JetStream limits that mean "unlimited" however they are written (-1, 0,
 * absent) written one way, globally and in each tier: for comparing what two JWTs say (drift), never
 * for `claimsHash` (stored hashes would move).
 */
export function settleJetStream<T extends object>(claims: T): T {
  const nats = (claims as Json).nats;
  if (!nats || typeof nats !== "object") return claims;
  const limits = (nats as Json).limits;
  if (!limits || typeof limits !== "object") return claims;
  const settled = settleJetStreamLimits(limits) as Json;
  const tiers = settled.tiered_limits;
  if (tiers && typeof tiers === "object" && !Array.isArray(tiers)) {
    settled.tiered_limits = Object.fromEntries(
      Object.entries(tiers as Json).map(([tier, l]) => [tier, settleJetStreamLimits(l)]),
    );
  }
  return { ...claims, nats: { ...(nats as Json), limits: settled } } as T;
}

/** Whether two claim sets say the same to a server (iat/jti, key order, and JetStream's spellings of "unlimited" aside). */
export function sameMeaning(a: object, b: object): boolean {
  return claimsHash(settleJetStream(a)) === claimsHash(settleJetStream(b));
}
