/**
 * Every server an account's `resolver.servers` lists, whether they form one cluster or several.
 *
 * A single connection only reaches the servers routed to the one it lands on: a second, standalone
 * server in the list would silently get nothing. So each URL gets its own (pooled) connection, learns
 * the name of the server behind it (INFO) and the servers it reaches (`$SYS.REQ.SERVER.PING`), and
 * URLs whose server an earlier connection already reaches are not asked again: one cluster is asked
 * once, separate clusters and standalone servers each once. A URL counts as done only when a reply
 * from its own server confirmed the request.
 */
import { describe, ResolverError, type ServerReply } from "../core/errors";
import type { PayloadLimit } from "../core/limits";
import type { NKeyPair } from "../core/nkeys";
import type { ServerTrust } from "../core/pushCheck";
import { DEFAULT_TIMEOUT_MS, type ResolverClient, type ResolverConnection } from "./resolverClient";
import { sharedResolver } from "./resolverPool";

/** A listed URL that did not confirm a request, and why. */
export interface Unconfirmed {
  url: string;
  reason: string;
}

/** Replies gathered from every group of servers. */
export interface FleetOutcome {
  /** How many distinct servers answer system requests through all the connections. */
  expected: number;
  replies: ServerReply[];
  /** Distinct servers that confirmed. */
  accepted: number;
  rejected: ServerReply[];
  /** Listed URLs whose own server did not confirm (down, unreachable, silent or refusing). */
  unconfirmed: Unconfirmed[];
}

/** What every listed server holds for one account. */
export interface FleetLookup {
  expected: number;
  found: { server: string; jwt: string }[];
  missing: string[];
  answered: number;
  unconfirmed: Unconfirmed[];
}

/** One connection and the listed URLs whose servers it reaches. */
interface Group {
  client: ResolverClient;
  urls: string[];
  reach: string[];
}

/** A listed URL and its connection (or why there is none). */
interface Member {
  url: string;
  client?: ResolverClient;
  name?: string;
  error?: string;
}

export class ResolverFleet {
  readonly #conn: ResolverConnection;
  readonly #members: Member[];
  readonly #groups: Group[];

  private constructor(conn: ResolverConnection, members: Member[], groups: Group[]) {
    this.#conn = conn;
    this.#members = members;
    this.#groups = groups;
  }

  /**
   * Connects to every listed URL (pooled per URL) and groups the URLs by the servers they reach.
   * Unreachable URLs are kept and reported by each request; none reachable at all is an error.
   */
  static async open(conn: ResolverConnection): Promise<ResolverFleet> {
    const urls = [...new Set(conn.servers ?? [])];
    if (urls.length === 0) throw new ResolverError("resolver connection: no servers given");
    const members: Member[] = await Promise.all(
      urls.map(async (url) => {
        try {
          const client = await sharedResolver({ ...conn, servers: [url] });
          return { url, client, name: client.serverName };
        } catch (err) {
          return { url, error: describe(err) };
        }
      }),
    );
    const reaches = await Promise.all(
      members.map(async (m) => {
        if (!m.client) return [];
        try {
          return await m.client.serverNames();
        } catch (err) {
          m.error = describe(err);
          return [];
        }
      }),
    );
    const groups: Group[] = [];
    members.forEach((m, i) => {
      if (!m.client || m.error) return;
      const covering = groups.find((g) => m.name !== undefined && g.reach.includes(m.name));
      if (covering) covering.urls.push(m.url);
      else groups.push({ client: m.client, urls: [m.url], reach: reaches[i] });
    });
    if (groups.length === 0) {
      // Each member's error names its URL already.
      const why = members.map((m) => m.error ?? `${m.url}: not connected`).join("; ");
      throw new ResolverError(`no resolver server reachable: ${why}`);
    }
    return new ResolverFleet(conn, members, groups);
  }

  /** Listed URLs with no working connection, and why. */
  get unreachable(): Unconfirmed[] {
    return this.#unreachable();
  }

  /** The listed URLs. */
  get urls(): string[] {
    return this.#members.map((m) => m.url);
  }

  /** What every reachable server trusts, one entry per distinct server. */
  async trust(): Promise<ServerTrust[]> {
    const lists = await Promise.all(this.#groups.map((g) => g.client.trustedOperators()));
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
    for (const g of this.#groups) {
      const max = g.client.maxPayload;
      if (max !== undefined) limits.push({ server: g.client.serverName ?? g.urls[0], maxPayload: max });
    }
    return limits;
  }

  /** Pushes an account JWT once per group; see `FleetOutcome`. */
  push(jwt: string): Promise<FleetOutcome> {
    return this.#each(async (c) => (await c.push(jwt)).replies);
  }

  /** Deletes accounts once per group, signed by the operator (or an operator signing key). */
  deleteAccounts(accounts: string[], operatorSigner: NKeyPair): Promise<FleetOutcome> {
    return this.#each(async (c) => (await c.deleteAccounts(accounts, operatorSigner)).replies);
  }

  /**
   * Looks an account up once per group. Lookup replies carry no server name, so a group counts as
   * covered when as many of its servers answered as it reaches.
   */
  async lookup(account: string): Promise<FleetLookup> {
    const unconfirmed = this.#unreachable();
    const outs = await Promise.all(
      this.#groups.map(async (g) => {
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
      const tag = (label: string) =>
        this.#groups.length > 1 ? `${this.#groups[i].urls[0]} ${label}` : label;
      result.expected += Math.max(o.expected, this.#groups[i].reach.length);
      result.found.push(...o.found.map((f) => ({ ...f, server: tag(f.server) })));
      result.missing.push(...o.missing.map(tag));
      result.answered += o.answered;
    });
    return result;
  }

  #unreachable(): Unconfirmed[] {
    return this.#members
      .filter((m) => !m.client || m.error)
      .map((m) => ({ url: m.url, reason: m.error ?? "not connected" }));
  }

  /** Runs a request on every group and checks each listed URL's server among the confirmations. */
  async #each(request: (c: ResolverClient) => Promise<ServerReply[]>): Promise<FleetOutcome> {
    const unconfirmed = this.#unreachable();
    const failed = new Map<string, string>();
    const lists = await Promise.all(
      this.#groups.map(async (g) => {
        try {
          return await request(g.client);
        } catch (err) {
          for (const url of g.urls) failed.set(url, describe(err));
          return [];
        }
      }),
    );
    // The same server can answer through two groups only if the topology changed in between.
    const replies = lists.flat();
    const rejected = replies.filter((r) => !r.ok);
    const confirmed = new Set(replies.filter((r) => r.ok).map((r) => r.server));
    const reached = new Set(this.#groups.flatMap((g) => g.reach));
    for (const m of this.#members) {
      if (!m.client || m.error) continue;
      const why = failed.get(m.url);
      if (why) unconfirmed.push({ url: m.url, reason: why });
      else if (!m.name || !confirmed.has(m.name)) {
        const refusal = rejected.find((r) => r.server === m.name);
        unconfirmed.push({
          url: m.url,
          reason: refusal
            ? `server "${m.name}" refused: ${refusal.message}`
            : `server "${m.name ?? "unknown"}" did not confirm within ${this.#conn.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`,
        });
      }
    }
    return { expected: reached.size, replies, accepted: confirmed.size, rejected, unconfirmed };
  }
}
