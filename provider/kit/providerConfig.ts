/**
 * The provider's configuration (contracts.ts `ProviderConfig`): `nats-auth:<key>` stack config for
 * the default provider, or the inputs of an explicit provider resource, and `NATS_AUTH_<KEY>`
 * environment variables under both. It says, once per environment, how Accounts reach their resolver.
 *
 * - Parsing: stack config reaches a provider as text (`["nats://a:4222"]`, `5000`, `true`), an
 *   explicit provider's inputs as typed values or, from the generated SDKs, as JSON text: both are read.
 * - Refusals name the key, the reason and what to do, all at once (check, before anything runs).
 * - An Account's own `resolver` overrides the provider's field by field (`servers`, `creds`, `tls`,
 *   `timeoutMs`, `waitMs`, `expectedServers`, `onDelete`; the TLS settings are one field). An
 *   explicit empty `servers` list opts an Account out of pushing.
 * - State: of the provider's settings only `servers` is written into an Account's inputs (where it
 *   is pushed, so a change of servers is an update that pushes there). Creds, TLS material, timeouts
 *   and the other settings are added when a method runs and removed from what it returns: a creds
 *   rotation changes no resource, and no resource's state holds the provider's creds.
 */
import { fieldsOf } from "../../core/claimInputs";
import { ConfigError, describe, type Failure } from "../../core/errors";
import { repeatedUrls } from "../../core/serverConfig";
import { Checker, urlCredentialProblem } from "../../core/validation";
import type { ResolverTls } from "../../io/resolverClient";
import type { AccountProps, AccountResolver, ProviderConfig } from "../contracts";
import { clientUrlProblem } from "./accountResolver";
import { CONFIG_NAMESPACE, ownsProviderNamespace } from "./configNamespace";
import type { Handler } from "./handler";
import { checkResolverTls } from "./resolverTls";
import { containsUnknown } from "./unknown";

export { CONFIG_NAMESPACE, ownsProviderNamespace };

/** Every key of the provider configuration (the compiler checks the list against the contract). */
export const PROVIDER_CONFIG_KEYS = fieldsOf<ProviderConfig>({
  servers: true,
  creds: true,
  expectedServers: true,
  onDelete: true,
  timeoutMs: true,
  waitMs: true,
  tlsCaFile: true,
  tlsCa: true,
  tlsCertFile: true,
  tlsCert: true,
  tlsKeyFile: true,
  tlsKey: true,
  tlsHandshakeFirst: true,
});
export type ProviderConfigKey = keyof ProviderConfig;

/** Inputs the engine gives every provider resource besides its configuration. */
const ENGINE_KEYS = new Set(["version", "pluginDownloadURL"]);

/**
 * Secret keys: wrapped as secrets wherever the plugin returns them, CheckConfig included, so a
 * provider's stored inputs hold them encrypted even when the stack config gave them in plain text
 * (the engine hands CheckConfig no secret markers, so plain and secret cannot be told apart there).
 */
export const SECRET_CONFIG_KEYS: readonly ProviderConfigKey[] = ["creds", "tlsKey"];

