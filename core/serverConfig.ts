/**
 * nats-server configuration: a pure builder from a typed spec (camelCase) to a config object
 * (snake_case, the names nats-server reads), validating as nsc's config builders do. Every problem is
 * collected, so a check reports all of them at once. Nothing here touches the file system or the
 * network.
 */
import { type ConfObject, type ConfValue, toConf } from "./confSyntax";
import type { Int } from "./int";
import { isPublicKey } from "./nkeys";
import { parseDuration } from "./units";
import { Checker, subjectProblem } from "./validation";

/** The account resolver: `full` (nats-based, stores JWTs), `cache` (nats-based, evicts) or `memory`. */
export type ResolverSpec =
  | {
      type: "full";
      dir: string;
      /** Default true: Accounts delete their JWT on destroy unless their `resolver.onDelete` is "retain". */
      allowDelete?: boolean;
      hardDelete?: boolean;
      interval?: string;
      timeout?: string;
      limit?: Int;
    }
  | { type: "cache"; dir: string; ttl?: string; timeout?: string; limit?: Int }
  | { type: "memory" };

/**
 * TLS of a listener (cluster routes, gateways, leaf nodes) or of the connections a server makes to
 * others, as nats-server's `tls` block reads it (server/opts.go parseTLS). A certificate needs its key
 * and a key its certificate. Files are read by the server, which must be able to open them.
 */
export interface TlsSpec {
  /** Certificate (PEM) this side presents (`cert_file`). */
  certFile?: string;
  /** Private key of `certFile` (`key_file`). */
  keyFile?: string;
  /** CA bundle the peer's certificate is verified against (`ca_file`). */
  caFile?: string;
  /** Require and verify the peer's certificate (`verify`; routes and gateways always verify). */
  verify?: boolean;
  /** TLS handshake timeout in seconds (`timeout`). */
  timeout?: number;
}

/** TLS of leaf node connections: `handshakeFirst` is read for leaf nodes only. */
export interface LeafTlsSpec extends TlsSpec {
  /**
   * Start with the TLS handshake before the server's INFO (`handshake_first`, nats-server 2.10+;
   * 2.9 refuses the key). Both ends must agree: a listener with it and a remote without it do not connect.
   */
  handshakeFirst?: boolean;
}

/**
 * Compression of route and leaf node connections (nats-server 2.10+; 2.9 refuses the key): "off",
 * "accept" (compress only when the peer asks), "s2_auto" (by round-trip time), "s2_fast",
 * "s2_better" or "s2_best". Gateways have no compression setting.
 */
export type CompressionMode = "off" | "accept" | "s2_auto" | "s2_fast" | "s2_better" | "s2_best";

/**
 * Who may open a route or gateway connection to this server: one user and password (nats-server
 * refuses several users, tokens and callouts there). @secret
 */
export interface RouteAuthorization {
  user?: string;
  password?: string;
  /** Seconds a peer has to authenticate. */
  timeout?: number;
}

/** One outgoing leaf node connection. */
export interface LeafRemoteSpec {
  urls: string[];
  /** Local account the remote binds to (public key or name). */
  account?: string;
  /** Path to a .creds file. */
  credentials?: string;
  tls?: LeafTlsSpec;
  wsCompression?: boolean;
  wsNoMasking?: boolean;
  /** This side is the hub of the connection (`hub`): the remote server becomes the leaf. */
  hub?: boolean;
  /** Subjects this server does not receive over the connection (`deny_imports`). */
  denyImports?: string[];
  /** Subjects this server does not send over the connection (`deny_exports`). */
  denyExports?: string[];
  /** Compression of this connection (nats-server 2.10+). */
  compression?: CompressionMode;
}

/** What a LeafRemote resource takes (credentials as text, written to `credentialsPath`). */
export interface LeafRemoteInputs {
  urls: string[];
  account?: string;
  /** The `.creds` text the remote connects with (a User's `creds`). @secret */
  credentials?: string;
  /** Absolute path the credentials are written to (mode 0600). */
  credentialsPath?: string;
  tls?: LeafRemoteSpec["tls"];
  wsCompression?: boolean;
  wsNoMasking?: boolean;
  /** This side is the hub of the connection (`hub`). */
  hub?: boolean;
  /** Subjects not received over the connection (`deny_imports`). */
  denyImports?: string[];
  /** Subjects not sent over the connection (`deny_exports`). */
  denyExports?: string[];
  /** Compression of this connection (nats-server 2.10+). */
  compression?: CompressionMode;
}

/** The `leafnodes.remotes` entry of a LeafRemote: its credentials by path, never by content. */
export function leafRemoteEntry(
  r: Omit<LeafRemoteInputs, "credentials"> & { credentials?: unknown },
): LeafRemoteSpec {
  const spec: LeafRemoteSpec = { urls: r.urls };
  if (r.account !== undefined) spec.account = r.account;
  if (r.credentials !== undefined) spec.credentials = r.credentialsPath;
  if (r.tls !== undefined) spec.tls = r.tls;
  if (r.wsCompression !== undefined) spec.wsCompression = r.wsCompression;
  if (r.wsNoMasking !== undefined) spec.wsNoMasking = r.wsNoMasking;
  if (r.hub !== undefined) spec.hub = r.hub;
  if (r.denyImports !== undefined) spec.denyImports = r.denyImports;
  if (r.denyExports !== undefined) spec.denyExports = r.denyExports;
  if (r.compression !== undefined) spec.compression = r.compression;
  return spec;
}

/** The `leafnodes` block: a listener for incoming leaf connections and/or remotes to dial. */
export interface LeafNodesSpec {
  host?: string;
  port?: Int;
  remotes?: LeafRemoteSpec[];
  /** Who may connect to the listener. @secret */
  authorization?: { user?: string; password?: string; account?: string; timeout?: number };
  /** TLS of the listener (`handshakeFirst`: leaf nodes must start with TLS). */
  tls?: LeafTlsSpec;
  /** The host:port leaf nodes are told to connect to (`advertise`), e.g. behind NAT. */
  advertise?: string;
  /** Do not tell connecting leaf nodes about this cluster's other leaf node URLs (`no_advertise`). */
  noAdvertise?: boolean;
  /** Compression of accepted leaf connections (nats-server 2.10+). */
  compression?: CompressionMode;
  /** How long to wait before redialing a remote, a duration such as "2s" (`reconnect_interval`). */
  reconnectInterval?: string;
}

