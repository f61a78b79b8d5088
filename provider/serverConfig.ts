/**
 * nats-server configuration: a pure builder from a typed spec (camelCase) to a config object
 * (snake_case, the names nats-server reads), and one serializer from such an object to NATS config
 * syntax. Nothing here touches the file system or the network.
 */
import { ConfigError } from "./errors";
import { isPublicKey } from "./keys";

/** A value in a NATS config object; `undefined` entries are left out of the text. */
export type ConfValue = string | number | boolean | undefined | ConfValue[] | ConfObject;

/** A NATS config map (top level or a nested block). */
export interface ConfObject {
  [key: string]: ConfValue;
}

// Anything else is quoted: bare keys end at whitespace, ':' or '=', and a bare `include` followed by
// a space is the include directive.
const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function formatKey(key: string): string {
  if (BARE_KEY.test(key) && key.toLowerCase() !== "include") return key;
  // Quoted keys have no escapes in the NATS lexer, so the quote character itself cannot appear.
  if (/[\r\n]/.test(key) || (key.includes('"') && key.includes("'"))) {
    throw new ConfigError(key, "a config key cannot contain a new line or both kinds of quote");
  }
  return key.includes('"') ? `'${key}'` : `"${key}"`;
}

const ESCAPES: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };

// Strings are always double-quoted: bare values would turn `$x` into a variable reference, `yes` into
// a boolean and `1k` into a number.
function quote(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    out += ESCAPES[c] ?? (code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : c);
  }
  return `"${out}"`;
}

function isBlock(v: ConfValue): v is ConfObject {
  return typeof v === "object" && !Array.isArray(v);
}

function isScalar(v: ConfValue): boolean {
  return typeof v !== "object";
}

