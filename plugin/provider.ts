/**
 * The native provider plugin `nats-auth`: the handlers of provider/ served to every Pulumi language
 * (YAML, Go, Python) through `@pulumi/pulumi/provider`. A thin adapter, with no NATS logic of its own:
 *
 * - Secrets: the plugin accepts secrets, so secret values arrive wrapped. They are unwrapped for the
 *   handlers, and everything the plugin returns is wrapped again where the schema marks a property
 *   secret (generated from the `@secret` tags of the contracts: one source) and wherever a secret
 *   arrived. That includes the inputs `check` returns: the engine stores those as the resource's
 *   inputs, and a seed returned bare there lands in state in plain text.
 * - `undefined` is stripped (the protobuf encoder refuses it).
 * - Outputs the TypeScript SDK derives in its classes (a User's `creds`) come from kit/derived.ts.
 * - Previews (`previewCreate`, `previewUpdate`, served by serve.ts): the outputs a handler's
 *   `preview` knows, every other output of the schema the unknown placeholder; nothing is signed,
 *   written or pushed.
 */
import * as nodePath from "node:path";
import type * as pulumi from "@pulumi/pulumi/provider";
import { accountHandler as account } from "../provider/account";
import { handler as activationToken } from "../provider/activationToken";
import type { ProviderConfig } from "../provider/contracts";
import { handler as credsFile } from "../provider/credsFile";
import { importResource } from "../provider/importer";
import { handler as keyPair } from "../provider/keyPair";
import { withDerivedOutputs } from "../provider/kit/derived";
import { engineFailures } from "../provider/kit/failures";
import type { Handler, ResourceKind } from "../provider/kit/handler";
import { resolvePaths } from "../provider/kit/paths";
import {
  configFailureText,
  effectiveResolver,
  parseProviderConfig,
  SECRET_CONFIG_KEYS,
  storedResolver,
  withProviderConfig,
} from "../provider/kit/providerConfig";
import { UNKNOWN } from "../provider/kit/unknown";
import { handler as leafRemote } from "../provider/leafRemote";
import { handler as natsContext } from "../provider/natsContext";
import { handler as operator } from "../provider/operator";
import { handler as serverConfigFile } from "../provider/serverConfigFile";
import { handler as signingKey } from "../provider/signingKey";
import { handler as user } from "../provider/user";
import schema from "../schema.json";
import { construct } from "./component";
import { RESOURCES, tokenOf } from "./resources";

/** How the engine marks a secret value when the provider accepts secrets. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

type Obj = Record<string, unknown>;
/** A property path; "*" stands for every item of an array or every value of a map. */
type Path = readonly string[];

// Each handler is typed by its own contract; the engine hands the adapter untyped values.
const HANDLERS: Record<ResourceKind, Handler<object, object>> = {
  keyPair,
  signingKey,
  operator,
  account,
  user,
  activationToken,
  leafRemote,
  serverConfigFile,
  credsFile,
  natsContext,
} as unknown as Record<ResourceKind, Handler<object, object>>;

interface SchemaProperty {
  secret?: boolean;
  $ref?: string;
  items?: SchemaProperty;
  additionalProperties?: SchemaProperty;
}
interface SchemaShape {
  resources: Record<
    string,
    { inputProperties?: Record<string, SchemaProperty>; properties: Record<string, SchemaProperty> }
  >;
  types: Record<string, { properties?: Record<string, SchemaProperty> }>;
}

/** Every path under `props` that the schema marks secret (following object types, arrays and maps). */
function secretPathsOf(
  s: SchemaShape,
  props: Record<string, SchemaProperty> | undefined,
  seen: string[] = [],
): Path[] {
  const out: Path[] = [];
  const walk = (p: SchemaProperty, at: Path): void => {
    if (p.secret) {
      out.push(at);
      return;
    }
    if (p.items) walk(p.items, [...at, "*"]);
    if (p.additionalProperties) walk(p.additionalProperties, [...at, "*"]);
    const ref = p.$ref?.startsWith("#/types/") ? p.$ref.slice("#/types/".length) : undefined;
    if (ref && !seen.includes(ref)) {
      for (const sub of secretPathsOf(s, s.types[ref]?.properties, [...seen, ref])) out.push([...at, ...sub]);
    }
  };
  for (const [name, p] of Object.entries(props ?? {})) walk(p, [name]);
  return out;
}