/** The `cluster` block. */
export interface ClusterSpec {
  name: string;
  host?: string;
  port: Int;
  routes?: string[];
  /** Who may open a route to this server (routes must carry this user in their URLs). @secret */
  authorization?: RouteAuthorization;
  /** TLS of routes, both accepted and dialed (nats-server always verifies route certificates). */
  tls?: TlsSpec;
  /** The host:port other servers are told to route to (`advertise`). */
  advertise?: string;
  /** Do not tell clients about the cluster's other servers (`no_advertise`). */
  noAdvertise?: boolean;
  /** Compression of routes (nats-server 2.10+). */
  compression?: CompressionMode;
}

/** One other cluster of the supercluster, as this server's gateway dials it. */
export interface RemoteGatewaySpec {
  /** That cluster's gateway name (its cluster name). This server's own name may be listed: it is skipped. */
  name: string;
  /** Gateway URLs of that cluster's servers, e.g. nats://west-1:7222. */
  urls: string[];
  /** TLS towards that cluster (default: the gateway's own `tls`). */
  tls?: TlsSpec;
}

/** The `gateway` block: joins this server's cluster to other clusters into a supercluster. */
export interface GatewaySpec {
  /** The gateway name: the cluster's name (nats-server refuses a different one). */
  name: string;
  host?: string;
  port: Int;
  /** The host:port other clusters are told to connect to (`advertise`). */
  advertise?: string;
  /** Who may open a gateway connection to this server. @secret */
  authorization?: RouteAuthorization;
  /** TLS of gateway connections (nats-server always verifies gateway certificates). */
  tls?: TlsSpec;
  /** Refuse gateway connections from clusters not listed in `gateways` (`reject_unknown_cluster`). */
  rejectUnknownCluster?: boolean;
  /** The other clusters to dial (one list may serve every server: the own name is skipped). */
  gateways?: RemoteGatewaySpec[];
}

/** The `jetstream` block. */
export interface JetStreamSpec {
  storeDir: string;
  maxMemory?: string;
  maxFile?: string;
  /**
   * The JetStream domain of this server (`domain`): the hub and each leaf need their own for a leaf's
   * streams to stay local and be reachable as `$JS.<domain>.API`. No spaces, `.`, `*` or `>`.
   */
  domain?: string;
}

/** Everything the builder knows how to write; ports may be -1 for "random". */
export interface ServerConfigSpec {
  serverName?: string;
  host?: string;
  port?: Int;
  httpPort?: Int;
  /** Operator JWT text, or a path to it. */
  operator?: string;
  /** Public key of the system account. */
  systemAccount?: string;
  resolver?: ResolverSpec;
  /** Account public key -> account JWT, written as `resolver_preload`. */
  preload?: Record<string, string>;
  leafnodes?: LeafNodesSpec;
  cluster?: ClusterSpec;
  /** The gateway that joins this server's cluster to the other clusters of a supercluster. */
  gateway?: GatewaySpec;
  jetstream?: JetStreamSpec;
  /**
   * How long a server in lame-duck mode takes to close its clients (`lame_duck_duration`, at least
   * "30s", nats-server's minimum; default 2m).
   */
  lameDuckDuration?: string;
  /** How long it waits before it starts closing them (`lame_duck_grace_period`, default 10s). */
  lameDuckGracePeriod?: string;
  /**
   * Extra keys, appended as given. A key naming a block the builder writes (`cluster`, `gateway`,
   * `leafnodes`, `jetstream`, and their `tls` and `authorization`) adds its keys inside that block.
   * No key may set what the builder writes from a typed field (nats-server would read one and drop the
   * other): such a key is refused, naming both. @secret
   */
  extra?: ConfObject;
}

const LEAF_SCHEMES = ["nats-leaf", "tls", "ws", "wss", "nats"];
/**
 * Schemes of cluster route URLs. nats-server itself ignores a route's scheme (it dials the host over
 * TCP, TLS as the cluster block says), so an http:// route "works" by accident and reads as a
 * mistake; these are the ones its docs and nsc use.
 */
const ROUTE_SCHEMES = ["nats-route", "nats", "tls"];

/**
 * What is wrong with one cluster route URL, or undefined when it is fine. The URL itself is not
 * repeated: a route URL may carry the cluster's user and password.
 */
export function routeUrlProblem(url: unknown): string | undefined {
  const want = "a route URL such as nats-route://host:6222 (nats-route://, nats:// or tls://)";
  if (typeof url !== "string" || url === "") return `must be ${want}`;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme) return `has no scheme: must be ${want}`;
  if (!ROUTE_SCHEMES.includes(scheme)) return `uses ${scheme}://: must be ${want}`;
  let host = "";
  try {
    host = new URL(url).hostname;
  } catch {
    // Reported below.
  }
  return host ? undefined : `has no host: must be ${want}`;
}

function checkPort(c: Checker, field: string, port: number | undefined): void {
  if (!c.known(port)) return;
  if (!Number.isInteger(port) || port! < -1 || port! > 65535) {
    c.fail(field, `port ${port} is not an integer in 0..65535 (or -1 for a random port)`);
  }
}

function nonEmpty(c: Checker, field: string, text: string | undefined, reason: string): void {
  if (c.pending(text)) return;
  if (typeof text !== "string" || text.trim() === "") c.fail(field, reason);
}

/**
 * A resolver timing: nats-server reads it with Go's time.ParseDuration and then runs a ticker or a
 * timer on it, so a number, a malformed text or a duration of zero or less cannot work (a negative
 * interval makes the server's ticker panic).
 */
