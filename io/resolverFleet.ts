/**
 * Every server an account's `resolver.servers` lists, whether they form one cluster, a supercluster
 * (clusters joined by gateways) or several unconnected deployments.
 *
 * A single connection reaches every server that answers system requests through it: its cluster,
 * every gateway-linked cluster, and leaf nodes whose remote binds the system account. A second,
 * unconnected deployment in the list would silently get nothing. So each URL gets its own (pooled)
 * connection, learns the identity of the server behind it (INFO) and of every server it reaches
 * (`$SYS.REQ.SERVER.PING`: id, name, cluster), and URLs whose server an earlier connection already
 * reaches are not asked again: a supercluster is asked once, separate deployments each once.
 *
 * A request is confirmed server by server, keyed by server id: every server the pings found (plus any
 * the caller remembers from an earlier push that did not answer now) must have answered. A cache
 * resolver's answer is kept apart: it does not store the JWT.
 */
import { describe, ResolverError, type ServerReply } from "../core/errors";
import type { PayloadLimit } from "../core/limits";
import type { NKeyPair } from "../core/nkeys";
import type { ServerTrust } from "../core/pushCheck";
import {
  type ResolverClient,
  type ResolverConnection,
  type ServerAccountz,
  type ServerIdentity,
  sameServer,
} from "./resolverClient";
import { sharedResolver } from "./resolverPool";

/** A listed URL that could not be asked, and why. */
export interface Unconfirmed {
  url: string;
  reason: string;
}

/** Replies gathered from every group of servers, server by server. */
export interface FleetOutcome {
  /** Every server expected to answer: those the pings found and remembered ones that did not answer. */
  expected: ServerIdentity[];
  replies: ServerReply[];
  /** Servers whose (full) resolver took the request. */
  confirmed: ServerIdentity[];
  /** `confirmed.length`. */
  accepted: number;
  /** Cache resolvers that answered: they keep the JWT only while cached, for no one else. */
  cached: ServerIdentity[];
  rejected: ServerReply[];
  /** Expected servers that did not answer (down, partitioned, or no resolver that answers). */
  silent: ServerIdentity[];
  /** Listed URLs that could not be asked at all (no connection, or the request failed there). */
  unconfirmed: Unconfirmed[];
}

/** What the servers hold for one account. */
export interface FleetLookup {
  /** How many servers were expected to answer. */
  expected: number;
  /** The stored JWTs (lookup replies name no server). */
  found: { server: string; jwt: string }[];
  missing: string[];
  answered: number;
  unconfirmed: Unconfirmed[];
}

/** What one server holds for an account, named (from `CLAIMS.LIST` and `ACCOUNTZ`). */
export interface ServerHolding {
  server: ServerIdentity;
  /** Whether its resolver lists the account; undefined when it did not answer the list. */
  holds?: boolean;
  /** The JWT it uses, when it has the account loaded. */
  jwt?: string;
}

/** One connection and the listed URLs whose servers it reaches. */
interface Group {
  client: ResolverClient;
  urls: string[];
  reach: ServerIdentity[];
}

/** A listed URL and its connection (or why there is none). */
interface Member {
  url: string;
  client?: ResolverClient;
  id?: string;
  error?: string;
}

export class ResolverFleet {
  readonly #members: Member[];
  readonly #groups: Group[];
  readonly #remembered: ServerIdentity[];
  readonly #dropped = new Set<Group>();

  private constructor(members: Member[], groups: Group[], remembered: ServerIdentity[]) {
    this.#members = members;
    this.#groups = groups;
    this.#remembered = remembered;
  }

