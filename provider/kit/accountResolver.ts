/**
 * An account's life on its resolver servers: push (create/update), lookup (refresh), delete
 * (destroy), and the checks of `resolver` at preview. The rule throughout: nothing is reported done
 * that the servers disagree with. A push counts only when every listed server's own reply confirmed
 * it and every reachable server trusts the JWT's signer; a refresh counts an account as held only
 * when every listed server holds it and can use it.
 */
import { claimsDrift, type DriftReport } from "../../core/drift";
import { describe, NatsAuthError, ResolverError, TrustError } from "../../core/errors";
import { decodeJwt } from "../../core/jwt";
import { pushTooLarge } from "../../core/limits";
import type { NKeyPair } from "../../core/nkeys";
import { claimsHash, sameMeaning } from "../../core/normalize";
import { expiredAt, trustProblems, validateForPush } from "../../core/pushCheck";
import { repeatedUrls } from "../../core/serverConfig";
import type { Checker } from "../../core/validation";
import { type ResolverConnection, serverLabel } from "../../io/resolverClient";
import {
  type FleetOutcome,
  ResolverFleet,
  type ServerHolding,
  type Unconfirmed,
} from "../../io/resolverFleet";
import type { AccountProps, AccountResolver, PushedServer } from "../contracts";
import { engineLog } from "./engineLog";
import { checkResolverTls } from "./resolverTls";
import { openWhenAnswering } from "./resolverWait";
import { containsUnknown } from "./unknown";

/** URL schemes a NATS client connection (the resolver's) can use. */
const SCHEMES = ["nats:", "tls:", "ws:", "wss:"];

/** The resolver to keep in step, or undefined when the account is only signed. */
export function resolverOf(props: AccountProps): AccountResolver | undefined {
  const r = props.resolver;
  return r && Array.isArray(r.servers) && r.servers.length ? r : undefined;
}

function connection(r: AccountResolver): ResolverConnection {
  // Both are there by now: check refused a resolver without creds, resolverOf one without servers.
  return { servers: r.servers ?? [], creds: r.creds ?? "", timeoutMs: r.timeoutMs, tls: r.tls };
}

/** Preview checks of `resolver` (values still unknown at preview are left alone). */
export function checkResolver(c: Checker, r: AccountResolver | undefined): void {
  // Each part is judged once known: the creds of a system user made in the same run are unknown at
  // preview, and must not hide a wrong URL or count until `up`.
  if (!r || typeof r !== "object") return;
  const known = (v: unknown) => !containsUnknown(v);
  // An empty list is allowed: the JWT is signed but not pushed (bootstrapping before servers run).
  if (known(r.servers)) {
    if (!Array.isArray(r.servers)) {
      c.fail(
        "resolver.servers",
        "must be a list of server URLs (give resolver.servers, or nats-auth:servers in the provider configuration)",
      );
    } else {
      r.servers.forEach((url, i) => {
        const reason = clientUrlProblem(url);
        if (reason) c.fail(`resolver.servers[${i}]`, reason);
      });
      for (const [dup, first] of repeatedUrls(r.servers)) {
        c.fail(
          `resolver.servers[${dup}]`,
          `is the same server as resolver.servers[${first}]: list each server once`,
        );
      }
    }
  }
  // An empty server list pushes nothing: no creds are needed for it.
  const pushes = !known(r.servers) || !Array.isArray(r.servers) || r.servers.length > 0;
  if (pushes && known(r.creds) && (typeof r.creds !== "string" || !r.creds.includes("NATS USER JWT"))) {
    c.fail(
      "resolver credentials",
      "must be the .creds text of a system account user (give resolver.creds, or nats-auth:creds in the provider configuration)",
    );
  }
  if (known(r.onDelete) && r.onDelete !== undefined && r.onDelete !== "delete" && r.onDelete !== "retain") {
    c.fail("resolver.onDelete", 'must be "delete" or "retain"');
  }
  const w = r.waitMs;
  if (known(w) && w !== undefined && w !== null && !(Number.isInteger(w) && w >= 0)) {
    c.fail("resolver.waitMs", `must be a whole number of milliseconds, 0 or more, got ${String(w)}`);
  }
  const t = r.timeoutMs;
  if (known(t) && t !== undefined && t !== null && !(Number.isInteger(t) && t > 0)) {
    c.fail("resolver.timeoutMs", `must be a positive whole number of milliseconds, got ${String(t)}`);
  }
  const n = r.expectedServers;
  if (known(n) && n !== undefined && n !== null && !(Number.isInteger(n) && n >= 1)) {
    c.fail("resolver.expectedServers", `must be a whole number of at least 1, got ${String(n)}`);
  }
  const per = r.expectedServersByCluster;
  if (known(per) && per !== undefined && per !== null) {
    if (typeof per !== "object" || Array.isArray(per)) {
      c.fail(
        "resolver.expectedServersByCluster",
        "must map cluster names to server counts, e.g. { east: 3 }",
      );
    } else {
      for (const [cluster, count] of Object.entries(per)) {
        if (!cluster) c.fail("resolver.expectedServersByCluster", "a cluster name is empty");
        if (known(count) && !(Number.isInteger(count) && count >= 1)) {
          c.fail(
            `resolver.expectedServersByCluster.${cluster}`,
            `must be a whole number of at least 1, got ${String(count)}`,
          );
        }
      }
    }
  }
  checkResolverTls(c, r.tls);
}