function positiveDuration(c: Checker, field: string, value: unknown): void {
  if (value === undefined || c.pending(value)) return;
  const want = 'must be a positive duration such as "2m", "1.9s" or "500ms"';
  if (typeof value !== "string") {
    c.fail(field, `${want} (text), got ${JSON.stringify(value)}`);
    return;
  }
  let ns = 0;
  try {
    ns = parseDuration(value);
  } catch {
    c.fail(field, `${want}, got ${JSON.stringify(value)}`);
    return;
  }
  if (!(ns > 0)) c.fail(field, `${want}, got ${JSON.stringify(value)}`);
}

/** A count (resolver.limit): a whole number above zero. */
function positiveInteger(c: Checker, field: string, value: unknown): void {
  if (value === undefined || c.pending(value)) return;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    c.fail(field, `must be a positive whole number, got ${JSON.stringify(value)}`);
  }
}

const COMPRESSION_MODES: CompressionMode[] = ["off", "accept", "s2_auto", "s2_fast", "s2_better", "s2_best"];

/** A compression setting nats-server reads (server.go validateAndNormalizeCompressionOption). */
function compression(c: Checker, field: string, value: unknown): ConfValue {
  if (value === undefined || c.pending(value)) return value as ConfValue;
  if (typeof value !== "string" || !(COMPRESSION_MODES as string[]).includes(value)) {
    c.fail(
      field,
      `must be one of ${COMPRESSION_MODES.map((m) => JSON.stringify(m)).join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return value as string;
}

/** Seconds (an auth or TLS timeout): a number above zero. */
function positiveSeconds(c: Checker, field: string, value: unknown): void {
  if (value === undefined || c.pending(value)) return;
  if (!(typeof value === "number" && Number.isFinite(value) && value > 0)) {
    c.fail(field, `must be a positive number of seconds, got ${JSON.stringify(value)}`);
  }
}

/**
 * A `tls` block. nats-server refuses a certificate without its key and the reverse ("missing
 * 'key_file' in TLS configuration", GenTLSConfig) and reads `handshake_first` for leaf nodes only.
 */
function tlsBlock(
  c: Checker,
  field: string,
  t: LeafTlsSpec | undefined,
  leaf: boolean,
): ConfObject | undefined {
  if (t === undefined || t === null) return undefined;
  if (c.pending(t)) return t as unknown as ConfObject;
  const raw = t as Record<string, unknown>;
  if (c.known(t.certFile) && !c.known(t.keyFile) && !c.pending(t.keyFile)) {
    c.fail(`${field}.keyFile`, "missing 'key_file': a certificate needs its private key (keyFile)");
  }
  if (c.known(t.keyFile) && !c.known(t.certFile) && !c.pending(t.certFile)) {
    c.fail(`${field}.certFile`, "missing 'cert_file': a private key needs its certificate (certFile)");
  }
  for (const f of ["certFile", "keyFile", "caFile"] as const) {
    if (raw[f] !== undefined) nonEmpty(c, `${field}.${f}`, raw[f] as string, "must be a file path");
  }
  positiveSeconds(c, `${field}.timeout`, t.timeout);
  if (!leaf && raw.handshakeFirst !== undefined) {
    c.fail(
      `${field}.handshakeFirst`,
      "nats-server reads handshake_first for leaf node connections only (routes and gateways ignore it): remove it",
    );
  }
  // handshake_first leads: that is where configs rendered before the other fields existed have it.
  return {
    handshake_first: leaf ? t.handshakeFirst : undefined,
    cert_file: t.certFile,
    key_file: t.keyFile,
    ca_file: t.caFile,
    verify: t.verify,
    timeout: t.timeout,
  };
}

/** The `authorization` of routes or gateways: one user (server/opts.go parseCluster, parseGateway). */
function routeAuthorization(
  c: Checker,
  field: string,
  a: RouteAuthorization | undefined,
): ConfObject | undefined {
  if (a === undefined || a === null) return undefined;
  if (c.pending(a)) return a as unknown as ConfObject;
  const raw = a as Record<string, unknown>;
  for (const k of ["users", "token", "auth_callout", "nkey"]) {
    if (raw[k] !== undefined) {
      c.fail(
        `${field}.${k}`,
        "routes and gateways authenticate one user with a password only: use user and password",
      );
    }
  }
  if (c.known(a.password) && !c.known(a.user) && !c.pending(a.user)) {
    c.fail(`${field}.user`, "a password needs its user");
  }
  positiveSeconds(c, `${field}.timeout`, a.timeout);
  return { user: a.user, password: a.password, timeout: a.timeout };
}

/** An `advertise` address: host:port text other servers or clients dial. */
function advertise(c: Checker, field: string, value: unknown): void {
  if (value === undefined || c.pending(value)) return;
  if (typeof value !== "string" || !/^\S+:\d+$/.test(value)) {
    c.fail(
      field,
      `must be the host:port others connect to, e.g. "nats.example.com:7222", got ${JSON.stringify(value)}`,
    );
  }
}

/** A list of subjects (deny_imports, deny_exports): each a valid subject, wildcards allowed. */
function subjects(c: Checker, field: string, list: unknown): void {
  if (list === undefined || c.pending(list)) return;
  if (!Array.isArray(list)) {
    c.fail(field, "must be a list of subjects");
    return;
  }
  list.forEach((s, i) => {
    if (c.pending(s)) return;
    const problem = subjectProblem(s);
    if (problem) c.fail(`${field}[${i}]`, problem);
  });
}

/** A duration nats-server parses with Go's time.ParseDuration, at least `minNs` (nanoseconds). */
function durationAtLeast(c: Checker, field: string, value: unknown, minNs: number, want: string): void {
  if (value === undefined || c.pending(value)) return;
  let ns = Number.NaN;
  if (typeof value === "string") {
    try {
      ns = parseDuration(value);
    } catch {
      // Reported below.
    }
  }
  if (!(ns >= minNs)) c.fail(field, `${want}, got ${JSON.stringify(value)}`);
}

function resolver(c: Checker, spec: ServerConfigSpec): ConfValue {
  const r = spec.resolver;
  if (!r) return undefined;
  nonEmpty(c, "operator", spec.operator, "a resolver needs the operator JWT (operator is not set)");
  nonEmpty(c, "systemAccount", spec.systemAccount, "system account is not set");
  // Checked on the raw object because JS callers can pass fields the type does not allow.
  const raw = r as Record<string, unknown>;
  switch (r.type) {
    case "memory":
      if (raw.dir !== undefined) c.fail("resolver.dir", "a memory resolver has no directory");
      if (!c.pending(spec.preload) && (!spec.preload || Object.keys(spec.preload).length === 0)) {
        c.fail("preload", "a memory resolver knows only preloaded accounts: preload at least one");
      }
      return "MEMORY";
    case "full":
      nonEmpty(c, "resolver.dir", r.dir, "a full resolver needs a directory to store JWTs");
      positiveDuration(c, "resolver.interval", r.interval);
      positiveDuration(c, "resolver.timeout", r.timeout);
      positiveInteger(c, "resolver.limit", r.limit);
      return {
        type: "full",
        dir: r.dir,
        // An Account deletes its JWT on destroy by default, which servers refuse without
        // allow_delete: the two defaults agree (nsc writes false; set false to keep JWTs on destroy,
        // with the Accounts' resolver.onDelete = "retain").
        allow_delete: r.allowDelete ?? true,
        hard_delete: r.hardDelete,
        interval: r.interval,
        timeout: r.timeout,
        limit: r.limit,
      };
    case "cache":
      nonEmpty(c, "resolver.dir", r.dir, "a cache resolver needs a directory to store JWTs");
      for (const f of ["allowDelete", "hardDelete"]) {
        if (raw[f] !== undefined) c.fail(`resolver.${f}`, "a cache resolver cannot delete accounts");
      }
      positiveDuration(c, "resolver.ttl", r.ttl);
      positiveDuration(c, "resolver.timeout", r.timeout);
      positiveInteger(c, "resolver.limit", r.limit);
      return { type: "cache", dir: r.dir, ttl: r.ttl, timeout: r.timeout, limit: r.limit };
    default:
      if (!c.pending(raw.type)) c.fail("resolver.type", `unknown resolver type ${JSON.stringify(raw.type)}`);
      return undefined;
  }
}

function preload(c: Checker, spec: ServerConfigSpec): ConfObject | undefined {
  if (!spec.preload) return undefined;
  if (!spec.resolver) c.fail("preload", "preloaded accounts need a resolver");
  if (c.pending(spec.preload)) return { ...spec.preload };
  for (const [pub, jwt] of Object.entries(spec.preload)) {
    if (!isPublicKey(pub, "account")) c.fail(`preload.${pub}`, "not an account public key");
    nonEmpty(c, `preload.${pub}`, jwt, "the account JWT is empty");
  }
  return { ...spec.preload };
}

/**
 * What is wrong with the urls of one leaf remote (none when they are fine): at least one url, each
 * with a scheme nats-server dials, and ws/wss not mixed with other schemes.
 */
export function leafUrlProblems(urls: unknown): string[] {
  if (!Array.isArray(urls) || urls.length === 0) return ["a remote needs at least one url"];
  const problems: string[] = [];
  const schemes = urls.map((u) => {
    const scheme =
      typeof u === "string" ? /^([a-z][a-z0-9+.-]*):\/\//i.exec(u)?.[1]?.toLowerCase() : undefined;
    if (!scheme || !LEAF_SCHEMES.includes(scheme)) {
      problems.push(`${JSON.stringify(u)} must start with one of ${LEAF_SCHEMES.join(", ")}://`);
    }
    return scheme;
  });
  const ws = schemes.filter((s) => s === "ws" || s === "wss").length;
  if (ws > 0 && ws < schemes.length) {
    problems.push("ws:// and wss:// urls cannot be mixed with other schemes in one remote");
  }
  return problems;
}