interface Served {
  kind: ResourceKind;
  handler: Handler<object, object>;
  secretInputs: Path[];
  secretOutputs: Path[];
  /** Every output property of the schema: those a preview does not know are sent as unknown. */
  outputNames: string[];
}

const SERVED = new Map<string, Served>(
  RESOURCES.map((r) => {
    const s = schema as unknown as SchemaShape;
    const res = s.resources[tokenOf(r.type)];
    return [
      tokenOf(r.type),
      {
        kind: r.kind,
        handler: HANDLERS[r.kind],
        secretInputs: secretPathsOf(s, res?.inputProperties),
        secretOutputs: secretPathsOf(s, res?.properties),
        outputNames: Object.keys(res?.properties ?? {}),
      },
    ];
  }),
);

function isSecret(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Obj)[SECRET_SIG] === SECRET_VALUE;
}

/** `v` with every secret unwrapped; `found` collects where secrets were (concrete paths). */
export function unwrapSecrets(v: unknown, found: Path[] = [], at: Path = []): unknown {
  if (isSecret(v)) {
    found.push(at);
    return unwrapSecrets(v.value, [], at);
  }
  if (Array.isArray(v)) return v.map((x, i) => unwrapSecrets(x, found, [...at, String(i)]));
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x, found, [...at, k])]));
  }
  return v;
}

/** `v` without `undefined` anywhere (dropped from objects, null in arrays). */
export function stripUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : stripUndefined(x)));
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, stripUndefined(x)]),
    );
  }
  return v;
}

/** `v` with the value at `path` wrapped as a secret (nothing when absent; unknowns stay unknown). */
function wrapAt(v: unknown, path: Path): unknown {
  if (path.length === 0) {
    if (v === undefined || v === null || v === UNKNOWN || isSecret(v)) return v;
    return { [SECRET_SIG]: SECRET_VALUE, value: v };
  }
  const [head, ...rest] = path;
  if (Array.isArray(v)) {
    return v.map((x, i) => (head === "*" || head === String(i) ? wrapAt(x, rest) : x));
  }
  if (typeof v === "object" && v !== null && !isSecret(v)) {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, head === "*" || head === k ? wrapAt(x, rest) : x]),
    );
  }
  return v;
}

/**
 * `path` cut where `v` no longer has objects or arrays to follow: a handler may return a value in
 * another form than it came (an Account's large `revocations` map is stored packed into one string),
 * and a secret found inside it must then wrap the whole returned value, not be dropped.
 */
function reachable(v: unknown, path: Path): Path {
  let at = v;
  for (let i = 0; i < path.length; i++) {
    if (typeof at !== "object" || at === null) return path.slice(0, i);
    at = (at as Obj)[path[i]];
  }
  return path;
}

/** A URL that carries a user or password (`nats://u:p@host`): a secret wherever it is given. */
const CREDENTIAL_URL = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]+@/i;

/** `v` with every string that is a URL with credentials wrapped as a secret. */
function wrapCredentialUrls(v: unknown): unknown {
  if (typeof v === "string") return CREDENTIAL_URL.test(v) ? { [SECRET_SIG]: SECRET_VALUE, value: v } : v;
  if (Array.isArray(v)) return v.map(wrapCredentialUrls);
  if (typeof v === "object" && v !== null && !isSecret(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, wrapCredentialUrls(x)]));
  }
  return v;
}

/**
 * What the plugin returns to the engine: no undefined, every secret path wrapped, and every URL
 * with credentials in it (a resolver or leaf URL) wrapped too, as the TypeScript SDK does.
 */
export function toEngine(v: unknown, secretPaths: readonly Path[]): Obj {
  let out = stripUndefined(v);
  for (const p of secretPaths) out = wrapAt(out, p);
  return (wrapCredentialUrls(out) ?? {}) as Obj;
}

/** The type token of a URN: urn:pulumi:<stack>::<project>::<parent types $>…<type>::<name>. */
function tokenOfUrn(urn: string): string {
  return urn.split("::")[2]?.split("$").pop() ?? "";
}