/** The environment variable a key is also read from: `tlsCaFile` → `NATS_AUTH_TLS_CA_FILE`. */
export function envVarOf(key: ProviderConfigKey): string {
  return `NATS_AUTH_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** The provider's TLS keys and the `ResolverTls` field each one sets. */
const TLS_FIELDS = {
  tlsCaFile: "caFile",
  tlsCa: "ca",
  tlsCertFile: "certFile",
  tlsCert: "cert",
  tlsKeyFile: "keyFile",
  tlsKey: "key",
  tlsHandshakeFirst: "handshakeFirst",
} as const satisfies Partial<Record<ProviderConfigKey, keyof ResolverTls>>;

const named = (key: string) => `${CONFIG_NAMESPACE}:${key}`;

/** What a provider's raw inputs hold: the configuration, and every refusal (key, reason, what to do). */
export interface ParsedProviderConfig {
  /** The configuration: the inputs' keys, and the environment variables of keys they leave out. */
  config: ProviderConfig;
  /** Which keys came from environment variables (never written back into the provider's inputs). */
  fromEnv: ProviderConfigKey[];
  failures: Failure[];
}

/** The closest known key to a misspelt one, when close enough to be a likely typo. */
function nearestKey(key: string): string | undefined {
  const distance = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i][j] = Math.min(
          d[i - 1][j] + 1,
          d[i][j - 1] + 1,
          d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
    return d[a.length][b.length];
  };
  const lower = key.toLowerCase();
  const scored = PROVIDER_CONFIG_KEYS.map((k) => [k, distance(lower, k.toLowerCase())] as const);
  const [best, score] = scored.sort((a, b) => a[1] - b[1])[0];
  return score <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

/** A whole number from a number or its text; NaN when it is neither. */
function wholeNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^\s*-?\d+\s*$/.test(v)) return Number(v);
  return Number.NaN;
}

/** A list of URLs from a list, its JSON text, or comma-separated text (an environment variable). */
function urlList(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const text = v.trim();
  if (text.startsWith("[")) {
    try {
      return JSON.parse(text);
    } catch {
      return v;
    }
  }
  return text === "" ? [] : text.split(",").map((s) => s.trim());
}

function flag(v: unknown): unknown {
  if (v === "true") return true;
  if (v === "false") return false;
  return v;
}

const CARRIES_SECRET = "the URL carries a user, password or token";
const CREDS_JWT = "-----BEGIN NATS USER JWT-----";
const CREDS_SEED = "-----BEGIN USER NKEY SEED-----";

/**
 * Reads and judges a provider's inputs (`raw`: the engine's, secrets already unwrapped) with `env`
 * under them. Unknown values (a preview of a provider whose
 * inputs come from other resources) are kept as they are and not judged.
 */
export function parseProviderConfig(
  raw: Record<string, unknown>,
  opts: { env?: NodeJS.ProcessEnv } = {},
): ParsedProviderConfig {
  const c = new Checker(containsUnknown);
  const env = opts.env ?? {};
  const given: Record<string, unknown> = {};
  const from: Record<string, "config" | "env"> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (ENGINE_KEYS.has(key) || value === undefined || value === null) continue;
    if (!(PROVIDER_CONFIG_KEYS as string[]).includes(key)) {
      const near = nearestKey(key);
      c.fail(
        key,
        `${named(key)} is not a setting of the nats-auth provider${near ? ` (did you mean ${named(near)}?)` : ""}; ` +
          `remove it (pulumi config rm ${named(key)}) or use one of: ${PROVIDER_CONFIG_KEYS.join(", ")}`,
      );
      continue;
    }
    given[key] = value;
    from[key] = "config";
  }
  for (const key of PROVIDER_CONFIG_KEYS) {
    const v = env[envVarOf(key)];
    if (given[key] === undefined && v !== undefined && v !== "") {
      given[key] = v;
      from[key] = "env";
    }
  }
  const where = (key: string) => (from[key] === "env" ? envVarOf(key as ProviderConfigKey) : named(key));
  const config: Record<string, unknown> = {};
  const pending = (v: unknown) => containsUnknown(v);

  for (const [key, value] of Object.entries(given)) {
    if (pending(value)) {
      config[key] = value;
      continue;
    }
    const at = where(key);
    switch (key as ProviderConfigKey) {
      case "servers": {
        const list = urlList(value);
        if (!Array.isArray(list) || list.some((u) => typeof u !== "string")) {
          c.fail(key, `${at}: must be a list of server URLs, e.g. ["nats://127.0.0.1:4222"]`);
          break;
        }
        list.forEach((url: string, i) => {
          const bad = clientUrlProblem(url);
          if (bad) c.fail(key, `${at}[${i}]: ${bad}`);
          else if (urlCredentialProblem(url)) {
            c.fail(
              key,
              `${at}[${i}]: ${CARRIES_SECRET}; the server list is not secret (it ` +
                `is written into each Account's state), so give the URL without it and the system user's ` +
                `.creds as ${named("creds")} (pulumi config set --secret ${named("creds")} < sys.creds)`,
            );
          }
        });
        for (const [dup, first] of repeatedUrls(list as string[])) {
          c.fail(key, `${at}[${dup}]: is the same server as [${first}]: list each server once`);
        }
        config[key] = list;
        break;
      }
      case "creds": {
        if (typeof value !== "string" || !value.includes(CREDS_JWT) || !value.includes(CREDS_SEED)) {
          const looksLikePath =
            typeof value === "string" && !value.includes("-----") && !value.includes("\n");
          c.fail(
            key,
            `${at}: is not the text of a .creds file (it must hold ${CREDS_JWT} and ${CREDS_SEED}, as a ` +
              `system account user's creds do)${looksLikePath ? "; it looks like a file path: give the file's content" : ""}; ` +
              `set it with: pulumi config set --secret ${named("creds")} < sys.creds`,
          );
        }
        config[key] = value;
        break;
      }
      case "expectedServers":
      case "timeoutMs":
      case "waitMs": {
        const n = wholeNumber(value);
        const least = key === "waitMs" ? 0 : 1;
        if (!Number.isInteger(n) || n < least) {
          c.fail(
            key,
            `${at}: must be a whole number${key === "expectedServers" ? "" : " of milliseconds"}, ${least} or more, got ${JSON.stringify(value)}`,
          );
        }
        config[key] = n;
        break;
      }
      case "onDelete":
        if (value !== "delete" && value !== "retain") {
          c.fail(key, `${at}: must be "delete" or "retain", got ${JSON.stringify(value)}`);
        }
        config[key] = value;
        break;
      case "tlsHandshakeFirst":
        config[key] = flag(value);
        break;
      default:
        config[key] = value;
    }
  }
  const parsed = config as ProviderConfig;
  checkResolverTls(c, tlsOf(parsed), (f) => {
    const key = (Object.keys(TLS_FIELDS) as (keyof typeof TLS_FIELDS)[]).find((k) => TLS_FIELDS[k] === f);
    return key ? where(key) : f;
  });
  // The checker names the key in `property`; reasons already start with it.
  return {
    config: parsed,
    fromEnv: PROVIDER_CONFIG_KEYS.filter((k) => from[k] === "env"),
    // The engine prints the value of the property a failure names: a failure about a secret key, or
    // about a URL carrying a password, names none (its reason names the key).
    failures: c.failures.map((f) => {
      const key = bareKey(f.property);
      const quiet = (SECRET_CONFIG_KEYS as string[]).includes(key) || f.reason.includes(CARRIES_SECRET);
      return { property: quiet ? "" : key, reason: f.reason };
    }),
  };
}