/**
 * Judges what a remote's connection settings say beyond its URLs (TLS, deny lists, compression),
 * naming fields under `at` ("" for a LeafRemote resource's own fields).
 */
export function checkLeafRemoteSettings(c: Checker, r: Partial<LeafRemoteSpec>, at: string): void {
  const f = (name: string) => (at ? `${at}.${name}` : name);
  tlsBlock(c, f("tls"), r.tls, true);
  subjects(c, f("denyImports"), r.denyImports);
  subjects(c, f("denyExports"), r.denyExports);
  compression(c, f("compression"), r.compression);
}

function leafRemote(c: Checker, r: LeafRemoteSpec, i: number): ConfObject {
  if (!c.pending(r.urls)) {
    for (const problem of leafUrlProblems(r.urls)) c.fail(`leafnodes.remotes[${i}].urls`, problem);
  }
  if (Array.isArray(r.urls)) {
    for (const [dup, first] of repeatedUrls(r.urls, c)) {
      c.fail(
        `leafnodes.remotes[${i}].urls[${dup}]`,
        `is the same server as urls[${first}]: list each hub URL once`,
      );
    }
  }
  const at = `leafnodes.remotes[${i}]`;
  subjects(c, `${at}.denyImports`, r.denyImports);
  subjects(c, `${at}.denyExports`, r.denyExports);
  return {
    urls: [...r.urls],
    account: r.account,
    credentials: r.credentials,
    tls: tlsBlock(c, `${at}.tls`, r.tls, true),
    hub: r.hub,
    deny_imports: r.denyImports && [...r.denyImports],
    deny_exports: r.denyExports && [...r.denyExports],
    compression: compression(c, `${at}.compression`, r.compression),
    ws_compression: r.wsCompression,
    ws_no_masking: r.wsNoMasking,
  };
}

