/**
 * Sizes the servers enforce on JWTs, judged before anything is signed, written or pushed. Over them
 * nothing fails at once: an account JWT over a server's `max_payload` is refused by the client that
 * publishes it (the server logs nothing), a token over 1 MiB is refused at decode by jwt (Go) ≥ 2.8.1,
 * and a user JWT that does not fit the server's `max_control_line` is signed and written, and then
 * every connect with it fails ("maximum control line exceeded").
 */

/** jwt (Go) ≥ 2.8.1 refuses tokens longer than this at decode (`MaxTokenSize`, 1 MiB). */
export const MAX_JWT_BYTES = 1024 * 1024;

/** nats-server's default `max_control_line` (`MAX_CONTROL_LINE_SIZE`). */
export const DEFAULT_MAX_CONTROL_LINE = 4096;

/** nats-server's default `max_payload` (`MAX_PAYLOAD_SIZE`, 1 MiB). */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/**
 * Room kept in a client's CONNECT line for what it sends besides the user JWT: the nonce signature
 * (86 characters), the user's public key, the client's language, version, name and flags. The server
 * compares the CONNECT JSON (everything after `CONNECT `) with `max_control_line`. Measured: nats.js
 * 3.x sends 290 bytes besides the JWT against nats-server 2.14.9 and 2.9.10 (a 3806-byte JWT connects
 * under the default 4096, 3808 does not); the nats CLI v0.5.1, a Go client, 284 against 2.14.9. The
 * rest leaves a client about 220 bytes for its name.
 */
export const CONNECT_ALLOWANCE = 512;

/** The longest user JWT that connects through a `max_control_line` of `maxControlLine`. */
export function userJwtLimit(maxControlLine: number = DEFAULT_MAX_CONTROL_LINE): number {
  return Math.min(MAX_JWT_BYTES, maxControlLine - CONNECT_ALLOWANCE);
}

/** Why a JWT of `length` bytes is too large for any server to decode, if it is. */
export function jwtTooLarge(what: string, length: number, remedy: string): string | undefined {
  return length > MAX_JWT_BYTES
    ? `the ${what} JWT would be ${length} bytes, over the ${MAX_JWT_BYTES}-byte limit nats-server's JWT ` +
        `library decodes (jwt ≥ 2.8.1 refuses larger tokens); ${remedy}`
    : undefined;
}

/**
 * Why a user JWT of `length` bytes cannot connect through `maxControlLine`, if it cannot: the JWT
 * travels in the client's CONNECT line, which the server cuts off at `max_control_line`.
 */
export function userJwtTooLarge(length: number, maxControlLine: number): string | undefined {
  const limit = userJwtLimit(maxControlLine);
  if (length <= limit) return undefined;
  return (
    `the user JWT would be ${length} bytes, but clients send it in their CONNECT line, which the servers ` +
    `cut off at max_control_line ${maxControlLine} ("maximum control line exceeded" on every connect): ` +
    `a user JWT may take at most ${limit} bytes (${CONNECT_ALLOWANCE} are kept for the rest of CONNECT). ` +
    "Give the user fewer permissions (wildcards instead of lists), sign it with a scoped signing key " +
    "whose template holds the permissions (the user JWT then carries none), or raise max_control_line " +
    "on every server it connects to (ServerConfig `extra: { max_control_line: <bytes> }`) and set the " +
    "User's `maxControlLine` to the same value"
  );
}

/** One server's `max_payload`, as its VARZ or INFO says. */
export interface PayloadLimit {
  server: string;
  maxPayload: number;
}

/**
 * Why an account JWT of `length` bytes cannot be pushed to these servers, if it cannot: a push is a
 * publish, and over the smallest `max_payload` of the servers the client refuses it (and a server
 * behind a route with a smaller limit would never see it).
 */
export function pushTooLarge(account: string, length: number, limits: PayloadLimit[]): string | undefined {
  const known = limits.filter((l) => Number.isFinite(l.maxPayload) && l.maxPayload > 0);
  if (known.length === 0) return undefined;
  const smallest = known.reduce((a, b) => (b.maxPayload < a.maxPayload ? b : a));
  if (length <= smallest.maxPayload) return undefined;
  return (
    `account ${account}: the JWT is ${length} bytes, over max_payload ${smallest.maxPayload} of server ` +
    `"${smallest.server}" (a push is one message, and no server takes a message over its max_payload); ` +
    "nothing was pushed. Make the JWT smaller (fewer revocations, imports or exports) or raise " +
    "max_payload on every server (ServerConfig " +
    "`extra: { max_payload: <bytes> }`, then reload them)"
  );
}

/** The share of a size limit past which a JWT is reported while there is still room to act. */
export const NEAR_LIMIT_SHARE = 0.75;

/**
 * A warning when an account JWT of `length` bytes has passed {@link NEAR_LIMIT_SHARE} of `limit`
 * (default: 1 MiB, both the JWT library's decode limit and the servers' default `max_payload`):
 * nothing fails yet, but revocations accumulate, and past the limit no push or decode succeeds.
 */
export function accountJwtNearLimit(
  account: string,
  length: number,
  limit: number = Math.min(MAX_JWT_BYTES, DEFAULT_MAX_PAYLOAD),
): string | undefined {
  if (length <= limit * NEAR_LIMIT_SHARE) return undefined;
  const percent = Math.round((length / limit) * 100);
  return (
    `Account "${account}": the account JWT is ${length} bytes, ${percent}% of the ${limit}-byte limit ` +
    "(the servers' max_payload and the 1 MiB JWT decode limit); past it no push succeeds. Make it smaller: " +
    'drop revocations of keys whose JWTs have expired, revoke by time (`"*": <time>` revokes every ' +
    "user JWT issued before it) instead of key by key, give users expiries so their removals are pruned, " +
    "or move users to another account"
  );
}
