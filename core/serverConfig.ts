/**
 * nats-server configuration: a pure builder from a typed spec (camelCase) to a config object
 * (snake_case, the names nats-server reads), validating as nsc's config builders do. Every problem is
 * collected, so a check reports all of them at once. Nothing here touches the file system or the
 * network.
 */
import { type ConfObject, type ConfValue, toConf } from "./confSyntax";
import type { Int } from "./int";
import { isPublicKey } from "./nkeys";
import { Checker } from "./validation";

/** The account resolver: `full` (nats-based, stores JWTs), `cache` (nats-based, evicts) or `memory`. */
export type ResolverSpec =
  | {
      type: "full";
      dir: string;
      allowDelete?: boolean;
      hardDelete?: boolean;
      interval?: string;
      timeout?: string;
      limit?: Int;
    }
  | { type: "cache"; dir: string; ttl?: string; timeout?: string; limit?: Int }
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
  port?: Int;
  remotes?: LeafRemoteSpec[];
  /** Who may connect to the listener. @secret */
  authorization?: { user?: string; password?: string; account?: string; timeout?: number };
}

/** The `cluster` block. */
export interface ClusterSpec {
  name: string;
  host?: string;
  port: Int;
  routes?: string[];
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
      return {
        type: "full",
        dir: r.dir,
        allow_delete: r.allowDelete,
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
  } else if (c.known(s.routes)) c.fail("cluster.routes", "must be a list of route URLs");
  // 0.0.0.0 is the server's own default host; writing it keeps the `listen` form nsc and the docs use.
  return { name: s.name, listen: `${s.host ?? "0.0.0.0"}:${s.port}`, routes: s.routes && [...s.routes] };
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
  for (const [k, v] of Object.entries(c.pending(spec.extra) ? {} : (spec.extra ?? {}))) {
    if (k in conf) c.fail(`extra.${k}`, "repeats a key the builder writes; use the typed field");
    else conf[k] = v;
  }
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