function leafnodes(c: Checker, l: LeafNodesSpec | undefined): ConfObject | undefined {
  if (!l) return undefined;
  checkPort(c, "leafnodes.port", l.port);
  const a = l.authorization;
  const t = a?.timeout;
  if (t !== undefined && !c.pending(t) && !(typeof t === "number" && Number.isFinite(t) && t > 0)) {
    c.fail(
      "leafnodes.authorization.timeout",
      `must be a positive number of seconds, got ${JSON.stringify(t)}`,
    );
  }
  if (Array.isArray(l.remotes)) duplicateRemotes(c, l.remotes);
  advertise(c, "leafnodes.advertise", l.advertise);
  positiveDuration(c, "leafnodes.reconnectInterval", l.reconnectInterval);
  return {
    host: l.host,
    port: l.port,
    advertise: l.advertise,
    no_advertise: l.noAdvertise,
    authorization: a && { user: a.user, password: a.password, account: a.account, timeout: a.timeout },
    tls: tlsBlock(c, "leafnodes.tls", l.tls, true),
    compression: compression(c, "leafnodes.compression", l.compression),
    reconnect_interval: l.reconnectInterval,
    remotes: c.pending(l.remotes) ? undefined : l.remotes?.map((r, i) => leafRemote(c, r, i)),
  };
}

function cluster(c: Checker, s: ClusterSpec | undefined): ConfObject | undefined {
  if (!s) return undefined;
  nonEmpty(c, "cluster.name", s.name, "a cluster needs a name");
  checkPort(c, "cluster.port", s.port);
  if (s.port === undefined) c.fail("cluster.port", "a cluster needs a port");
  // Each route is judged on its own: one not known yet (another server's address) leaves the rest judged.
  if (Array.isArray(s.routes)) {
    s.routes.forEach((u, i) => {
      const problem = c.pending(u) ? undefined : routeUrlProblem(u);
      if (problem) c.fail(`cluster.routes[${i}]`, problem);
    });
    for (const [dup, first] of repeatedUrls(s.routes, c)) {
      c.fail(
        `cluster.routes[${dup}]`,
        `is the same server as cluster.routes[${first}]: list each route once`,
      );
    }
  } else if (c.known(s.routes)) c.fail("cluster.routes", "must be a list of route URLs");
  if (c.known(s.name) && typeof s.name === "string" && /\s/.test(s.name)) {
    c.fail("cluster.name", "nats-server refuses a cluster name with spaces: use a name without white space");
  }
  advertise(c, "cluster.advertise", s.advertise);
  // 0.0.0.0 is the server's own default host; writing it keeps the `listen` form nsc and the docs use.
  return {
    name: s.name,
    listen: `${s.host ?? "0.0.0.0"}:${s.port}`,
    advertise: s.advertise,
    no_advertise: s.noAdvertise,
    authorization: routeAuthorization(c, "cluster.authorization", s.authorization),
    tls: tlsBlock(c, "cluster.tls", s.tls, false),
    compression: compression(c, "cluster.compression", s.compression),
    routes: s.routes && [...s.routes],
  };
}

/** Gateway URLs: nats-server dials their host (TLS as the gateway block says), like routes. */
const GATEWAY_SCHEMES = ["nats", "tls"];

/** What is wrong with one gateway URL (the URL is not repeated: it may carry a password). */
function gatewayUrlProblem(url: unknown): string | undefined {
  const want = "a gateway URL such as nats://host:7222 (nats:// or tls://)";
  if (typeof url !== "string" || url === "") return `must be ${want}`;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme) return `has no scheme: must be ${want}`;
  if (!GATEWAY_SCHEMES.includes(scheme)) return `uses ${scheme}://: must be ${want}`;
  return urlEndpoint(url) ? undefined : `has no host: must be ${want}`;
}

/**
 * The `gateway` block, judged as nats-server does (gateway.go validateGatewayOptions, server.go):
 * a name without spaces equal to the cluster's, a port, and each listed gateway with a name and URLs.
 */
function gateway(c: Checker, spec: ServerConfigSpec): ConfObject | undefined {
  const g = spec.gateway;
  if (!g) return undefined;
  if (c.pending(g)) return g as unknown as ConfObject;
  nonEmpty(c, "gateway.name", g.name, "a gateway needs a name: its cluster's name");
  if (c.known(g.name) && typeof g.name === "string" && /\s/.test(g.name)) {
    c.fail("gateway.name", "nats-server refuses a gateway name with spaces: use the cluster's name");
  }
  const clusterName = spec.cluster?.name;
  if (c.known(g.name) && c.known(clusterName) && g.name !== clusterName) {
    c.fail(
      "gateway.name",
      `${JSON.stringify(g.name)} is not cluster.name ${JSON.stringify(clusterName)}: nats-server refuses it ` +
        "(cluster name conflicts between cluster and gateway definitions); give the gateway its cluster's name",
    );
  }
  checkPort(c, "gateway.port", g.port);
  if (g.port === undefined || g.port === 0) {
    c.fail("gateway.port", "a gateway needs a port (-1 for a random one)");
  }
  advertise(c, "gateway.advertise", g.advertise);
  const names = new Map<string, number>();
  const remotes = c.pending(g.gateways)
    ? undefined
    : g.gateways?.map((r, i) => {
        const at = `gateway.gateways[${i}]`;
        if (c.pending(r)) return r as unknown as ConfObject;
        nonEmpty(c, `${at}.name`, r.name, "each listed gateway needs the name of its cluster");
        if (c.known(r.name) && typeof r.name === "string") {
          // Gateway names are compared as written, but two that differ only in case read as a mistake.
          const key = r.name.toLowerCase();
          const first = names.get(key);
          if (first !== undefined) {
            c.fail(
              `${at}.name`,
              `${JSON.stringify(r.name)} is listed already at gateway.gateways[${first}]: list each cluster once`,
            );
          } else names.set(key, i);
        }
        if (!c.pending(r.urls)) {
          if (!Array.isArray(r.urls) || r.urls.length === 0) {
            c.fail(`${at}.urls`, "a listed gateway needs at least one URL (nats-server: gateway has no URL)");
          } else {
            r.urls.forEach((u, j) => {
              const problem = c.pending(u) ? undefined : gatewayUrlProblem(u);
              if (problem) c.fail(`${at}.urls[${j}]`, problem);
            });
            for (const [dup, first] of repeatedUrls(r.urls, c)) {
              c.fail(
                `${at}.urls[${dup}]`,
                `is the same server as urls[${first}]: list each gateway URL once`,
              );
            }
          }
        }
        return {
          name: r.name,
          urls: Array.isArray(r.urls) ? [...r.urls] : r.urls,
          tls: tlsBlock(c, `${at}.tls`, r.tls, false),
        } as ConfObject;
      });
  return {
    name: g.name,
    listen: `${g.host ?? "0.0.0.0"}:${g.port}`,
    advertise: g.advertise,
    authorization: routeAuthorization(c, "gateway.authorization", g.authorization),
    tls: tlsBlock(c, "gateway.tls", g.tls, false),
    reject_unknown_cluster: g.rejectUnknownCluster,
    gateways: remotes,
  };
}

