/**
 * `pulumi import` of identities that exist outside the stack: the engine calls Read with the id the
 * user typed and no properties, and writes the program block from the inputs Read returns. Those
 * inputs must re-build exactly the claims of the JWT (so the block, used as written, previews 0
 * changes) and never carry a secret (they are printed as code): the account or user is declared by
 * its public key, without its seed and without a signer seed. It then keeps its JWT as it is (an
 * account is pushed again as it is), and any change of its claims is refused until the program
 * gives a signer seed (kit/identity.ts, `signerless`).
 *
 * - Account: id = its public key; the JWT is read from the resolver (every listed server must hold
 *   the same one), and the operator that signed it from the servers' trusted operators.
 * - User: id = its JWT (a resolver holds no user JWTs); with a resolver the account's JWT says
 *   whether the signer is a scoped signing key.
 * - Operator, SigningKey, KeyPair: not importable (no server holds an operator JWT or any seed);
 *   they are adopted with their seed (`seed` and `jwt` inputs).
 */

import { type SigningKeyRef, USER_TEMPLATE_FIELDS } from "../core/claimInputs";
import type { WireClaims } from "../core/claims";
import { accountInputs, rebuild, unexpressed, userInputs } from "../core/claimsFromJwt";
import { ConfigError, describe, ResolverError } from "../core/errors";
import { decodeJwt, signatureValid } from "../core/jwt";
import { isPublicKey } from "../core/nkeys";
import { claimsHash } from "../core/normalize";
import type { ResolverConnection } from "../io/resolverClient";
import { ResolverFleet } from "../io/resolverFleet";
import type { AccountProps, AccountResolver, AccountState, UserProps, UserState } from "./contracts";
import { lookupAccount, resolverOf } from "./kit/accountResolver";

/** What Read returns for an import: the id, the outputs to store, and the inputs the program block says. */
export interface Imported<P, S> {
  id: string;
  props: S;
  inputs: P;
}

/** The resource kinds `pulumi import` can read, by type name. */
export const IMPORTABLE = ["Account", "User"] as const;

const NOT_IMPORTABLE =
  "only Account (by public key, from the resolver) and User (by its JWT) can be imported: an operator " +
  "JWT, signing keys and key pairs are held by no server; adopt them with their seed (the seed and jwt inputs)";

function servers(r: AccountResolver): string {
  return (r.servers ?? []).join(", ");
}

/** The resolver connection of `r`, or undefined unless it names servers and has creds. */
function connectionOf(r: AccountResolver | undefined): ResolverConnection | undefined {
  const known = r && resolverOf({ resolver: r } as AccountProps);
  if (!known?.servers || typeof known.creds !== "string" || !known.creds) return undefined;
  return { servers: known.servers, creds: known.creds, timeoutMs: known.timeoutMs, tls: known.tls };
}

/** The claims no input can say: importing would drop them at the next re-signing, so it is refused. */
function refuseUnexpressed(what: string, c: WireClaims, rebuilt: WireClaims): void {
  const missing = unexpressed(c, rebuilt);
  if (missing.length) {
    throw new ConfigError(
      "id",
      `${what} carries claims that pulumi-nats-auth has no input for (${missing.join(", ")}): a program ` +
        "could not keep them, so it is not imported; keep managing it with the tool that wrote it",
      { resource: what },
    );
  }
}

