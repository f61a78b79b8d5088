/**
 * Checks an account JWT before it is pushed. The full resolver stores JWTs from untrusted issuers and
 * expired JWTs and still answers "jwt updated"; only later does the account fail to load, so a push
 * is never reported done for a JWT these checks refuse. `validateForPush` judges by the stack's
 * operator; `trustProblems` by what each running server trusts, which lags behind after an operator
 * change until the servers restart.
 */

import type { WireClaims } from "./claims";
import { describe } from "./errors";
import { decodeJwt, signatureValid } from "./jwt";

/**
 * Checks an account JWT before a push. The full resolver stores JWTs from untrusted issuers and expired
 * JWTs and still answers "jwt updated"; only later does the account fail to load. `now` is in
 * milliseconds since the epoch. Returns the reasons the JWT would be useless (empty when it is fine).
 */
export function validateForPush(
  jwt: string,
  operator: { publicKey: string; signingKeys: string[]; strict?: boolean },
  now: number = Date.now(),
): string[] {
  let claims: ReturnType<typeof decodeJwt>;
  try {
    claims = decodeJwt(jwt);
  } catch (err) {
    return [`not a JWT: ${describe(err)}`];
  }
  const reasons: string[] = [];
  if (claims.nats?.type !== "account") reasons.push(`not an account JWT (type ${String(claims.nats?.type)})`);
  if (typeof claims.sub !== "string" || !/^A[A-Z2-7]{55}$/.test(claims.sub)) {
    reasons.push("subject is not an account public key");
  }
  const trusted = [operator.publicKey, ...operator.signingKeys];
  if (!trusted.includes(claims.iss)) {
    reasons.push(
      `issuer ${claims.iss} is neither operator ${operator.publicKey} nor one of its signing keys: ` +
        "servers would store the JWT but refuse the account",
    );
  } else if (operator.strict && claims.iss === operator.publicKey) {
    reasons.push(
      "signed by the operator identity key, but the operator requires signing keys (strict_signing_key_usage)",
    );
  }
  if (typeof claims.iss !== "string" || !signatureValid(jwt, claims.iss)) {
    reasons.push("signature does not verify against the issuer key");
  }
  const expired = expiredAt(claims, now);
  if (expired) reasons.push(`expired at ${expired}: set a later expires, or remove it`);
  return reasons;
}

/** The claims the checks below read from a JWT already decoded (`decodeJwt`). */
export type JwtClaims = Pick<WireClaims, "sub" | "iss" | "exp">;

/**
 * An operator as a running server trusts it: the keys it accepts account JWTs from. Servers read it
 * from their config once at start-up (nats-server cannot reload operators), so it can lag behind the
 * operator JWT this stack now signs with.
 */
export interface TrustedOperator {
  publicKey: string;
  signingKeys: string[];
  strict: boolean;
}

/** What one server trusts; `operators` is undefined when the server did not say. */
export interface ServerTrust {
  server: string;
  operators?: TrustedOperator[];
  /** The server's `max_payload` (from the same VARZ reply), when it said. */
  maxPayload?: number;
}

/** Why one server will not use an account JWT. */
export interface TrustProblem {
  server: string;
  /** The key that signed the account, when the server does not trust it. */
  signer?: string;
  reason: string;
}

/** The trusted operator described by operator claims (from an operator JWT or a server's varz). */
export function trustedOperatorOf(claims: { sub?: unknown; nats?: unknown }): TrustedOperator | undefined {
  if (typeof claims.sub !== "string") return undefined;
  const nats = (claims.nats ?? {}) as { signing_keys?: unknown; strict_signing_key_usage?: unknown };
  // Operator signing keys are plain keys; a scoped-looking entry is read by its key for safety.
  const signingKeys = (Array.isArray(nats.signing_keys) ? nats.signing_keys : [])
    .map((k: unknown) => (typeof k === "string" ? k : (k as { key?: unknown })?.key))
    .filter((k): k is string => typeof k === "string");
  return { publicKey: claims.sub, signingKeys, strict: nats.strict_signing_key_usage === true };
}

/**
 * The keys a server started with this operator JWT trusts account JWTs from: the operator key and its
 * signing keys, sorted. Two operator JWTs with different lists need a server restart to switch.
 */
export function trustedKeys(operatorJwt: string): string[] {
  const op = trustedOperatorOf(decodeJwt(operatorJwt));
  return op ? [op.publicKey, ...[...op.signingKeys].sort()] : [];
}

/**
 * Whether a server that trusts `running` (from its varz) runs an operator configuration other than
 * the declared operator JWT: another operator, or the same one with other signing keys. Such a server
 * needs a restart (nats-server cannot reload operators).
 */
export function runsOtherOperator(declaredJwt: string, running: readonly TrustedOperator[]): boolean {
  const declared = JSON.stringify(trustedKeys(declaredJwt));
  const keys = running.map((o) => JSON.stringify([o.publicKey, ...[...o.signingKeys].sort()]));
  return keys.length !== 1 || keys[0] !== declared;
}

const RESTART_HINT = "restart the servers with the new operator config: nats-server cannot reload operators";

/**
 * Per server, why it will not use an account JWT: its signer is neither a trusted operator nor one
 * of its signing keys (the full resolver still stores such a JWT and answers "jwt updated"), or the
 * operator requires signing keys. Empty when every server will use it.
 */
export function trustProblems(jwt: string | JwtClaims, servers: ServerTrust[]): TrustProblem[] {
  const claims = typeof jwt === "string" ? decodeJwt(jwt) : jwt;
  const account = String(claims.sub);
  const signer = String(claims.iss);
  const problems: TrustProblem[] = [];
  for (const s of servers) {
    if (s.operators === undefined) {
      problems.push({
        server: s.server,
        reason:
          `server "${s.server}" did not say which operators it trusts (no reply to $SYS.REQ.SERVER.PING.VARZ): ` +
          "allow the resolver user to publish $SYS.REQ.SERVER.PING.VARZ",
      });
      continue;
    }
    const op = s.operators.find((o) => o.publicKey === signer || o.signingKeys.includes(signer));
    if (!op) {
      const runs = s.operators.map(
        (o) => `operator ${o.publicKey} with signing keys [${o.signingKeys.join(", ")}]`,
      );
      problems.push({
        server: s.server,
        signer,
        reason:
          `server "${s.server}" does not trust signing key ${signer}, which signed account ${account} ` +
          `(it runs ${runs.join("; ") || "no operator"}); ${RESTART_HINT}`,
      });
    } else if (op.strict && signer === op.publicKey) {
      problems.push({
        server: s.server,
        signer,
        reason: `server "${s.server}" requires operator signing keys (strict_signing_key_usage), but account ${account} is signed by the operator identity key`,
      });
    }
  }
  return problems;
}

/**
 * When an account JWT has expired (servers refuse it), else undefined. `now` in milliseconds. The JWT
 * or its claims already decoded (a push decodes each JWT once).
 */
export function expiredAt(jwt: string | JwtClaims, now: number = Date.now()): string | undefined {
  const exp = (typeof jwt === "string" ? decodeJwt(jwt) : jwt).exp;
  return typeof exp === "number" && exp > 0 && exp * 1000 <= now
    ? new Date(exp * 1000).toISOString()
    : undefined;
}
