/**
 * Client of the NATS account resolver (`resolver { type: full }` or `cache`), spoken over a system
 * account connection: push, look up, list and delete account JWTs on every server of a deployment.
 *
 * Every request is one publish whose replies are collected on a private inbox. A request stops as
 * soon as every server has answered (the count comes from `$SYS.REQ.SERVER.PING`), so nothing here
 * waits a fixed time; the timeout is only an upper bound for servers that never answer.
 */
import type { Msg, NatsConnection } from "@nats-io/nats-core";
import { deleteAccountsClaims } from "../core/claims";
import { parseCreds } from "../core/creds";
import { describe, ResolverError, type ServerReply } from "../core/errors";
import { decodeJwt, sign } from "../core/jwt";
import { pushTooLarge } from "../core/limits";
import type { NKeyPair } from "../core/nkeys";
import { type ServerTrust, type TrustedOperator, trustedOperatorOf } from "../core/pushCheck";

/**
 * TLS of the resolver connection (nsc push `--ca-cert`, `--client-cert`, `--client-key`,
 * `--tls-first`). Files are read where `pulumi up` runs; the PEM fields carry the text itself.
 */
export interface ResolverTls {
  /** CA certificate file the servers' certificates are verified against. */
  caFile?: string;
  /** The CA certificate itself (PEM). */
  ca?: string;
  /** Client certificate file (for servers that verify clients). */
  certFile?: string;
  /** Client private key file. */
  keyFile?: string;
  /** Client certificate (PEM). */
  cert?: string;
  /** Client private key (PEM). */
  key?: string;
  /** TLS before the NATS INFO (servers with `handshake_first`). */
  handshakeFirst?: boolean;
}

/** Where the resolver servers are and how to reach them. */
export interface ResolverConnection {
  /** Server URLs ("nats://host:4222"); the client connects to one and reaches the rest through it. */
  servers: string[];
  /** The `.creds` text of a user of the system account. */
  creds: string;
  /**
   * Upper bound in milliseconds (default 5000) for connecting (TCP and the server's INFO) and for each
   * request; requests end earlier when all servers answered. A server that is down, unreachable or
   * frozen therefore costs at most a few multiples of it (connect, server count, request), never a hang.
   */
  timeoutMs?: number;
  /** TLS settings; without them TLS is still used when a server requires it (system CAs). */
  tls?: ResolverTls;
}

/** What the servers answered to a push (`$SYS.REQ.CLAIMS.UPDATE`). */
export interface PushOutcome {
  /** The account the JWT is for (its `sub`). */
  account: string;
  /** How many servers were expected to answer (0 when the count itself failed). */
  expected: number;
  /** Every reply, parsed. */
  replies: ServerReply[];
  /** How many servers stored the JWT. */
  accepted: number;
  /** The replies that reported an error. */
  rejected: ServerReply[];
}

/** What the servers answered to a delete request (`$SYS.REQ.CLAIMS.DELETE`). */
export interface DeleteOutcome {
  /** The accounts asked to be deleted. */
  accounts: string[];
  /** How many servers were expected to answer. */
  expected: number;
  /** Every reply, parsed. */
  replies: ServerReply[];
  /** How many servers carried out the delete. */
  accepted: number;
  /** The replies that reported an error (e.g. "delete must be enabled in server config"). */
  rejected: ServerReply[];
}

/** What the servers answered to a lookup (`$SYS.REQ.ACCOUNT.<A>.CLAIMS.LOOKUP`). */
export interface LookupOutcome {
  /** How many servers were expected to answer. */
  expected: number;
  /**
   * The JWTs found. Lookup replies carry no server identity, so `server` is a label ("reply 1", …)
   * in arrival order, not a server name.
   */
  found: { server: string; jwt: string }[];
  /** Labels of the replies that were empty: servers that do not have the account (2.9.17+). */
  missing: string[];
  /** How many replies arrived; servers before 2.9.17 stay silent for a missing account. */
  answered: number;
}

/**
 * A server that answers system requests, as its `$SYS.REQ.SERVER.PING` reply names it. `id` is what
 * pushes are confirmed by (names may repeat across clusters; ids do not).
 */