/** The `jetstream` block; the domain as nats-server judges it (jetstream.go validateJetStreamOptions). */
function jetstream(c: Checker, js: JetStreamSpec | undefined): ConfObject | undefined {
  if (!js) return undefined;
  nonEmpty(c, "jetstream.storeDir", js.storeDir, "JetStream needs a store directory");
  const d = js.domain;
  if (d !== undefined && !c.pending(d)) {
    if (typeof d !== "string" || d === "")
      c.fail("jetstream.domain", "must not be empty: leave it out for no domain");
    else if (/[\s.*>]/.test(d)) {
      c.fail(
        "jetstream.domain",
        `${JSON.stringify(d)}: nats-server refuses a domain containing white space, ., *, > (it becomes a subject token)`,
      );
    }
  }
  return {
    store_dir: js.storeDir,
    max_memory_store: js.maxMemory,
    max_file_store: js.maxFile,
    domain: d,
  };
}

/**
 * The options each top-level key sets, as nats-server reads them (server/opts.go,
 * processConfigFileLine: keys are lower-cased, and several names set one option). Two keys that set
 * one option are the same setting written twice: the server keeps whichever it reads last.
 */
const KEY_OPTIONS: Record<string, string[]> = {
  listen: ["host", "port"],
  host: ["host"],
  net: ["host"],
  port: ["port"],
  server_name: ["server_name"],
  http: ["http_host", "http_port"],
  https: ["http_host", "https_port"],
  http_port: ["http_port"],
  monitor_port: ["http_port"],
  https_port: ["https_port"],
  operator: ["operator"],
  operators: ["operator"],
  root: ["operator"],
  roots: ["operator"],
  root_operator: ["operator"],
  root_operators: ["operator"],
  // Not aliases, but refused next to an operator ("conflicting options for 'TrustedKeys' and
  // 'TrustedOperators'", server/jwt.go).
  trusted: ["operator"],
  trusted_keys: ["operator"],
  system_account: ["system_account"],
  system: ["system_account"],
  // Contradicts a system account.
  no_system_account: ["system_account"],
  no_system: ["system_account"],
  no_sys_acc: ["system_account"],
  resolver: ["resolver"],
  account_resolver: ["resolver"],
  accounts_resolver: ["resolver"],
  resolver_preload: ["resolver_preload"],
  // A top-level store_dir next to jetstream's is "Duplicate 'store_dir' configuration".
  jetstream: ["jetstream", "store_dir"],
  store_dir: ["store_dir"],
  storedir: ["store_dir"],
  cluster: ["cluster"],
  gateway: ["gateway"],
  leafnodes: ["leafnodes"],
  leaf: ["leafnodes"],
};

/**
 * The same inside the blocks `extra` may add keys to (parseCluster, parseGateway, parseLeafNodes,
 * parseJetStream, parseAuthorization, parseTLS): keys that set one option, by block.
 */
const BLOCK_OPTIONS: Record<string, Record<string, string[]>> = {
  cluster: {
    listen: ["host", "port"],
    host: ["host"],
    net: ["host"],
    port: ["port"],
    cluster_advertise: ["advertise"],
    advertise: ["advertise"],
  },
  gateway: {
    listen: ["host", "port"],
    host: ["host"],
    net: ["host"],
    port: ["port"],
    reject_unknown: ["reject_unknown_cluster"],
    reject_unknown_cluster: ["reject_unknown_cluster"],
  },
  leafnodes: {
    listen: ["host", "port"],
    host: ["host"],
    net: ["host"],
    port: ["port"],
    reconnect: ["reconnect_interval"],
    reconnect_delay: ["reconnect_interval"],
    reconnect_interval: ["reconnect_interval"],
    leafnode_advertise: ["advertise"],
    advertise: ["advertise"],
  },
  jetstream: {
    store: ["store_dir"],
    store_dir: ["store_dir"],
    storedir: ["store_dir"],
    max_memory_store: ["max_memory_store"],
    max_mem_store: ["max_memory_store"],
    max_mem: ["max_memory_store"],
    max_file_store: ["max_file_store"],
    max_file: ["max_file_store"],
  },
  authorization: { user: ["user"], username: ["user"], pass: ["password"], password: ["password"] },
  tls: { handshake_first: ["handshake_first"], first: ["handshake_first"], immediate: ["handshake_first"] },
};

/** Blocks the builder writes that `extra` may add keys inside (a list, such as `remotes`, is not merged). */
const MERGEABLE = new Set(["cluster", "gateway", "leafnodes", "jetstream", "authorization", "tls"]);

/** The options a key sets in `block` (undefined: the top level). */
function optionsOf(key: string, block?: string): string[] {
  const table = block === undefined ? KEY_OPTIONS : (BLOCK_OPTIONS[block] ?? {});
  return table[key.toLowerCase()] ?? [key.toLowerCase()];
}

const isConfBlock = (v: unknown): v is ConfObject => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Adds `extra`'s keys to `target` (what the builder wrote at `builtPath`, a block `block` or the top
 * level). A key that sets an option the builder (or an earlier extra key) already sets is refused,
 * naming both; one naming a block the builder wrote adds its keys inside that block instead.
 */