/** The type name of a URN's token (`nats-auth:index:Account` → `Account`). */
function typeOf(urn: string): string {
  return tokenOfUrn(urn).split(":").pop() ?? "";
}

function served(urn: string): Served {
  const type = tokenOfUrn(urn);
  const s = SERVED.get(type);
  if (!s) throw new Error(`nats-auth: unknown resource type ${type}`);
  return s;
}

/** The props for a handler, and where secrets were in them. */
function fromEngine(props: unknown): { value: Obj; secrets: Path[] } {
  const secrets: Path[] = [];
  const value = (unwrapSecrets(props ?? {}, secrets) ?? {}) as Obj;
  return { value, secrets };
}

/** A partial failure carries the state to record: it leaves wrapped like any output. */
function rewrapFailure(e: unknown, paths: readonly Path[]): unknown {
  if (e && typeof e === "object" && "properties" in e && (e as Obj).properties) {
    (e as Obj).properties = toEngine((e as Obj).properties, paths);
  }
  return e;
}

/** Relative file paths are taken relative to the directory the plugin runs in: the project's. */
function withPaths(kind: ResourceKind, inputs: Obj): Obj {
  return resolvePaths(kind, inputs, (p) => nodePath.resolve(p));
}

/**
 * A preview's outputs: what the handler knows without side effects (the inputs alone when it has no
 * `preview`), every other output unknown. An output left out would read as absent, not as unknown.
 */
function previewOutputs(s: Served, news: Obj, olds?: Obj): Obj {
  const known = (s.handler.preview ? s.handler.preview(news, olds) : news) as Obj;
  const outs: Obj = { ...known };
  for (const name of s.outputNames) if (outs[name] === undefined || outs[name] === null) outs[name] = UNKNOWN;
  return outs;
}

/** What CheckConfig answers: the provider's inputs as the engine stores them, and every refusal. */
export interface ConfigCheck {
  inputs: Obj;
  failures: { property: string; reason: string }[];
}

/** The provider `main()` serves, plus what a preview of a create or an update returns (serve.ts). */
export interface NativeProvider extends pulumi.Provider {
  /**
   * CheckConfig: the provider's own inputs (`nats-auth:*` stack config, or an explicit provider's
   * properties) judged, returned as given with the secret keys wrapped (kit/providerConfig.ts).
   */
  checkConfig(olds: Obj, news: Obj): Promise<ConfigCheck>;
  /** DiffConfig: whether the configuration changed. Never a replacement (resources keep their provider). */
  diffConfig(olds: Obj, news: Obj): Promise<{ changes: boolean }>;
  /** Configure: the configuration the resources of this provider instance run with. */
  configureProvider(inputs: Obj): Promise<void>;
  /** The configuration Configure set (undefined before it ran), for the handlers of this process. */
  providerConfig(): ProviderConfig | undefined;
  /** Create during a preview: the outputs known before anything exists; nothing is created. */
  previewCreate(urn: string, inputs: Obj): Promise<Obj>;
  /** Update during a preview: the outputs known before the update; nothing is signed or pushed. */
  previewUpdate(id: string, urn: string, olds: Obj, news: Obj): Promise<Obj>;
}

/** Logs a warning on a resource (the engine's Log service); check warnings go here. */
export type WarnOn = (urn: string, message: string) => void;

/**
 * The provider object `main()` serves. `warn` shows a handler's check warnings to the user (serve.ts
 * connects it to the engine); without it they are dropped. `env` is where the `NATS_AUTH_*`
 * variables are read (the process's by default).
 */