export interface ServerIdentity {
  id: string;
  name: string;
  /** Its cluster, when it is in one (a standalone server or a leaf node has none). */
  cluster?: string;
  /** Its JetStream domain, when it has one. */
  domain?: string;
}

/**
 * Whether two identities are the same server. A nats-server draws a new id at every start, so a
 * server remembered from an earlier push is recognised by its name within its cluster too (names
 * are unique in a cluster).
 */
export function sameServer(a: ServerIdentity, b: ServerIdentity): boolean {
  return a.id === b.id || (a.name === b.name && (a.cluster ?? "") === (b.cluster ?? ""));
}

/** "s4 (cluster b)": how errors and reports name a server. */
export function serverLabel(s: { name?: string; server?: string; id?: string; cluster?: string }): string {
  const name = s.name ?? s.server ?? s.id ?? "unknown server";
  return s.cluster ? `${name} (cluster ${s.cluster})` : `${name} (no cluster)`;
}

/** What one server has loaded for an account (`$SYS.REQ.SERVER.PING.ACCOUNTZ`). */
export interface ServerAccountz {
  server: ServerIdentity;
  /** The account JWT the server uses; absent when the server has not loaded the account. */
  jwt?: string;
  /** Why there is no JWT ("Account … does not exist": not loaded there). */
  error?: string;
}

/** The accounts one server's resolver holds. */
export interface ServerAccounts {
  server: string;
  id?: string;
  cluster?: string;
  accounts: string[];
}

export const DEFAULT_TIMEOUT_MS = 5000;
/** After the first statsz reply, how long silence must last before the count is taken as complete. */
const PING_QUIET_MS = 250;
/** How long a server count stays valid. Short, so servers joining or leaving are noticed within a run. */
const COUNT_TTL_MS = 2000;

const SUBJECT = {
  ping: "$SYS.REQ.SERVER.PING",
  varz: "$SYS.REQ.SERVER.PING.VARZ",
  accountz: "$SYS.REQ.SERVER.PING.ACCOUNTZ",
  update: "$SYS.REQ.CLAIMS.UPDATE",
  list: "$SYS.REQ.CLAIMS.LIST",
  delete: "$SYS.REQ.CLAIMS.DELETE",
  lookup: (account: string) => `$SYS.REQ.ACCOUNT.${account}.CLAIMS.LOOKUP`,
} as const;

// transport-node re-exports all of nats-core at runtime, but through a subpath export that this
// project's "node" module resolution cannot follow, so the re-exported part is typed from nats-core.
type Transport = typeof import("@nats-io/transport-node") &
  Pick<typeof import("@nats-io/nats-core"), "createInbox" | "credsAuthenticator">;

interface CollectOptions {
  /** Stop once this many replies arrived; a promise lets the publish go out before the count is known. */
  expected?: number | Promise<number | undefined>;
  /** Stop when no reply arrived for this long after the last one. */
  quietMs?: number;
  /** Stop when this says the replies are complete. */
  complete?: (msgs: Msg[]) => boolean;
  /** A quiet period ends the request only when this agrees (else it runs to its timeout). */
  quietEnds?: (msgs: Msg[]) => boolean;
}

interface VarzReply {
  server?: { name?: string; id?: string };
  data?: { trusted_operators_claim?: unknown; trusted_operators_jwt?: unknown; max_payload?: unknown };
}

interface StatszReply {
  server?: { name?: string; id?: string; cluster?: string; domain?: string };
  statsz?: { active_servers?: number; routes?: { name?: string }[] };
}

/** Busy/idle bookkeeping the pool reads; kept outside the class so it is not part of its API. */
export const resolverUsage = new WeakMap<ResolverClient, { active: number; lastUsed: number }>();
const usage = resolverUsage;

