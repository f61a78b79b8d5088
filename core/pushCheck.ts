/**
 * Checks an account JWT before it is pushed. The full resolver stores JWTs from untrusted issuers and
 * expired JWTs and still answers "jwt updated"; only later does the account fail to load, so a push
 * is never reported done for a JWT these checks refuse.
 */

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
  if (typeof claims.exp === "number" && claims.exp > 0 && claims.exp * 1000 <= now) {
    reasons.push(`expired at ${new Date(claims.exp * 1000).toISOString()}`);
  }
  return reasons;
}
