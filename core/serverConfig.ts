/**
 * nats-server configuration: a pure builder from a typed spec (camelCase) to a config object
 * (snake_case, the names nats-server reads), validating as nsc's config builders do. Every problem is
 * collected, so a check reports all of them at once. Nothing here touches the file system or the
 * network.
 */
import { type ConfObject, type ConfValue, toConf } from "./confSyntax";
import { isPublicKey } from "./nkeys";
import { parseDuration } from "./units";
import { Checker } from "./validation";

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
      limit?: number;
    }
  | { type: "cache"; dir: string; ttl?: string; timeout?: string; limit?: number }
  | { type: "memory" };

/** One outgoing leaf node connection. */
export interface LeafRemoteSpec {
  urls: string[];
  /** Local account the remote binds to (public key or name). */
  account?: string;
  /** Path to a .creds file. */
  credentials?: string;
  tls?: { handshakeFirst?: boolean; certFile?: string; keyFile?: string; caFile?: string };
  wsCompression?: boolean;
  wsNoMasking?: boolean;
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
  return spec;
}

/** The `leafnodes` block: a listener for incoming leaf connections and/or remotes to dial. */
export interface LeafNodesSpec {
  host?: string;
  port?: number;
  remotes?: LeafRemoteSpec[];
  /** Who may connect to the listener. @secret */
  authorization?: { user?: string; password?: string; account?: string; timeout?: number };
}

/** The `cluster` block. */
export interface ClusterSpec {
  name: string;
  host?: string;
  port: number;
  routes?: string[];
}

/** Everything the builder knows how to write; ports may be -1 for "random". */
export interface ServerConfigSpec {
  serverName?: string;
  host?: string;
  port?: number;
  httpPort?: number;
  /** Operator JWT text, or a path to it. */
  operator?: string;
  /** Public key of the system account. */
  systemAccount?: string;
  resolver?: ResolverSpec;
  /** Account public key -> account JWT, written as `resolver_preload`. */
  preload?: Record<string, string>;
  leafnodes?: LeafNodesSpec;
  cluster?: ClusterSpec;
  jetstream?: { storeDir: string; maxMemory?: string; maxFile?: string };
  /** Extra top-level keys, appended as given; they may not repeat a key the builder writes. @secret */
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
  const tls = r.tls && {
    handshake_first: r.tls.handshakeFirst,
    cert_file: r.tls.certFile,
    key_file: r.tls.keyFile,
    ca_file: r.tls.caFile,
  };
  return {
    urls: [...r.urls],
    account: r.account,
    credentials: r.credentials,
    tls,
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
  return {
    host: l.host,
    port: l.port,
    authorization: a && { user: a.user, password: a.password, account: a.account, timeout: a.timeout },
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
  // 0.0.0.0 is the server's own default host; writing it keeps the `listen` form nsc and the docs use.
  return { name: s.name, listen: `${s.host ?? "0.0.0.0"}:${s.port}`, routes: s.routes && [...s.routes] };
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
  leafnodes: ["leafnodes"],
  leaf: ["leafnodes"],
};

const optionsOf = (key: string): string[] => KEY_OPTIONS[key.toLowerCase()] ?? [key.toLowerCase()];

/** `extra` keys that set an option the builder (or an earlier extra key) already sets, with why. */
function extraClashes(built: string[], extra: string[]): Map<string, string> {
  const setBy = new Map<string, string>();
  for (const k of built) for (const o of optionsOf(k)) setBy.set(o, k);
  const problems = new Map<string, string>();
  const fromExtra = new Set<string>();
  for (const k of extra) {
    const hit = optionsOf(k).find((o) => setBy.has(o));
    if (hit !== undefined) {
      const other = setBy.get(hit)!;
      problems.set(
        k,
        fromExtra.has(other)
          ? `nats-server reads it as the same setting (${hit}) as extra.${other}: keep one`
          : `nats-server reads it as ${hit}, which the builder writes (${other}) from its typed field; use the typed field`,
      );
      continue;
    }
    for (const o of optionsOf(k)) setBy.set(o, k);
    fromExtra.add(k);
  }
  return problems;
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
  if ([spec.host, spec.port, spec.httpPort, spec.leafnodes, spec.cluster].some((v) => c.pending(v))) return;
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
 * Builds the config object nats-server reads from a spec, recording every problem in `c`. Values
 * `c` reports as pending are not judged. The object is only meaningful when `c` has no failures.
 */
export function buildServerConfigInto(c: Checker, spec: ServerConfigSpec): ConfObject {
  checkPort(c, "port", spec.port);
  checkPort(c, "httpPort", spec.httpPort);
  if (c.known(spec.systemAccount) && !isPublicKey(spec.systemAccount, "account")) {
    c.fail("systemAccount", "not an account public key (56 characters starting with 'A')");
  }
  const js = spec.jetstream;
  if (js) nonEmpty(c, "jetstream.storeDir", js.storeDir, "JetStream needs a store directory");
  const conf: ConfObject = {
    server_name: spec.serverName,
    host: spec.host,
    port: spec.port,
    http_port: spec.httpPort,
    operator: spec.operator,
    system_account: spec.systemAccount,
    resolver: resolver(c, spec),
    resolver_preload: preload(c, spec),
    jetstream: js && { store_dir: js.storeDir, max_memory_store: js.maxMemory, max_file_store: js.maxFile },
    cluster: cluster(c, spec.cluster),
    leafnodes: leafnodes(c, spec.leafnodes),
  };
  // Unset fields are dropped here so that extra keys land after the built ones.
  for (const k of Object.keys(conf)) if (conf[k] === undefined) delete conf[k];
  const extra = c.pending(spec.extra) ? {} : (spec.extra ?? {});
  const clashing = extraClashes(Object.keys(conf), Object.keys(extra));
  for (const [k, v] of Object.entries(extra)) {
    const problem = clashing.get(k);
    if (problem) c.fail(`extra.${k}`, problem);
    else conf[k] = v;
  }
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