/** A connection to the resolver servers as a system account user. */
export class ResolverClient {
  readonly #nc: NatsConnection;
  readonly #servers: string[];
  readonly #timeoutMs: number;
  readonly #inbox: string;
  readonly #pending = new Map<string, (msg: Msg) => void>();
  readonly #closers = new Set<() => void>();
  readonly #closedListeners: (() => void)[] = [];
  #seq = 0;
  #count: { value: number; servers: ServerIdentity[]; at: number } | undefined;
  #counting: Promise<number> | undefined;
  #trust: { value: ServerTrust[]; at: number } | undefined;
  #trusting: Promise<ServerTrust[]> | undefined;
  /** The server's recent -ERR texts (permission violations): a request they explain is not a silence. */
  readonly #refusals: string[] = [];
  readonly #refusalListeners = new Set<(text: string) => void>();

  private constructor(nc: NatsConnection, transport: Transport, conn: ResolverConnection, timeoutMs: number) {
    this.#nc = nc;
    this.#servers = [...conn.servers];
    this.#timeoutMs = timeoutMs;
    // One wildcard subscription serves every request: concurrent pushes cost no SUB/UNSUB each.
    this.#inbox = transport.createInbox();
    nc.subscribe(`${this.#inbox}.*`, {
      callback: (err, msg) => {
        if (err) return;
        this.#pending.get(msg.subject.slice(this.#inbox.length + 1))?.(msg);
      },
    });
    // The server refuses a publish or subscription it does not permit with an -ERR and nothing else:
    // kept, so a request that gets no reply says why instead of asking whether the user is right.
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type !== "error") continue;
        const text = describe(s.error);
        this.#refusals.push(text);
        if (this.#refusals.length > 20) this.#refusals.shift();
        for (const listener of [...this.#refusalListeners]) listener(text);
      }
    })().catch(() => undefined);
    // A request in flight when the connection dies ends with what it has instead of waiting out its timeout.
    // A connection that gave up reconnecting leaves the pool, so the next resource connects afresh.
    void nc.closed().then(() => {
      for (const close of [...this.#closers]) close();
      this.#leavePool();
    });
    usage.set(this, { active: 0, lastUsed: Date.now() });
  }

  /** Connects with the system account user's creds; a failure names the servers tried and the cause. */
  static async connect(conn: ResolverConnection): Promise<ResolverClient> {
    const timeoutMs = conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const servers = conn.servers ?? [];
    const where = servers.join(", ") || "(none)";
    if (servers.length === 0) throw new ResolverError("resolver connection: no servers given");
    try {
      parseCreds(conn.creds);
    } catch {
      throw new ResolverError(`resolver connection to ${where}: creds are not a NATS .creds text`);
    }
    const transport: Transport = (await import("@nats-io/transport-node")) as unknown as Transport;
    try {
      const nc = await transport.connect({
        servers,
        authenticator: transport.credsAuthenticator(new TextEncoder().encode(conn.creds)),
        timeout: timeoutMs,
        name: "pulumi-nats-auth resolver",
        ...(conn.tls ? { tls: { ...conn.tls } } : {}),
      });
      return new ResolverClient(nc, transport, conn, timeoutMs);
    } catch (err) {
      const cause = new Error(describe(err));
      // nats.js says only "timeout": the socket opened (or hung) but no INFO came, as from a stopped
      // (SIGSTOP) or overloaded server. Say so, with the bound that ended the wait.
      const why =
        err instanceof Error && err.name === "TimeoutError"
          ? `no answer within ${timeoutMs} ms (resolver.timeoutMs); is the server frozen or overloaded?`
          : describe(err);
      throw new ResolverError(`cannot connect to NATS server(s) ${where}: ${why}`, [], { cause });
    }
  }

  /**
   * How many servers answer system requests, counted from `$SYS.REQ.SERVER.PING` statsz replies.
   * Ends once every server the repliers know of has answered, else after a short silence; cached ~2 s.
   */
  async serverCount(): Promise<number> {
    if (this.#count && Date.now() - this.#count.at < COUNT_TTL_MS) return this.#count.value;
    this.#counting ??= this.#track(this.#countServers()).finally(() => {
      this.#counting = undefined;
    });
    return this.#counting;
  }

  /**
   * The name of the server this connection is attached to (from its INFO), or its id when unnamed.
   * A server's replies to system requests carry the same name, which is how a URL is matched to the
   * replies that prove its server took a request.
   */
  get serverName(): string | undefined {
    const info = this.#nc.isClosed() ? undefined : this.#nc.info;
    return info?.server_name || info?.server_id || undefined;
  }