  /**
   * Connects to every listed URL (pooled per URL) and groups the URLs by the servers they reach.
   * Unreachable URLs are kept and reported by each request; none reachable at all is an error.
   * `remembered`: servers known to run a resolver (an earlier push's), expected even when they do not
   * answer the ping now, so a server that is down is named rather than silently not counted.
   */
  static async open(conn: ResolverConnection, remembered: ServerIdentity[] = []): Promise<ResolverFleet> {
    const urls = [...new Set(conn.servers ?? [])];
    if (urls.length === 0) throw new ResolverError("resolver connection: no servers given");
    const members: Member[] = await Promise.all(
      urls.map(async (url) => {
        try {
          const client = await sharedResolver({ ...conn, servers: [url] });
          return { url, client, id: client.serverId };
        } catch (err) {
          return { url, error: describe(err) };
        }
      }),
    );
    const reaches = await Promise.all(
      members.map(async (m) => {
        if (!m.client) return [];
        try {
          return await m.client.servers();
        } catch (err) {
          m.error = describe(err);
          return [];
        }
      }),
    );
    const groups: Group[] = [];
    members.forEach((m, i) => {
      if (!m.client || m.error) return;
      const covering = groups.find((g) => m.id !== undefined && g.reach.some((s) => s.id === m.id));
      if (covering) covering.urls.push(m.url);
      else groups.push({ client: m.client, urls: [m.url], reach: reaches[i] });
    });
    if (groups.length === 0) {
      // Each member's error names its URL already.
      const why = members.map((m) => m.error ?? `${m.url}: not connected`).join("; ");
      throw new ResolverError(`no resolver server reachable: ${why}`);
    }
    // A server without `server_name` names itself by its id, which it draws anew at every start:
    // after a restart nothing tells it apart from another server, so only named ones are expected.
    return new ResolverFleet(members, groups, remembered.filter(recognisable));
  }

  /** Listed URLs with no working connection, and why. */
  get unreachable(): Unconfirmed[] {
    return this.#unreachable();
  }

  /** The listed URLs. */
  get urls(): string[] {
    return this.#members.map((m) => m.url);
  }

