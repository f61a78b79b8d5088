/**
 * A running nats-server's own account of itself, over its HTTP monitoring port: which operators it
 * trusts (`/varz` `trusted_operators_claim`, else `trusted_operators_jwt`). It needs no credentials,
 * so a ServerConfig can ask the server it configures whether it runs that config's operator yet
 * (nats-server reads operators only at start-up).
 */
import { decodeJwt } from "../core/jwt";
import { type TrustedOperator, trustedOperatorOf } from "../core/pushCheck";

interface Varz {
  trusted_operators_claim?: unknown;
  trusted_operators_jwt?: unknown;
}

/**
 * The operators the server at `monitorUrl` (`http://host:<http_port>`) trusts, or undefined when it
 * does not answer with a varz (down, unreachable, no monitoring port).
 */
export async function runningOperators(
  monitorUrl: string,
  timeoutMs = 2000,
): Promise<TrustedOperator[] | undefined> {
  let body: Varz;
  try {
    const res = await fetch(new URL("varz", monitorUrl.endsWith("/") ? monitorUrl : `${monitorUrl}/`), {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return undefined;
    body = (await res.json()) as Varz;
  } catch {
    return undefined;
  }
  if (!body || typeof body !== "object") return undefined;
  const claims = Array.isArray(body.trusted_operators_claim)
    ? (body.trusted_operators_claim as { sub?: unknown; nats?: unknown }[])
    : Array.isArray(body.trusted_operators_jwt)
      ? body.trusted_operators_jwt.filter((j): j is string => typeof j === "string").map((j) => decodeJwt(j))
      : [];
  return claims.map((c) => trustedOperatorOf(c)).filter((o): o is TrustedOperator => o !== undefined);
}