function mergeExtra(
  c: Checker,
  target: ConfObject,
  extra: ConfObject,
  extraPath: string,
  builtPath: string,
  block?: string,
): void {
  const at = (base: string, k: string) => (base ? `${base}.${k}` : k);
  const setBy = new Map<string, string>();
  for (const [k, v] of Object.entries(target)) {
    if (v !== undefined) for (const o of optionsOf(k, block)) setBy.set(o, k);
  }
  const fromExtra = new Set<string>();
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) continue;
    const options = optionsOf(k, block);
    const hit = options.find((o) => setBy.has(o));
    if (hit !== undefined) {
      const other = setBy.get(hit)!;
      if (fromExtra.has(other)) {
        c.fail(
          at(extraPath, k),
          `nats-server reads it as the same setting (${hit}) as ${at(extraPath, other)}: keep one`,
        );
      } else if (MERGEABLE.has(hit) && isConfBlock(target[other]) && isConfBlock(v)) {
        mergeExtra(c, target[other], v, at(extraPath, k), at(builtPath, other), hit);
      } else {
        c.fail(
          at(extraPath, k),
          `nats-server reads it as ${at(builtPath, hit)}, which the builder writes (${at(builtPath, other)}) ` +
            "from its typed field; use the typed field",
        );
      }
      continue;
    }
    for (const o of options) setBy.set(o, k);
    fromExtra.add(k);
    target[k] = v;
  }
}

/** One listening socket of the server: where it is set, its host ("" for every address), its port. */
interface Listener {
  field: string;
  host: string;
  port: number;
}

const WILDCARD_HOSTS = ["", "0.0.0.0", "::", "[::]"];

/** `listen`-style `host:port` text or a bare port, as nats-server's parseListen reads them. */
function hostPort(v: unknown): { host?: string; port?: number } {
  if (typeof v === "number") return { port: v };
  if (typeof v !== "string") return {};
  const m = /^(.*):(\d+)$/.exec(v);
  return m ? { host: m[1].replace(/^\[(.*)\]$/, "$1"), port: Number(m[2]) } : {};
}

/** The listener a block (`leafnodes`, `websocket`, …) or the top level sets, from its listen/port/host keys. */
function blockListener(
  field: string,
  block: Record<string, unknown>,
  defaults: { host?: string; port?: number } = {},
): Listener | undefined {
  let host = defaults.host;
  let port = defaults.port;
  let portField = `${field}.port`;
  for (const [k, v] of Object.entries(block)) {
    const key = k.toLowerCase();
    if (key === "listen") {
      const hp = hostPort(v);
      host = hp.host ?? host;
      port = hp.port ?? port;
      portField = `${field}.${k}`;
    } else if (key === "port" && typeof v === "number") {
      port = v;
      portField = `${field}.${k}`;
    } else if ((key === "host" || key === "net") && typeof v === "string") host = v;
  }
  return port === undefined || port <= 0 ? undefined : { field: portField, host: host ?? "", port };
}

/**
 * Listeners that share a port (on overlapping hosts): nats-server fails to start with "address
 * already in use". -1 (random) and 0 (off; the client port's 0 is the default 4222) never clash.
 */
function portClashes(c: Checker, spec: ServerConfigSpec, extra: ConfObject): void {
  if (
    [spec.host, spec.port, spec.httpPort, spec.leafnodes, spec.cluster, spec.gateway].some((v) =>
      c.pending(v),
    )
  )
    return;
  const host = spec.host ?? "";
  const listeners: Listener[] = [];
  const add = (l: Listener | undefined) => {
    if (l) listeners.push(l);
  };
  const byKey = new Map(Object.entries(extra).map(([k, v]) => [k.toLowerCase(), { key: k, value: v }]));
  // The client listener: the typed port, else extra's listen/port (the builder writes no port then),
  // else nats-server's default; 0 is the default too.
  const extraClient = blockListener(
    "extra",
    Object.fromEntries(
      ["listen", "port"].flatMap((k) => {
        const e = byKey.get(k);
        return e ? [[e.key, e.value]] : [];
      }),
    ),
    { host },
  );
  if (spec.port === undefined && extraClient) add(extraClient);
  else if (spec.port !== -1) add({ field: "port", host, port: spec.port || 4222 });
  if (spec.httpPort !== undefined && spec.httpPort > 0) add({ field: "httpPort", host, port: spec.httpPort });
  for (const name of ["http_port", "monitor_port", "https_port", "prof_port", "http", "https"]) {
    const e = byKey.get(name);
    const hp = e && hostPort(e.value);
    if (e && hp?.port && hp.port > 0) add({ field: `extra.${e.key}`, host: hp.host ?? host, port: hp.port });
  }
  if (spec.cluster) add(blockListener("cluster", {}, { host: spec.cluster.host, port: spec.cluster.port }));
  if (spec.gateway) add(blockListener("gateway", {}, { host: spec.gateway.host, port: spec.gateway.port }));
  if (spec.leafnodes)
    add(blockListener("leafnodes", {}, { host: spec.leafnodes.host, port: spec.leafnodes.port }));
  for (const name of ["cluster", "leafnodes", "leaf", "gateway", "websocket", "ws", "mqtt"]) {
    const e = byKey.get(name);
    if (e?.value && typeof e.value === "object" && !Array.isArray(e.value)) {
      add(blockListener(`extra.${e.key}`, e.value as Record<string, unknown>));
    }
  }
  const overlap = (a: string, b: string) =>
    WILDCARD_HOSTS.includes(a) || WILDCARD_HOSTS.includes(b) || a.toLowerCase() === b.toLowerCase();
  listeners.forEach((l, i) => {
    const first = listeners.slice(0, i).find((o) => o.port === l.port && overlap(o.host, l.host));
    if (!first) return;
    const what =
      first.field === "port" && spec.port === undefined ? "the client port (default 4222)" : first.field;
    c.fail(
      l.field,
      `port ${l.port} is also the port of ${what}: nats-server cannot listen twice on one port; ` +
        "give each listener its own port (or -1 for a random one)",
    );
  });
}