/** A failure's property as the bare key (`nats-auth:tlsKey` → `tlsKey`). */
function bareKey(property: string): string {
  for (const key of PROVIDER_CONFIG_KEYS) {
    if (property === named(key) || property === envVarOf(key)) return key;
  }
  return property;
}

/** The TLS settings of the configuration as the resolver connection takes them. */
function tlsOf(c: ProviderConfig): ResolverTls | undefined {
  const tls: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(TLS_FIELDS)) {
    const v = c[key as keyof typeof TLS_FIELDS];
    if (v !== undefined) tls[field] = v;
  }
  return Object.keys(tls).length ? (tls as ResolverTls) : undefined;
}

/** The configuration as an Account's `resolver` fields (only those it sets). */
export function resolverDefaults(c: ProviderConfig | undefined): Partial<AccountResolver> {
  if (!c) return {};
  const r: Partial<AccountResolver> = {
    servers: c.servers,
    creds: c.creds,
    expectedServers: c.expectedServers,
    onDelete: c.onDelete,
    timeoutMs: c.timeoutMs,
    waitMs: c.waitMs,
    tls: tlsOf(c),
  };
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Partial<AccountResolver>;
}

/**
 * The resolver an Account uses: its own `resolver`, each field it leaves out taken from the provider's
 * configuration. Undefined when the Account gives none and the provider names no servers.
 */
export function effectiveResolver(
  own: Partial<AccountResolver> | undefined,
  c: ProviderConfig | undefined,
): AccountResolver | undefined {
  const mine = Object.fromEntries(
    Object.entries(own && typeof own === "object" ? own : {}).filter(
      ([, v]) => v !== undefined && v !== null,
    ),
  );
  const merged = { ...resolverDefaults(c), ...mine } as Partial<AccountResolver>;
  // A resolver the Account gives is kept even without servers: its check refuses it, naming the
  // missing servers, rather than the push being dropped without a word.
  const given = own !== undefined && own !== null && typeof own === "object";
  return merged.servers === undefined && !given ? undefined : (merged as AccountResolver);
}

/**
 * The `resolver` stored in an Account's inputs: its own, plus the provider's `servers` when it names
 * none (where the account is pushed is part of its state; nothing else of the provider's is).
 */
export function storedResolver(
  own: Partial<AccountResolver> | undefined,
  c: ProviderConfig | undefined,
): Partial<AccountResolver> | undefined {
  const servers = c?.servers;
  if (servers === undefined) return own;
  if (own && typeof own === "object" && own.servers !== undefined && own.servers !== null) return own;
  return { ...(own && typeof own === "object" ? own : {}), servers };
}

/**
 * `h` (an Account handler) with the provider's configuration `config()` applied to its `resolver`:
 * check stores the servers (see the module header); every other method runs with the full resolver
 * and returns the stored one, so neither outputs nor a partial failure's state carry the provider's
 * creds or TLS material.
 */