  /** Every server the pings found (all clusters, every group), by id. */
  get reached(): ServerIdentity[] {
    const byId = new Map<string, ServerIdentity>();
    for (const g of this.#live()) for (const s of g.reach) byId.set(s.id, s);
    return [...byId.values()];
  }

  /** The servers a request must be answered by: those reached, and remembered ones not reached. */
  get expected(): ServerIdentity[] {
    const reached = this.reached;
    return [...reached, ...this.#remembered.filter((s) => !reached.some((r) => sameServer(r, s)))];
  }

  /** What every reachable server trusts, one entry per distinct server. */
  async trust(): Promise<ServerTrust[]> {
    // A connection that stopped answering since `open` (its server went down) leaves the fleet: its
    // URLs are reported as not asked by every later request, and the others go on.
    const lists = await Promise.all(
      this.#live().map((g) =>
        g.client.trustedOperators().catch((err: unknown) => {
          this.#drop(g, err);
          return [];
        }),
      ),
    );
    const byServer = new Map<string, ServerTrust>();
    for (const t of lists.flat()) if (!byServer.get(t.server)?.operators) byServer.set(t.server, t);
    return [...byServer.values()];
  }

  /**
   * The `max_payload` of every server the push reaches: each one's VARZ (through `trust()`, cached),
   * and each connection's INFO (the limit its client applies before publishing).
   */
  async payloadLimits(): Promise<PayloadLimit[]> {
    const limits: PayloadLimit[] = [];
    for (const t of await this.trust()) {
      if (t.maxPayload !== undefined) limits.push({ server: t.server, maxPayload: t.maxPayload });
    }
    for (const g of this.#live()) {
      const max = g.client.maxPayload;
      if (max !== undefined) limits.push({ server: g.client.serverName ?? g.urls[0], maxPayload: max });
    }
    return limits;
  }

  /** Pushes an account JWT once per group (once for a whole supercluster); see `FleetOutcome`. */
  push(jwt: string): Promise<FleetOutcome> {
    return this.#each(async (c) => (await c.push(jwt)).replies);
  }

  /** Deletes accounts once per group, signed by the operator (or an operator signing key). */
  deleteAccounts(accounts: string[], operatorSigner: NKeyPair): Promise<FleetOutcome> {
    return this.#each(async (c) => (await c.deleteAccounts(accounts, operatorSigner)).replies);
  }

  /**
   * Looks an account up once per group. Lookup replies carry no server name, so a group counts as
   * covered when as many of its servers answered as it reaches; `holdings` names the servers.
   */
  async lookup(account: string): Promise<FleetLookup> {
    const unconfirmed = this.#unreachable();
    const groups = this.#live();
    const outs = await Promise.all(
      groups.map(async (g) => {
        try {
          return await g.client.lookup(account);
        } catch (err) {
          for (const url of g.urls) unconfirmed.push({ url, reason: describe(err) });
          return undefined;
        }
      }),
    );
    const result: FleetLookup = { expected: 0, found: [], missing: [], answered: 0, unconfirmed };
    outs.forEach((o, i) => {
      if (!o) return;
      const tag = (label: string) => (groups.length > 1 ? `${groups[i].urls[0]} ${label}` : label);
      result.expected += Math.max(o.expected, groups[i].reach.length);
      result.found.push(...o.found.map((f) => ({ ...f, server: tag(f.server) })));
      result.missing.push(...o.missing.map(tag));
      result.answered += o.answered;
    });
    return result;
  }

  /**
   * What each server holds for `account`, named: whether its resolver lists the account
   * (`$SYS.REQ.CLAIMS.LIST`) and, where the account is loaded, the JWT it uses (`ACCOUNTZ`). Expected
   * servers that answered neither are listed with `holds` undefined.
   */
  async holdings(account: string): Promise<ServerHolding[]> {
    const byId = new Map<string, ServerHolding>();
    for (const s of this.expected) byId.set(s.id, { server: s });
    await Promise.all(
      this.#live().map(async (g) => {
        const [lists, zs, stored] = await Promise.all([
          g.client.list().catch(() => []),
          g.client.accountz(account).catch((): ServerAccountz[] => []),
          g.client.lookup(account).catch(() => undefined),
        ]);
        const holders: ServerHolding[] = [];
        for (const l of lists) {
          if (!l.id) continue;
          const h = byId.get(l.id) ?? {
            server: { id: l.id, name: l.server, ...(l.cluster ? { cluster: l.cluster } : {}) },
          };
          h.holds = l.accounts.includes(account);
          if (h.holds) holders.push(h);
          byId.set(l.id, h);
        }
        // Lookup replies name no server, but when every copy this group holds is the same JWT, each
        // holder holds that one: the stored copy, which is what the resolvers sync and serve.
        const copies = new Set(stored?.found.map((f) => f.jwt) ?? []);
        if (copies.size === 1) for (const h of holders) h.jwt = [...copies][0];
        for (const z of zs) {
          const h = byId.get(z.server.id) ?? { server: z.server };
          // Otherwise the copy a server has loaded (ACCOUNTZ) says which one it uses.
          if (z.jwt && !(copies.size === 1 && h.holds)) h.jwt = z.jwt;
          byId.set(z.server.id, h);
        }
      }),
    );
    return [...byId.values()];
  }

  /** Groups still answering. */
  #live(): Group[] {
    return this.#groups.filter((g) => !this.#dropped.has(g));
  }

  #drop(g: Group, err: unknown): void {
    this.#dropped.add(g);
    for (const m of this.#members) if (g.urls.includes(m.url)) m.error ??= describe(err);
  }

  #unreachable(): Unconfirmed[] {
    return this.#members
      .filter((m) => !m.client || m.error)
      .map((m) => ({ url: m.url, reason: m.error ?? "not connected" }));
  }

  /** Runs a request on every group and checks every expected server, by id, among the replies. */
  async #each(request: (c: ResolverClient) => Promise<ServerReply[]>): Promise<FleetOutcome> {
    const unconfirmed = this.#unreachable();
    const lists = await Promise.all(
      this.#live().map(async (g) => {
        try {
          return await request(g.client);
        } catch (err) {
          for (const url of g.urls) unconfirmed.push({ url, reason: describe(err) });
          return [];
        }
      }),
    );
    const replies = lists.flat();
    const rejected = replies.filter((r) => !r.ok);
    const expected = this.expected;
    const known = new Map(expected.map((s) => [s.id, s]));
    // A server that answered without having answered the ping (it just started) is counted too.
    const identity = (r: ServerReply): ServerIdentity => {
      const id = r.id ?? r.server;
      return known.get(id) ?? { id, name: r.server, ...(r.cluster ? { cluster: r.cluster } : {}) };
    };
    const stored = new Map<string, ServerIdentity>();
    const cached = new Map<string, ServerIdentity>();
    for (const r of replies) {
      if (!r.ok) continue;
      const s = identity(r);
      (r.cache ? cached : stored).set(s.id, s);
    }
    const answered = replies.map(identity);
    const silent = expected.filter((s) => !answered.some((a) => sameServer(a, s)));
    const confirmed = [...stored.values()];
    return {
      expected,
      replies,
      confirmed,
      accepted: confirmed.length,
      cached: [...cached.values()],
      rejected,
      silent,
      unconfirmed,
    };
  }
}

/** Whether a server remembered from an earlier push can be recognised now: it has a name of its own. */
function recognisable(s: ServerIdentity): boolean {
  return typeof s.name === "string" && s.name !== "" && s.name !== s.id;
}