/** Where a URL connects: lower-cased host and port (the scheme's default when none is given). */
export function urlEndpoint(url: string): string | undefined {
  const defaults: Record<string, string> = {
    "nats:": "4222",
    "tls:": "4222",
    "nats-route:": "6222",
    "nats-leaf:": "7422",
    "ws:": "80",
    "wss:": "443",
  };
  try {
    const u = new URL(url);
    if (!u.hostname) return undefined;
    return `${u.hostname.toLowerCase()}:${u.port || defaults[u.protocol.toLowerCase()] || ""}`;
  } catch {
    return undefined;
  }
}

/**
 * Pairs [later, first] of entries of `urls` that reach the same host and port (case, a default
 * port or a trailing slash do not make a URL another server). Unknown entries are skipped.
 */
export function repeatedUrls(urls: unknown[], c?: Checker): [number, number][] {
  const seen = new Map<string, number>();
  const pairs: [number, number][] = [];
  urls.forEach((u, i) => {
    if (typeof u !== "string" || c?.pending(u)) return;
    const at = urlEndpoint(u);
    if (at === undefined) return;
    const first = seen.get(at);
    if (first === undefined) seen.set(at, i);
    else pairs.push([i, first]);
  });
  return pairs;
}

/**
 * Two remotes binding the same local account with the same credentials to a shared hub URL are
 * one connection twice: nats-server refuses identical ones ("duplicate remote"), and the hub closes
 * the older of two such connections again and again.
 */
function duplicateRemotes(c: Checker, remotes: LeafRemoteSpec[]): void {
  const keyOf = (r: LeafRemoteSpec) =>
    c.pending(r) || !Array.isArray(r.urls)
      ? undefined
      : {
          who: JSON.stringify([r.account ?? "", r.credentials ?? ""]),
          at: new Set(
            r.urls.map((u) => (typeof u === "string" ? urlEndpoint(u) : undefined)).filter(Boolean),
          ),
        };
  const keys = remotes.map(keyOf);
  keys.forEach((k, i) => {
    if (!k) return;
    const first = keys
      .slice(0, i)
      .findIndex((o) => o && o.who === k.who && [...k.at].some((a) => o.at.has(a)));
    if (first >= 0) {
      c.fail(
        `leafnodes.remotes[${i}]`,
        `connects the same local account with the same credentials to a hub URL of leafnodes.remotes[${first}]: ` +
          "drop one, or bind another account",
      );
    }
  });
}

/**
 * What a spec allows but will likely not work, as "<field>: <why and what to do>" lines. A route
 * dialed by this server sends only the credentials in its URL (server/route.go sendRouteConnect; a
 * gateway falls back to the gateway's own user): with `cluster.authorization`, the other servers of
 * the cluster usually ask for that user, and a route without it is refused there.
 */
export function serverConfigWarnings(
  spec: ServerConfigSpec,
  pending: (v: unknown) => boolean = () => false,
): string[] {
  const out: string[] = [];
  const cl = spec.cluster;
  if (
    !cl ||
    pending(cl.authorization) ||
    typeof cl.authorization?.user !== "string" ||
    !Array.isArray(cl.routes)
  ) {
    return out;
  }
  cl.routes.forEach((u, i) => {
    if (typeof u !== "string" || pending(u)) return;
    let user = "";
    try {
      user = new URL(u).username;
    } catch {
      return;
    }
    if (!user) {
      out.push(
        `cluster.routes[${i}]: carries no user, but this cluster asks routes for one (cluster.authorization); ` +
          "nats-server dials a route with the credentials in its URL only, so servers asking for that user refuse it. " +
          "Write nats-route://<user>:<password>@host:port (as a secret).",
      );
    }
  });
  return out;
}

/**
 * Builds the config object nats-server reads from a spec, recording every problem in `c`. Values
 * `c` reports as pending are not judged. The object is only meaningful when `c` has no failures.
 */
export function buildServerConfigInto(c: Checker, spec: ServerConfigSpec): ConfObject {
  checkPort(c, "port", spec.port);
  checkPort(c, "httpPort", spec.httpPort);
  if (c.known(spec.systemAccount) && !isPublicKey(spec.systemAccount, "account")) {
    c.fail("systemAccount", "not an account public key (56 characters starting with 'A')");
  }
  durationAtLeast(
    c,
    "lameDuckDuration",
    spec.lameDuckDuration,
    30e9,
    'must be a duration of at least 30s such as "2m" (nats-server\'s minimum)',
  );
  durationAtLeast(
    c,
    "lameDuckGracePeriod",
    spec.lameDuckGracePeriod,
    0,
    'must be a duration of 0s or more such as "10s"',
  );
  const conf: ConfObject = {
    server_name: spec.serverName,
    host: spec.host,
    port: spec.port,
    http_port: spec.httpPort,
    operator: spec.operator,
    system_account: spec.systemAccount,
    resolver: resolver(c, spec),
    resolver_preload: preload(c, spec),
    lame_duck_duration: spec.lameDuckDuration,
    lame_duck_grace_period: spec.lameDuckGracePeriod,
    jetstream: jetstream(c, spec.jetstream),
    cluster: cluster(c, spec.cluster),
    gateway: gateway(c, spec),
    leafnodes: leafnodes(c, spec.leafnodes),
  };
  // Unset fields are dropped here so that extra keys land after the built ones.
  for (const k of Object.keys(conf)) if (conf[k] === undefined) delete conf[k];
  const extra = c.pending(spec.extra) ? {} : (spec.extra ?? {});
  mergeExtra(c, conf, extra, "extra", "");
  if (!c.pending(spec.extra)) portClashes(c, spec, extra);
  return conf;
}

/**
 * Builds the config object nats-server reads from a spec. Throws a `ValidationError` (a
 * `ConfigError` whose `field` is the first invalid field) listing every problem.
 */
export function buildServerConfig(spec: ServerConfigSpec): ConfObject {
  const c = new Checker();
  const conf = buildServerConfigInto(c, spec);
  c.throwIfFailed("");
  return conf;
}

/** `toConf(buildServerConfig(spec))`: the config file text for a spec. */
export function renderServerConfig(spec: ServerConfigSpec): string {
  return toConf(buildServerConfig(spec));
}
