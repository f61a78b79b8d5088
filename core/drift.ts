/**
 * Drift that names the claim: where the account JWT the servers hold says something other than the
 * one the stack signed, field by field, with both values. A hash alone cannot tell a harmless limit
 * edit from an out-of-band JWT that wiped every revocation (re-admitting revoked users).
 */
import type { WireClaims } from "./claims";
import { normalize, settleJetStream } from "./normalize";

/** `path → "servers: <value>, program: <value>"`, one entry per claim that differs. */
export type DriftReport = Record<string, string>;

type Json = Record<string, unknown>;

/** Flattens normalized claims to dotted paths; lists stay whole (their order and content is the value). */
function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Json)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  out.set(prefix, value);
}

function comparable(claims: WireClaims): Map<string, unknown> {
  // iat/jti change with every signing; `nats.` is implied for readability (limits.conn, revocations.U…).
  // JetStream's -1, 0 and absent that all mean "unlimited" are not drift.
  const { iat: _iat, jti: _jti, nats, ...envelope } = settleJetStream(claims) as WireClaims & Json;
  const out = new Map<string, unknown>();
  flatten(normalize({ ...envelope, ...(nats as Json) }), "", out);
  out.delete("type");
  out.delete("version");
  return out;
}

const show = (v: unknown): string => (v === undefined ? "absent" : JSON.stringify(v));

/** The claims `held` (on the servers) states differently from `program` (the stack's JWT). */
export function claimsDrift(program: WireClaims, held: WireClaims, where = "servers"): DriftReport {
  const mine = comparable(program);
  const theirs = comparable(held);
  const report: DriftReport = {};
  for (const path of [...new Set([...mine.keys(), ...theirs.keys()])].sort()) {
    const a = mine.get(path);
    const b = theirs.get(path);
    if (JSON.stringify(a) !== JSON.stringify(b)) report[path] = `${where}: ${show(b)}, program: ${show(a)}`;
  }
  return report;
}