/** Why `url` cannot be a NATS client connection URL, if it cannot. */
export function clientUrlProblem(url: unknown): string | undefined {
  if (typeof url !== "string" || !url) return "must be a server URL such as nats://host:4222";
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    return `"${url}" is not a URL (expected nats://host:port, tls://, ws:// or wss://)`;
  }
  return SCHEMES.includes(scheme)
    ? undefined
    : `"${url}" uses ${scheme}//, but a NATS client connection needs nats://, tls://, ws:// or wss://`;
}

/** What a push got to do, for state: whether the JWT was sent to any server (even if it then failed). */
export interface PushProgress {
  sent: boolean;
}

/** What a confirmed push did. */
export interface PushResult {
  /** How many full resolvers stored the JWT. */
  pushedTo: number;
  /** Those servers, by id: the next push expects each of them again. */
  servers: PushedServer[];
  /** The JWT pushed: re-signed when a server held a newer one (see `PushOptions.resign`). */
  jwt: string;
  /** Set when the JWT was re-signed: why, for the person reading the log. */
  resigned?: string;
}

/** How a push may go beyond the JWT it is given. */
export interface PushOptions {
  /** Servers that confirmed the last push (state): expected again unless counts are given. */
  remembered?: PushedServer[];
  /**
   * Signs the same claims again with an `iat` of at least `minIat`. Used when a server holds a JWT of
   * the account issued at or after the one to push: the resolvers' sync keeps the higher `iat`, so
   * the older JWT would be reverted after the push reported success.
   */
  resign?: (minIat: number) => Promise<string>;
}

/**
 * Pushes the JWT; returns the servers that stored it, or throws naming the account and servers.
 * `progress.sent` turns true when the JWT goes out (before any reply).
 */
export async function pushAccount(
  name: string,
  props: AccountProps,
  jwt: string,
  progress: PushProgress = { sent: false },
  opts: PushOptions = {},
): Promise<PushResult> {
  try {
    return await pushOnce(name, props, jwt, progress, opts);
  } catch (e) {
    if (e instanceof NatsAuthError && e.resource === name) throw e;
    throw new ResolverError(`push to the resolver failed: ${describe(e)}`, [], { resource: name, cause: e });
  }
}

/** Whether explicit counts govern (then servers remembered from the last push are not required). */
function countsGiven(r: AccountResolver): boolean {
  return (
    r.expectedServers !== undefined ||
    (r.expectedServersByCluster !== undefined && r.expectedServersByCluster !== null)
  );
}