/** The account `id` as the resolver holds it. */
export async function importAccount(
  id: string,
  resolver: AccountResolver | undefined,
): Promise<Imported<AccountProps, AccountState>> {
  const what = `Account ${id}`;
  if (!isPublicKey(id, "account")) {
    throw new ConfigError(
      "id",
      `"${id}" is not an account public key (A…): import an Account by its public key`,
      {
        resource: "Account",
      },
    );
  }
  const conn = connectionOf(resolver);
  const r = conn && (resolver as AccountResolver);
  if (!conn || !r) {
    throw new ConfigError(
      "resolver",
      "importing an account reads its JWT from the resolver, and the provider configuration names no resolver servers or no creds: set " +
        "nats-auth:servers and nats-auth:creds (a system user's .creds) in the stack config",
      { resource: what },
    );
  }
  let fleet: ResolverFleet;
  try {
    fleet = await ResolverFleet.open(conn);
  } catch (e) {
    throw new ResolverError(
      `cannot read account ${id} from the resolver (${servers(r)}): ${describe(e)}`,
      [],
      {
        resource: what,
        cause: e,
      },
    );
  }
  const found = await fleet.lookup(id);
  if (found.found.length === 0) {
    const asked = found.unconfirmed.length
      ? `; not asked: ${found.unconfirmed.map((u) => `${u.url} (${u.reason})`).join(", ")}`
      : "";
    throw new ResolverError(
      `the resolver (${servers(r)}) does not hold account ${id}${asked}: check the public key (nsc list keys ` +
        "--accounts), and that the configured servers are the ones the account was pushed to",
      [],
      { resource: what },
    );
  }
  const jwts = [...new Set(found.found.map((f) => f.jwt))];
  if (jwts.length > 1) {
    throw new ResolverError(
      `the servers of ${servers(r)} hold ${jwts.length} different JWTs of account ${id}` +
        ` (${found.found.map((f) => `${f.server}: iat ${decodeJwt(f.jwt).iat}`).join(", ")}): push one ` +
        "(nsc push) so they agree, then import again",
      [],
      { resource: what },
    );
  }
  const jwt = jwts[0];
  const claims = decodeJwt(jwt);
  if (claims.sub !== id || claims.nats.type !== "account" || !signatureValid(jwt, claims.iss)) {
    throw new ConfigError("id", `the resolver's JWT for ${id} is not a valid account JWT issued to it`, {
      resource: what,
    });
  }
  refuseUnexpressed(what, claims, rebuild.account(claims));
  const operator = (await fleet.trust())
    .flatMap((t) => t.operators ?? [])
    .find((o) => o.publicKey === claims.iss || o.signingKeys.includes(claims.iss));
  if (!operator) {
    throw new ResolverError(
      `account ${id} is signed by ${claims.iss}, which no server of ${servers(r)} trusts as an operator ` +
        "key or operator signing key: import it from servers that run its operator",
      [],
      { resource: what },
    );
  }
  const inputs: AccountProps = {
    name: claims.name,
    publicKey: id,
    operatorPublicKey: operator.publicKey,
    ...(operator.signingKeys.length ? { operatorSigningKeys: operator.signingKeys } : {}),
    ...(operator.strict ? { operatorStrict: true } : {}),
    ...accountInputs(claims),
  };
  const held = await lookupAccount(r, { ...inputs, jwt });
  const props: AccountState = {
    ...inputs,
    publicKey: id,
    jwt,
    claimsHash: claimsHash(claims),
    issuer: claims.iss,
    pushedHash: held.pushedHash,
    pushedTo: held.pushedTo,
    onServers: true,
    ...(held.drift ? { drift: held.drift } : {}),
  };
  return { id, props, inputs };
}

function keyOf(ref: SigningKeyRef): string {
  return typeof ref === "string" ? ref : ref.key;
}

/** The user whose JWT is `id`. */
export async function importUser(
  id: string,
  resolver: AccountResolver | undefined,
): Promise<Imported<UserProps, UserState>> {
  if (isPublicKey(id, "user")) {
    throw new ConfigError(
      "id",
      `a resolver holds account JWTs only, so user ${id} cannot be read by its public key: import it by its ` +
        "JWT (pulumi import nats-auth:index:User <name> <user JWT>; nsc describe user -a <account> -n <name> --raw prints it)",
      { resource: "User" },
    );
  }
  let claims: WireClaims;
  try {
    claims = decodeJwt(id);
  } catch {
    throw new ConfigError("id", "not a user JWT: import a User by its JWT", { resource: "User" });
  }
  const what = `User ${claims.sub}`;
  if (claims.nats.type !== "user" || !isPublicKey(claims.sub, "user") || !signatureValid(id, claims.iss)) {
    throw new ConfigError("id", "not a validly signed user JWT", { resource: what });
  }
  const account = String(claims.nats.issuer_account ?? claims.iss);
  // The account's signing keys say whether the signer is scoped (then the template, not the user,
  // carries the permissions): read from the resolver when one is configured.
  let signingKeys: SigningKeyRef[] | undefined = account === claims.iss ? undefined : [claims.iss];
  const conn = connectionOf(resolver);
  if (conn && account !== claims.iss) {
    const fleet = await ResolverFleet.open(conn);
    const held = (await fleet.lookup(account)).found[0];
    if (held) signingKeys = accountInputs(decodeJwt(held.jwt)).signingKeys ?? signingKeys;
  }
  const ref = signingKeys?.find((k) => keyOf(k) === claims.iss);
  const scoped = ref !== undefined && typeof ref !== "string";
  refuseUnexpressed(what, claims, rebuild.user(claims, scoped));
  const own: Record<string, unknown> = { ...userInputs(claims) };
  if (scoped) for (const f of USER_TEMPLATE_FIELDS) delete own[f];
  const inputs: UserProps = {
    name: claims.name,
    publicKey: claims.sub,
    accountPublicKey: account,
    ...(signingKeys ? { accountSigningKeys: signingKeys } : {}),
    ...(scoped ? { signerScoped: true } : {}),
    ...own,
  };
  const props: UserState = {
    ...inputs,
    publicKey: claims.sub,
    jwt: id,
    claimsHash: claimsHash(claims),
    issuer: claims.iss,
  };
  return { id: claims.sub, props, inputs };
}

/** Read for `pulumi import` of the resource type `type`. */
export async function importResource(
  type: string,
  id: string,
  resolver: AccountResolver | undefined,
): Promise<Imported<object, object>> {
  if (type === "Account") return importAccount(id, resolver);
  if (type === "User") return importUser(id, resolver);
  throw new ConfigError("id", `${type} cannot be imported: ${NOT_IMPORTABLE}`, { resource: type });
}