  /** The `max_payload` of the server this connection is attached to (from its INFO), when connected. */
  get maxPayload(): number | undefined {
    const info = this.#nc.isClosed() ? undefined : this.#nc.info;
    return typeof info?.max_payload === "number" ? info.max_payload : undefined;
  }

  /** The id of the server this connection is attached to (from its INFO). */
  get serverId(): string | undefined {
    const info = this.#nc.isClosed() ? undefined : this.#nc.info;
    return info?.server_id || undefined;
  }

  /**
   * The servers that answer system requests through this connection, every cluster a gateway links
   * and every leaf node whose remote binds the system account (cached like the count).
   */
  async servers(): Promise<ServerIdentity[]> {
    await this.serverCount();
    return [...(this.#count?.servers ?? [])];
  }

  /** The names of the servers that answer system requests through this connection (cached like the count). */
  async serverNames(): Promise<string[]> {
    return (await this.servers()).map((s) => s.name);
  }

  /**
   * What every server has loaded for `account` (`$SYS.REQ.SERVER.PING.ACCOUNTZ`), each reply naming
   * its server. A server answers with the JWT only when the account is loaded there (a client of it
   * connected, say); the full resolver's stored copy is what `lookup` returns, unattributed.
   */
  async accountz(account: string): Promise<ServerAccountz[]> {
    if (!/^A[A-Z2-7]{55}$/.test(account))
      throw new ResolverError(`accountz: "${account}" is not an account key`);
    return this.#track(
      (async () => {
        const msgs = await this.#collect(SUBJECT.accountz, JSON.stringify({ account }), {
          expected: this.#expected(),
        });
        const out: ServerAccountz[] = [];
        for (const m of msgs) {
          let body: {
            server?: { name?: string; id?: string; cluster?: string };
            data?: { account_detail?: { jwt?: string } };
            error?: { description?: string };
          };
          try {
            body = m.json();
          } catch {
            continue;
          }
          const id = body.server?.id;
          if (!id) continue;
          const server: ServerIdentity = {
            id,
            name: body.server?.name || id,
            ...(body.server?.cluster ? { cluster: body.server.cluster } : {}),
          };
          const jwt = body.data?.account_detail?.jwt;
          out.push(
            jwt ? { server, jwt } : { server, error: body.error?.description ?? "account not loaded" },
          );
        }
        return out;
      })(),
    );
  }

  /**
   * What each server reachable through this connection trusts, from `$SYS.REQ.SERVER.PING.VARZ`
   * (`trusted_operators_claim`, else `trusted_operators_jwt`; both 2.9.10 and 2.14.9 send them), with
   * its `max_payload`. A server that answered the ping but not this request is listed without
   * `operators`. Cached ~2 s.
   */
  async trustedOperators(): Promise<ServerTrust[]> {
    if (this.#trust && Date.now() - this.#trust.at < COUNT_TTL_MS) return this.#trust.value;
    this.#trusting ??= this.#track(this.#askTrust()).finally(() => {
      this.#trusting = undefined;
    });
    return this.#trusting;
  }

  async #askTrust(): Promise<ServerTrust[]> {
    const names = await this.serverNames();
    const msgs = await this.#collect(SUBJECT.varz, "", { expected: names.length || undefined });
    const byName = new Map<string, ServerTrust>();
    for (const m of msgs) {
      const trust = trustOf(m);
      if (trust) byName.set(trust.server, trust);
    }
    const value = [...new Set([...names, ...byName.keys()])].map(
      (server): ServerTrust => byName.get(server) ?? { server, operators: undefined },
    );
    this.#trust = { value, at: Date.now() };
    return value;
  }

  /**
   * Sends an account JWT to every resolver (`$SYS.REQ.CLAIMS.UPDATE`, without headers, which servers
   * before 2.9.15 reject). Returns as soon as every server answered; fewer answers are reported in the
   * counts, not thrown. Throws only when no server answered at all.
   */
  async push(jwt: string): Promise<PushOutcome> {
    const account = accountOf(jwt);
    // The client would refuse the publish anyway; said here with the sizes, not as a lost reply.
    const max = this.maxPayload;
    const tooLarge =
      max === undefined
        ? undefined
        : pushTooLarge(account, jwt.length, [
            { server: this.serverName ?? this.#nc.getServer(), maxPayload: max },
          ]);
    if (tooLarge) throw new ResolverError(tooLarge);
    return this.#track(
      (async () => {
        const expected = this.#expected();
        const msgs = await this.#collect(SUBJECT.update, jwt, { expected });
        const count = (await expected) ?? 0;
        if (msgs.length === 0) throw this.#silence(`push of account ${account}`, SUBJECT.update);
        return { account, expected: count, ...tally(msgs) };
      })(),
    );
  }

  /**
   * Asks every resolver for an account's JWT. Servers that have it reply with the JWT, others with an
   * empty message (2.9.17+) or not at all (older), so no replies is a valid answer here, not an error.
   */
  async lookup(account: string): Promise<LookupOutcome> {
    if (!/^A[A-Z2-7]{55}$/.test(account))
      throw new ResolverError(`lookup: "${account}" is not an account key`);
    return this.#track(
      (async () => {
        const expected = this.#expected();
        const msgs = await this.#collect(SUBJECT.lookup(account), "", { expected });
        const found: LookupOutcome["found"] = [];
        const missing: string[] = [];
        msgs.forEach((m, i) => {
          const label = `reply ${i + 1}`;
          if (m.data.length === 0) missing.push(label);
          else found.push({ server: label, jwt: m.string() });
        });
        return { expected: (await expected) ?? 0, found, missing, answered: msgs.length };
      })(),
    );
  }

  /**
   * Deletes accounts from every resolver with a generic JWT signed by the operator (or, under strict
   * signing key usage, an operator signing key). Servers refuse unless `allow_delete: true`; such
   * refusals come back in `rejected`, with the server's text.
   */
  async deleteAccounts(accounts: string[], operatorSigner: NKeyPair): Promise<DeleteOutcome> {
    if (accounts.length === 0) return { accounts: [], expected: 0, replies: [], accepted: 0, rejected: [] };
    return this.#track(
      (async () => {
        const expected = this.#expected();
        const jwt = await sign(deleteAccountsClaims(operatorSigner.getPublicKey(), accounts), operatorSigner);
        const msgs = await this.#collect(SUBJECT.delete, jwt, { expected });
        if (msgs.length === 0) throw this.#silence(`delete of ${accounts.join(", ")}`, SUBJECT.delete);
        return { accounts: [...accounts], expected: (await expected) ?? 0, ...tally(msgs) };
      })(),
    );
  }

  /** The accounts each resolver holds (`$SYS.REQ.CLAIMS.LIST`). */
  async list(): Promise<ServerAccounts[]> {
    return this.#track(
      (async () => {
        const msgs = await this.#collect(SUBJECT.list, "", { expected: this.#expected() });
        if (msgs.length === 0) throw this.#silence("list", SUBJECT.list);
        return msgs.map((m) => {
          const reply = ResolverError.parseReply(m.string());
          const body = JSON.parse(m.string()) as { data?: unknown };
          const accounts = Array.isArray(body.data) ? body.data.filter((a) => typeof a === "string") : [];
          return {
            server: reply.server,
            ...(reply.id ? { id: reply.id } : {}),
            ...(reply.cluster ? { cluster: reply.cluster } : {}),
            accounts,
          };
        });
      })(),
    );
  }

  /** Closes the connection; requests in flight end with the replies they have. */
  async close(): Promise<void> {
    this.#leavePool();
    if (!this.#nc.isClosed()) await this.#nc.close();
  }

  /** Runs `listener` once the connection is closed (by `close()` or because it gave up). */
  onClosed(listener: () => void): void {
    this.#closedListeners.push(listener);
  }

  #leavePool(): void {
    for (const listener of this.#closedListeners.splice(0)) listener();
  }

  async #countServers(): Promise<number> {
    const msgs = await this.#collect(SUBJECT.ping, "", {
      quietMs: PING_QUIET_MS,
      complete: allServersAnswered,
      // A loaded server can answer after the quiet period: never stop while a named peer is missing.
      quietEnds: routePeersAnswered,
    });
    if (msgs.length === 0) throw this.#silence("server count", SUBJECT.ping);
    const byId = new Map<string, ServerIdentity>();
    msgs.forEach((m, i) => {
      const s = identityOf(m) ?? { id: `#${i}`, name: `#${i}` };
      byId.set(s.id, s);
    });
    this.#count = { value: byId.size, servers: [...byId.values()], at: Date.now() };
    return byId.size;
  }

  /** The server count for a request, or undefined when it cannot be had (the request then runs to its timeout). */
  #expected(): Promise<number | undefined> {
    return this.serverCount().catch(() => undefined);
  }

  #silence(what: string, subject: string): ResolverError {
    const connected = this.#nc.isClosed() ? "connection closed" : `connected to ${this.#nc.getServer()}`;
    const refused = this.#refusals.filter(
      (r) => r.includes(subject) || r.includes(this.#inbox.split(".")[0]),
    );
    if (refused.length) {
      return new ResolverError(
        `${what}: the server refused it: ${[...new Set(refused)].join("; ")} (servers ${this.#servers.join(", ")}, ` +
          `${connected}); the resolver user needs to publish ${subject} and subscribe to _INBOX.>`,
      );
    }
    return new ResolverError(
      `${what}: no server answered ${subject} within ${this.#timeoutMs} ms (servers ${this.#servers.join(", ")}, ` +
        `${connected}); do the servers run a full or cache resolver and is this a system account user?`,
    );
  }

  async #track<T>(work: Promise<T>): Promise<T> {
    const u = usage.get(this)!;
    u.active++;
    try {
      return await work;
    } finally {
      u.active--;
      u.lastUsed = Date.now();
    }
  }

  /**
   * Publishes once and gathers replies until the stop condition, the timeout or the connection's end.
   * A publish the client refuses (over max_payload, connection draining) fails the request with the
   * client's reason: it is not a silence to be reported as "no server answered".
   */
  #collect(subject: string, payload: string, opts: CollectOptions): Promise<Msg[]> {
    return new Promise((resolve, reject) => {
      const token = String(++this.#seq);
      const msgs: Msg[] = [];
      let expected = typeof opts.expected === "number" ? opts.expected : undefined;
      let quiet: NodeJS.Timeout | undefined;
      let done = false;
      const end = (): boolean => {
        if (done) return false;
        done = true;
        clearTimeout(deadline);
        clearTimeout(quiet);
        this.#pending.delete(token);
        this.#closers.delete(finish);
        this.#refusalListeners.delete(refused);
        return true;
      };
      const finish = () => {
        if (end()) resolve(msgs);
      };
      const check = () => {
        if (expected !== undefined && expected > 0 && msgs.length >= expected) finish();
        else if (msgs.length > 0 && opts.complete?.(msgs)) finish();
      };
      const deadline = setTimeout(finish, this.#timeoutMs);
      this.#closers.add(finish);
      // A refused publish gets no reply from anyone: the request ends at once, not at its timeout.
      const refused = (text: string) => {
        if (text.includes(`"${subject}"`)) finish();
      };
      this.#refusalListeners.add(refused);
      this.#pending.set(token, (msg) => {
        if (done) return;
        msgs.push(msg);
        if (opts.quietMs !== undefined) {
          clearTimeout(quiet);
          quiet = setTimeout(() => {
            if (!opts.quietEnds || opts.quietEnds(msgs)) finish();
          }, opts.quietMs);
        }
        check();
      });
      if (opts.expected instanceof Promise) {
        void opts.expected.then((n) => {
          expected = n;
          check();
        });
      }
      if (this.#nc.isClosed()) {
        finish();
        return;
      }
      try {
        // No headers: servers before 2.9.15 fail UPDATE/DELETE messages that carry any.
        this.#nc.publish(subject, payload, { reply: `${this.#inbox}.${token}` });
      } catch (err) {
        if (!end()) return;
        reject(
          new ResolverError(
            `the client refused to publish ${subject} (${payload.length} bytes) to ${this.#nc.getServer()}: ${describe(err)}`,
            [],
            { cause: err },
          ),
        );
      }
    });
  }
}