async function pushOnce(
  name: string,
  props: AccountProps,
  given: string,
  progress: PushProgress,
  opts: PushOptions,
): Promise<PushResult> {
  let jwt = given;
  const r = resolverOf(props)!;
  const mine = decodeJwt(jwt);
  const account = String(mine.sub);
  const problems = validateForPush(jwt, {
    publicKey: String(props.operatorPublicKey),
    signingKeys: props.operatorSigningKeys ?? [],
    strict: props.operatorStrict === true,
  });
  if (problems.length)
    throw new NatsAuthError(`refusing to push: ${problems.join("; ")}`, { resource: name });
  const remembered = countsGiven(r) ? [] : (opts.remembered ?? []);
  const what = `${name}: push of account ${account}`;
  const fleet = await openWhenAnswering(connection(r), r.waitMs ?? 0, { remembered, log: engineLog, what });
  // The running servers judge the JWT by the operator they started with, not by this stack's: a JWT
  // they would store but not use is not pushed (it would replace one they can use).
  const untrusted = trustProblems(mine, await fleet.trust());
  if (untrusted.length) {
    throw new TrustError(
      `refusing to push account ${account}: ${untrusted.map((p) => p.reason).join("; ")}`,
      untrusted,
      { resource: name },
    );
  }
  // `iat` never goes backwards: a copy held anywhere with a later (or the same) `iat` would win the
  // resolvers' next sync over this JWT, so the claims are signed again, later than that copy.
  let resigned: string | undefined;
  const held = await fleet.lookup(account);
  const ours = mine.iat ?? 0;
  // A copy that says the same in other words may win the sync: nothing is lost.
  const newer = held.found
    .filter((f) => f.jwt !== jwt)
    .map((f) => decodeJwt(f.jwt))
    .filter((c) => (c.iat ?? 0) >= ours && !sameMeaning(mine, c))
    .map((c) => c.iat ?? 0);
  if (newer.length) {
    const heldIat = Math.max(...newer);
    if (!opts.resign) {
      throw new ResolverError(
        `refusing to push account ${account}: a server holds a JWT of it issued at ${iso(heldIat)}, not ` +
          `before this one (${iso(ours)}); the resolvers' sync would put it back. Run pulumi up again to sign anew`,
        [],
        { resource: name },
      );
    }
    jwt = await opts.resign(heldIat + 1);
    resigned =
      `re-signed: a server holds a JWT of account ${account} issued at ${iso(heldIat)}, not before the ` +
      `stack's (${iso(ours)}); pushing the stack's would be reverted by the resolvers' sync`;
    engineLog(`${name}: ${resigned}`);
  }
  // A push is one message: over the smallest max_payload of the servers it is never delivered.
  const tooLarge = pushTooLarge(account, jwt.length, await fleet.payloadLimits());
  if (tooLarge) throw new ResolverError(`refusing to push: ${tooLarge}`, [], { resource: name });
  progress.sent = true;
  const outcome = await fleet.push(jwt);
  if (outcome.rejected.length) {
    const why = outcome.rejected.map((x) => `${serverLabel(x)}: ${x.message}`).join("; ");
    throw new ResolverError(`resolver rejected the JWT: ${why}`, outcome.replies, { resource: name });
  }
  const gaps = shortfall(outcome, r);
  if (gaps.length) {
    throw new ResolverError(
      `push of account ${account} not confirmed by every server: ${gaps.join("; ")}. Stored by: ` +
        `${outcome.confirmed.map(serverLabel).join(", ") || "none"}` +
        (outcome.cached.length
          ? `; cache resolvers (not stored): ${outcome.cached.map(serverLabel).join(", ")}`
          : "") +
        `. Bring the servers named back (or reachable) and run pulumi up again; if one was removed for ` +
        `good, set resolver.expectedServersByCluster (or expectedServers) to the servers that remain`,
      outcome.replies,
      { resource: name },
    );
  }
  const servers = outcome.confirmed.map((s) => ({
    id: s.id,
    name: s.name,
    ...(s.cluster ? { cluster: s.cluster } : {}),
  }));
  return { pushedTo: outcome.accepted, servers, jwt, ...(resigned ? { resigned } : {}) };
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** Why a push that no server refused still does not count, one line per reason. */
function shortfall(outcome: FleetOutcome, r: AccountResolver): string[] {
  const timeout = r.timeoutMs ?? 5000;
  const gaps: string[] = outcome.silent.map(
    (s) => `${serverLabel(s)} did not answer within ${timeout} ms (resolver.timeoutMs)`,
  );
  gaps.push(...outcome.unconfirmed.map((u) => `${u.url} not asked (${u.reason})`));
  if (outcome.confirmed.length === 0) gaps.push("no full resolver stored the JWT");
  const want = r.expectedServers;
  if (typeof want === "number" && outcome.accepted < want) {
    gaps.push(`only ${outcome.accepted} of ${want} servers stored it (resolver.expectedServers)`);
  }
  for (const [cluster, n] of Object.entries(r.expectedServersByCluster ?? {})) {
    const got = outcome.confirmed.filter((s) => s.cluster === cluster);
    if (got.length < Number(n)) {
      gaps.push(
        `cluster ${cluster}: only ${got.length} of ${n} servers stored it` +
          `${got.length ? ` (${got.map((s) => s.name).join(", ")})` : ""} (resolver.expectedServersByCluster)`,
      );
    }
  }
  return gaps;
}

function unverifiedText(list: Unconfirmed[]): string {
  return list.map((u) => `${u.url} not asked (${u.reason})`).join("; ");
}

function unconfirmedText(list: Unconfirmed[]): string {
  return list.map((u) => `${u.url} did not confirm (${u.reason})`).join("; ");
}

/** What a refresh found: the JWT every server holds and can use, and otherwise what differs. */
export interface Held {
  /** Claims hash of the JWT every listed server holds and can use; "" otherwise (an update follows). */
  pushedHash: string;
  pushedTo: number;
  /** Where the servers disagree with the stack's JWT, claim by claim; absent when they agree. */
  drift?: DriftReport;
  /** Present when some server holds a JWT of the account (whichever): destroy must delete it there. */
  onServers?: true;
}

/**
 * What the servers hold for the account: the claims hash and server count when every listed server
 * holds one and the same JWT that every server can use (trusted signer, not expired); otherwise
 * nothing (`pushedHash` ""), which `diff` shows as an update and `up` pushes again. Either way,
 * `drift` says what differs from `props.jwt` (the stack's JWT), by claim.
 */
export async function lookupAccount(
  r: AccountResolver,
  props: AccountProps & { jwt?: string },
): Promise<Held> {
  const account = String((props as { publicKey?: string }).publicKey);
  let fleet: ResolverFleet;
  try {
    fleet = await ResolverFleet.open(connection(r));
  } catch (e) {
    // No server could be asked: nothing is verified, and refresh says so instead of failing.
    return { pushedHash: "", pushedTo: 0, drift: { unverified: `no server answered: ${describe(e)}` } };
  }
  const found = await fleet.lookup(account);
  const drift: DriftReport = {};
  const total = Math.max(found.expected, found.found.length + found.missing.length);
  // Full resolvers drop a JWT once it expires: that is no loss to push back, but an expiry to move.
  const expired = typeof props.jwt === "string" ? expiredAt(props.jwt) : undefined;
  if (expired) {
    drift.expired = `the account JWT expired at ${expired}: servers refuse it; set a later expires (or remove it) and run pulumi up`;
  }
  if (found.found.length === 0) {
    drift.account = expired
      ? `servers: absent, program: expired at ${expired} (servers drop an expired JWT)`
      : "servers: absent, program: signed (the resolver lost it)";
  } else if (found.missing.length) drift.account = `missing on ${found.missing.length} of ${total} servers`;
  // A server that could not be asked is never counted as holding the JWT: its copy is unverified.
  if (found.unconfirmed.length) drift.unverified = unverifiedText(found.unconfirmed);
  const program = typeof props.jwt === "string" ? decodeJwt(props.jwt) : undefined;
  const programHash = program && claimsHash(program);
  const jwts = [...new Set(found.found.map((f) => f.jwt))];
  const operatorKeys = [String(props.operatorPublicKey), ...(props.operatorSigningKeys ?? [])];
  const hashes = new Set<string>();
  for (const jwt of jwts) {
    const held = decodeJwt(jwt);
    // A copy that says what the program says in other words (JetStream's -1 vs absent, written by
    // nsc say) is held as the program's: neither drift nor a reason to push again.
    const heldHash = program && sameMeaning(program, held) ? programHash! : claimsHash(held);
    hashes.add(heldHash);
    const count = found.found.filter((f) => f.jwt === jwt).length;
    const where = count === total ? "servers" : `${count} of ${total} servers`;
    if (program && heldHash !== programHash) Object.assign(drift, claimsDrift(program, held, where));
    if (!operatorKeys.includes(held.iss)) {
      // Short: the CLI cuts long values; the `iss` entry names the key.
      drift.issuer = `${where}: not signed by this stack's operator keys`;
    }
  }
  // A copy issued at or after the stack's JWT wins the resolvers' sync: `up` signs again (pushOnce).
  const programIat = program?.iat ?? 0;
  const later = jwts.filter(
    (j) => j !== props.jwt && (decodeJwt(j).iat ?? 0) >= programIat && !sameMeaning(program!, decodeJwt(j)),
  );
  if (program && later.length) {
    const heldIat = Math.max(...later.map((j) => decodeJwt(j).iat ?? 0));
    drift.iat =
      `a server holds a JWT issued at ${iso(heldIat)}, not before the stack's (${iso(programIat)}): ` +
      "up signs the account again, later (pushing the stack's JWT as it is would be reverted by the resolvers' sync)";
  }
  // Which server holds what: lookup replies name no server, so ask the ones whose replies do.
  if (Object.keys(drift).some((k) => k !== "expired")) {
    const per = perServer(
      await fleet.holdings(account).catch((): ServerHolding[] => []),
      props.jwt,
      programHash,
    );
    if (per) drift.servers = per;
  }
  const everywhere =
    found.found.length > 0 &&
    found.missing.length === 0 &&
    found.unconfirmed.length === 0 &&
    found.found.length >= found.expected;
  const report = {
    ...(Object.keys(drift).length ? { drift } : {}),
    ...(found.found.length ? { onServers: true as const } : {}),
  };
  if (!everywhere || hashes.size !== 1) return { pushedHash: "", pushedTo: 0, ...report };
  // Held but useless (an untrusted signer after an operator change, or expired) is not held.
  const trust = await fleet.trust();
  const useless = jwts.flatMap((j) => [
    ...(expiredAt(j) !== undefined ? [`expired at ${expiredAt(j)}`] : []),
    ...trustProblems(j, trust).map((p) => `${p.server}: ${p.reason}`),
  ]);
  if (useless.length) {
    return { pushedHash: "", pushedTo: 0, onServers: true, drift: { ...drift, usable: useless.join("; ") } };
  }
  return { pushedHash: [...hashes][0], pushedTo: found.found.length, ...report };
}

/**
 * One line per server that disagrees with the program: "s4 (cluster b) holds a JWT issued at …
 * signed by …", "s5 (cluster b): absent", or held but not loaded (its copy cannot be told apart).
 */
function perServer(
  holdings: ServerHolding[],
  programJwt: string | undefined,
  programHash: string | undefined,
): string | undefined {
  const lines: string[] = [];
  for (const h of [...holdings].sort((a, b) => serverLabel(a.server).localeCompare(serverLabel(b.server)))) {
    const who = serverLabel(h.server);
    if (h.holds === undefined && !h.jwt) lines.push(`${who}: did not answer`);
    else if (h.holds === false) lines.push(`${who}: absent`);
    else if (h.jwt && h.jwt !== programJwt) {
      const c = decodeJwt(h.jwt);
      if (programHash && claimsHash(c) === programHash) continue;
      lines.push(`${who} holds a JWT issued at ${iso(c.iat ?? 0)} signed by ${c.iss}`);
    } else if (!h.jwt) lines.push(`${who}: holds a JWT (not loaded there, so which copy is not known)`);
  }
  return lines.length ? lines.join("; ") : undefined;
}

/** Deletes the account from every listed server; throws naming what refused or did not confirm. */
export async function deleteAccount(
  name: string,
  r: AccountResolver,
  account: string,
  signer: NKeyPair,
): Promise<void> {
  let fleet: ResolverFleet;
  try {
    fleet = await ResolverFleet.open(connection(r));
  } catch (e) {
    throw new ResolverError(
      `cannot delete the account from its servers: ${describe(e)}. Bring the servers up and destroy ` +
        `again, or set resolver.onDelete = "retain" to leave the JWT on the servers`,
      [],
      { resource: name, cause: e },
    );
  }
  const outcome = await fleet.deleteAccounts([account], signer);
  if (outcome.rejected.length) {
    const why = outcome.rejected.map((x) => `${x.server}: ${x.message}`).join("; ");
    throw new ResolverError(
      `the resolver refused to delete the account (${why}). Enable allow_delete on the servers, ` +
        `or set resolver.onDelete = "retain" to leave the JWT on the servers and drop it from state`,
      outcome.replies,
      { resource: name },
    );
  }
  if (outcome.unconfirmed.length || outcome.silent.length) {
    const silent = outcome.silent.map((s) => `${serverLabel(s)} did not answer`);
    throw new ResolverError(
      `the delete was not confirmed: ${[unconfirmedText(outcome.unconfirmed), ...silent].filter(Boolean).join("; ")}. Bring the servers up and ` +
        `destroy again, or set resolver.onDelete = "retain" to leave the JWT on the servers`,
      outcome.replies,
      { resource: name },
    );
  }
}