export function withProviderConfig<P extends AccountProps, S extends P>(
  h: Handler<P, S>,
  config: () => ProviderConfig | undefined,
): Handler<P, S> {
  const full = <T extends { resolver?: AccountResolver }>(props: T): T => {
    const r = effectiveResolver(props.resolver, config());
    const { resolver: _, ...rest } = props;
    return (r ? { ...rest, resolver: r } : rest) as T;
  };
  const restore = <T extends object>(out: T, stored: AccountResolver | undefined): T => {
    const { resolver: _, ...rest } = out as T & { resolver?: unknown };
    return (stored === undefined ? rest : { ...rest, resolver: stored }) as T;
  };
  const rethrow = (e: unknown, stored: AccountResolver | undefined): never => {
    const failed = e as { properties?: object } | undefined;
    if (failed && typeof failed === "object" && failed.properties) {
      failed.properties = restore(failed.properties, stored);
    }
    throw e;
  };
  const wrapped: Handler<P, S> = {
    async check(olds, news) {
      const own = news.resolver as Partial<AccountResolver> | undefined;
      const r = await h.check(olds, full(news));
      const stored = storedResolver(own, config()) as AccountResolver | undefined;
      return { ...r, inputs: restore(r.inputs, stored) };
    },
    diff: (id, olds, news) => h.diff(id, olds, news),
    async create(inputs) {
      try {
        const r = await h.create(full(inputs));
        return { id: r.id, outs: restore(r.outs, inputs.resolver) };
      } catch (e) {
        return rethrow(e, inputs.resolver);
      }
    },
    async read(id, props) {
      if (!h.read) return { id, props };
      const r = (await h.read(id, full(props))) as { id: string; props: S; inputs?: object };
      const out: { id: string; props: S; inputs?: object } = {
        id: r.id,
        props: restore(r.props, props.resolver),
      };
      if (r.inputs) out.inputs = restore(r.inputs, props.resolver);
      return out;
    },
  };
  if (h.update) {
    const update = h.update.bind(h);
    wrapped.update = async (id, olds, news) => {
      try {
        const r = await update(id, olds, full(news));
        return { outs: restore(r.outs, news.resolver) };
      } catch (e) {
        return rethrow(e, news.resolver);
      }
    };
  }
  if (h.delete) {
    const del = h.delete.bind(h);
    wrapped.delete = (id, props) => del(id, full(props));
  }
  if (h.preview) wrapped.preview = h.preview.bind(h);
  return wrapped;
}

/** The failures of a configuration as one message, for an error raised outside check (Configure). */
export function configFailureText(failures: Failure[]): string {
  return `invalid nats-auth provider configuration: ${failures.map((f) => describe(f.reason)).join("; ")}`;
}

/** What the Node.js dynamic provider host hands `configure`: the whole stack config (pulumi-nodejs). */
export interface DynamicConfigureRequest {
  /** `projectName` is the host's (cmd/dynamic-provider/config.js), not in the SDK's declared type. */
  config: { get(key: string): unknown; projectName?: string };
}

/**
 * `h` for the TypeScript SDK's dynamic resources: with a `configure` the dynamic provider host calls
 * once per process with the whole stack config, of which the `nats-auth:*` keys are read (and
 * `NATS_AUTH_*` under them). The stack config is every package's and the program's own, so other keys
 * are not judged here; bad `nats-auth:*` values fail the resource's check, naming the key.
 */
export function withStackProviderConfig<P extends AccountProps, S extends P>(
  h: Handler<P, S>,
  env: NodeJS.ProcessEnv = process.env,
): Handler<P, S> & { configure(req: DynamicConfigureRequest): Promise<void> } {
  let config: ProviderConfig | undefined;
  let refused: Error | undefined;
  const inner = withProviderConfig(h, () => {
    if (refused) throw refused;
    return config;
  });
  return Object.assign(inner, {
    async configure(req: DynamicConfigureRequest): Promise<void> {
      const raw: Record<string, unknown> = {};
      // In a project named `nats-auth`, `nats-auth:<key>` is the program's own config (`pulumi config
      // set servers …`), not this package's: reading it would push accounts the program never gave a
      // resolver (an OperatorWithSystemAccount's SYS) without creds.
      if (ownsProviderNamespace(req.config.projectName)) return;
      for (const key of PROVIDER_CONFIG_KEYS) {
        const v = req.config.get(named(key));
        if (v !== undefined) raw[key] = v;
      }
      const p = parseProviderConfig(raw, { env });
      // Thrown from the first method that needs it (the host would report a configure error as a crash).
      refused = p.failures.length ? new ConfigError("", configFailureText(p.failures)) : undefined;
      config = p.config;
    },
  });
}