function identityOf(msg: Msg): ServerIdentity | undefined {
  try {
    const s = msg.json<StatszReply>().server;
    if (!s?.id) return undefined;
    return {
      id: s.id,
      name: s.name || s.id,
      ...(s.cluster ? { cluster: s.cluster } : {}),
      ...(s.domain ? { domain: s.domain } : {}),
    };
  } catch {
    return undefined;
  }
}

/** One server's trusted operators from its varz reply; undefined when the reply is not a varz. */
function trustOf(msg: Msg): ServerTrust | undefined {
  let body: VarzReply;
  try {
    body = msg.json<VarzReply>();
  } catch {
    return undefined;
  }
  const server = body.server?.name || body.server?.id;
  if (!server || !body.data) return undefined;
  const fromClaims = Array.isArray(body.data.trusted_operators_claim)
    ? (body.data.trusted_operators_claim as { sub?: unknown; nats?: unknown }[])
    : undefined;
  const fromJwts = Array.isArray(body.data.trusted_operators_jwt)
    ? body.data.trusted_operators_jwt
        .filter((j): j is string => typeof j === "string")
        .map((j) => decodeJwt(j))
    : [];
  const operators = (fromClaims ?? fromJwts)
    .map((c) => trustedOperatorOf(c))
    .filter((o): o is TrustedOperator => o !== undefined);
  const maxPayload = typeof body.data.max_payload === "number" ? body.data.max_payload : undefined;
  return { server, operators, ...(maxPayload === undefined ? {} : { maxPayload }) };
}