export function nativeProvider(
  version: string,
  { warn, env = process.env }: { warn?: WarnOn; env?: NodeJS.ProcessEnv } = {},
): NativeProvider {
  // The engine runs one plugin process per provider instance (the default one, or each explicit
  // provider resource): its configuration is this process's.
  let config: ProviderConfig | undefined;
  const account = withProviderConfig(HANDLERS.account as never, () => config) as Handler<object, object>;
  const handlerOf = (s: Served): Handler<object, object> => (s.kind === "account" ? account : s.handler);
  const parse = (props: Obj) => {
    const p = fromEngine(props);
    return { ...parseProviderConfig(p.value, { env }), value: p.value, secrets: p.secrets };
  };
  return {
    version,
    async checkConfig(_olds, news) {
      const p = parse(news);
      const paths: Path[] = [...SECRET_CONFIG_KEYS.map((k) => [k]), ...p.secrets];
      return { inputs: toEngine(p.value, paths), failures: p.failures };
    },
    async diffConfig(olds, news) {
      const before = parse(olds).config;
      const after = parse(news).config;
      return { changes: JSON.stringify(before) !== JSON.stringify(after) };
    },
    async configureProvider(inputs) {
      const p = parse(inputs);
      if (p.failures.length) throw new Error(configFailureText(p.failures));
      config = p.config;
    },
    providerConfig: () => config,
    getSchema: async () => JSON.stringify({ ...schema, version }),
    construct,
    async check(urn, olds, news) {
      const s = served(urn);
      const o = fromEngine(olds);
      const n = fromEngine(news);
      const r = await handlerOf(s).check(o.value, withPaths(s.kind, n.value));
      for (const w of r.warnings ?? []) warn?.(urn, w);
      return {
        inputs: toEngine(r.inputs, [...s.secretInputs, ...n.secrets.map((p) => reachable(r.inputs, p))]),
        failures: engineFailures(r.failures, n.value),
      };
    },
    async diff(id, urn, olds, news) {
      const s = served(urn);
      return handlerOf(s).diff(id, fromEngine(olds).value, fromEngine(news).value);
    },
    async create(urn, inputs) {
      const s = served(urn);
      const i = fromEngine(inputs);
      const paths = [...s.secretOutputs, ...i.secrets];
      try {
        const r = await handlerOf(s).create(i.value);
        return { id: r.id, outs: toEngine(withDerivedOutputs(s.kind, r.outs as Obj), paths) };
      } catch (e) {
        throw rewrapFailure(e, paths);
      }
    },
    async update(id, urn, olds, news) {
      const s = served(urn);
      const o = fromEngine(olds);
      const n = fromEngine(news);
      const paths = [...s.secretOutputs, ...o.secrets, ...n.secrets];
      const h = handlerOf(s);
      if (!h.update) return { outs: toEngine({ ...o.value, ...n.value }, paths) };
      try {
        const r = await h.update(id, o.value, n.value);
        return { outs: toEngine(withDerivedOutputs(s.kind, r.outs as Obj), paths) };
      } catch (e) {
        throw rewrapFailure(e, paths);
      }
    },
    async previewCreate(urn, inputs) {
      const s = served(urn);
      const i = fromEngine(inputs);
      return toEngine(previewOutputs(s, i.value), [...s.secretOutputs, ...i.secrets]);
    },
    async previewUpdate(_id, urn, olds, news) {
      const s = served(urn);
      const o = fromEngine(olds);
      const n = fromEngine(news);
      const paths = [...s.secretOutputs, ...o.secrets, ...n.secrets];
      return toEngine(previewOutputs(s, n.value, o.value), paths);
    },
    async read(id, urn, props) {
      const s = served(urn);
      const p = fromEngine(props);
      // `pulumi import` (and `import:` resource options) read with no properties at all.
      if (Object.keys(p.value).length === 0) {
        // The resolver is the provider's configuration (no resource inputs exist yet); of it, an
        // Account's state keeps the servers, as check stores them for the program (kit/providerConfig.ts).
        const r = await importResource(typeOf(urn), id, effectiveResolver(undefined, config));
        const stored = s.kind === "account" ? storedResolver(undefined, config) : undefined;
        const outs = stored ? { ...r.props, resolver: stored } : r.props;
        return {
          id: r.id,
          props: toEngine(withDerivedOutputs(s.kind, outs as Obj), s.secretOutputs),
          inputs: toEngine(r.inputs, s.secretInputs),
        };
      }
      const paths = [...s.secretOutputs, ...p.secrets];
      const h = handlerOf(s);
      if (!h.read) return { id, props: toEngine(p.value, paths) };
      const r = await h.read(id, p.value);
      return {
        id: r.id,
        props: toEngine(r.id ? withDerivedOutputs(s.kind, r.props as Obj) : r.props, paths),
      };
    },
    async delete(id, urn, props) {
      const s = served(urn);
      const h = handlerOf(s);
      if (h.delete) await h.delete(id, fromEngine(props).value);
    },
  };
}