function entries(obj: ConfObject, pad: string): string[] {
  return Object.entries(obj)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${pad}${formatKey(k)}${isBlock(v) ? " " : ": "}${render(v, pad)}`);
}

function render(v: ConfValue, pad: string): string {
  if (typeof v === "string") return quote(v);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new ConfigError(String(v), "config numbers must be finite");
    return String(v);
  }
  if (typeof v === "boolean") return String(v);
  const inner = `${pad}  `;
  if (Array.isArray(v)) {
    const items = v.filter((x) => x !== undefined);
    if (items.length === 0) return "[]";
    if (items.every(isScalar)) return `[ ${items.map((x) => render(x, inner)).join(", ")} ]`;
    return `[\n${items.map((x) => inner + render(x, inner)).join("\n")}\n${pad}]`;
  }
  const lines = entries(v ?? {}, inner);
  return lines.length === 0 ? "{}" : `{\n${lines.join("\n")}\n${pad}}`;
}

/**
 * Serializes a config object to nats-server config syntax: `key: value` lines, `name { … }` blocks,
 * `[ … ]` arrays, strings always double-quoted, two-space indent, keys in insertion order.
 */
export function toConf(value: ConfObject): string {
  const lines = entries(value, "");
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** The account resolver: `full` (nats-based, stores JWTs), `cache` (nats-based, evicts) or `memory`. */
export type ResolverSpec =
  | {
      type: "full";
      dir: string;
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
  credentials?: string;
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
  /** Extra top-level keys, appended as given; they may not repeat a key the builder writes. */
  extra?: ConfObject;
}

const LEAF_SCHEMES = ["nats-leaf", "tls", "ws", "wss", "nats"];

function checkPort(field: string, port: number | undefined): void {
  if (port === undefined) return;
  if (!Number.isInteger(port) || port < -1 || port > 65535) {
    throw new ConfigError(field, `port ${port} is not an integer in 0..65535 (or -1 for a random port)`);
  }
}

function nonEmpty(field: string, text: string | undefined, reason: string): void {
  if (typeof text !== "string" || text.trim() === "") throw new ConfigError(field, reason);
}

function resolver(spec: ServerConfigSpec): ConfValue {
  const r = spec.resolver;
  if (!r) return undefined;
  nonEmpty("operator", spec.operator, "a resolver needs the operator JWT (operator is not set)");
  nonEmpty("systemAccount", spec.systemAccount, "system account is not set");
  // Checked on the raw object because JS callers can pass fields the type does not allow.
  const raw = r as Record<string, unknown>;
  switch (r.type) {
    case "memory":
      if (raw.dir !== undefined) throw new ConfigError("resolver.dir", "a memory resolver has no directory");
      if (!spec.preload || Object.keys(spec.preload).length === 0) {
        throw new ConfigError(
          "preload",
          "a memory resolver knows only preloaded accounts: preload at least one",
        );
      }
      return "MEMORY";
    case "full":
      nonEmpty("resolver.dir", r.dir, "a full resolver needs a directory to store JWTs");
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
      nonEmpty("resolver.dir", r.dir, "a cache resolver needs a directory to store JWTs");
      for (const f of ["allowDelete", "hardDelete"]) {
        if (raw[f] !== undefined)
          throw new ConfigError(`resolver.${f}`, "a cache resolver cannot delete accounts");
      }
      return { type: "cache", dir: r.dir, ttl: r.ttl, timeout: r.timeout, limit: r.limit };
    default:
      throw new ConfigError("resolver.type", `unknown resolver type ${JSON.stringify(raw.type)}`);
  }
}

function preload(spec: ServerConfigSpec): ConfObject | undefined {
  if (!spec.preload) return undefined;
  if (!spec.resolver) throw new ConfigError("preload", "preloaded accounts need a resolver");
  for (const [pub, jwt] of Object.entries(spec.preload)) {
    if (!isPublicKey(pub, "account")) throw new ConfigError(`preload.${pub}`, "not an account public key");
    nonEmpty(`preload.${pub}`, jwt, "the account JWT is empty");
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

function leafRemote(r: LeafRemoteSpec, i: number): ConfObject {
  const [problem] = leafUrlProblems(r.urls);
  if (problem) throw new ConfigError(`leafnodes.remotes[${i}].urls`, problem);
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

function leafnodes(l: LeafNodesSpec | undefined): ConfObject | undefined {
  if (!l) return undefined;
  checkPort("leafnodes.port", l.port);
  const a = l.authorization;
  return {
    host: l.host,
    port: l.port,
    authorization: a && { user: a.user, password: a.password, account: a.account, timeout: a.timeout },
    remotes: l.remotes?.map(leafRemote),
  };
}

function cluster(c: ClusterSpec | undefined): ConfObject | undefined {
  if (!c) return undefined;
  nonEmpty("cluster.name", c.name, "a cluster needs a name");
  checkPort("cluster.port", c.port);
  if (c.port === undefined) throw new ConfigError("cluster.port", "a cluster needs a port");
  // 0.0.0.0 is the server's own default host; writing it keeps the `listen` form nsc and the docs use.
  return { name: c.name, listen: `${c.host ?? "0.0.0.0"}:${c.port}`, routes: c.routes && [...c.routes] };
}

/**
 * Builds the config object nats-server reads from a spec, validating as nsc's config builders do.
 * Throws a `ConfigError` naming the first invalid field.
 */
export function buildServerConfig(spec: ServerConfigSpec): ConfObject {
  checkPort("port", spec.port);
  checkPort("httpPort", spec.httpPort);
  if (spec.systemAccount !== undefined && !isPublicKey(spec.systemAccount, "account")) {
    throw new ConfigError("systemAccount", "not an account public key (56 characters starting with 'A')");
  }
  const js = spec.jetstream;
  if (js) nonEmpty("jetstream.storeDir", js.storeDir, "JetStream needs a store directory");
  const conf: ConfObject = {
    server_name: spec.serverName,
    host: spec.host,
    port: spec.port,
    http_port: spec.httpPort,
    operator: spec.operator,
    system_account: spec.systemAccount,
    resolver: resolver(spec),
    resolver_preload: preload(spec),
    jetstream: js && { store_dir: js.storeDir, max_memory_store: js.maxMemory, max_file_store: js.maxFile },
    cluster: cluster(spec.cluster),
    leafnodes: leafnodes(spec.leafnodes),
  };
  // Unset fields are dropped here so that extra keys land after the built ones.
  for (const k of Object.keys(conf)) if (conf[k] === undefined) delete conf[k];
  for (const [k, v] of Object.entries(spec.extra ?? {})) {
    if (k in conf)
      throw new ConfigError(`extra.${k}`, "repeats a key the builder writes; use the typed field");
    conf[k] = v;
  }
  return conf;
}

/** `toConf(buildServerConfig(spec))`: the config file text for a spec. */
export function renderServerConfig(spec: ServerConfigSpec): string {
  return toConf(buildServerConfig(spec));
}