/**
 * True when the statsz replies so far cover every server the repliers know of: each route peer has
 * answered and every replier counts exactly as many active servers as answered. Any doubt (stale
 * counts, gateways not yet known, unnamed routes) leaves the decision to the quiet period.
 */
function allServersAnswered(msgs: Msg[]): boolean {
  const bodies = statszBodies(msgs);
  const counts: number[] = [];
  for (const body of bodies) {
    if (!body?.server?.name || body.statsz?.active_servers === undefined) return false;
    if ((body.statsz.routes ?? []).some((r) => !r.name)) return false;
    counts.push(body.statsz.active_servers);
  }
  if (missingPeers(bodies).length) return false;
  const answered = new Set(bodies.map((b) => b?.server?.name));
  return counts.every((c) => c === answered.size);
}

/** True unless a replier names a route peer (by server name) that has not answered yet. */
function routePeersAnswered(msgs: Msg[]): boolean {
  return missingPeers(statszBodies(msgs)).length === 0;
}

/** The statsz reply bodies; undefined where a reply does not parse. */
function statszBodies(msgs: Msg[]): (StatszReply | undefined)[] {
  return msgs.map((m) => {
    try {
      return m.json<StatszReply>();
    } catch {
      return undefined;
    }
  });
}

/** Route peers the repliers name that have not answered themselves. */
function missingPeers(bodies: (StatszReply | undefined)[]): string[] {
  const answered = new Set(bodies.map((b) => b?.server?.name).filter((n) => n !== undefined));
  const peers = bodies.flatMap((b) => (b?.statsz?.routes ?? []).map((r) => r.name));
  return peers.filter((p): p is string => p !== undefined && !answered.has(p));
}

function accountOf(jwt: string): string {
  let sub: unknown;
  let type: unknown;
  try {
    const claims = decodeJwt(jwt);
    sub = claims.sub;
    type = claims.nats?.type;
  } catch (err) {
    throw new ResolverError(`push: not a JWT (${describe(err)})`);
  }
  if (type !== "account" || typeof sub !== "string") {
    throw new ResolverError(`push: expected an account JWT, got ${String(type)} claims`);
  }
  return sub;
}

function tally(msgs: Msg[]): { replies: ServerReply[]; accepted: number; rejected: ServerReply[] } {
  const replies = msgs.map((m) => ResolverError.parseReply(m.string()));
  const rejected = replies.filter((r) => !r.ok);
  return { replies, accepted: replies.length - rejected.length, rejected };
}
