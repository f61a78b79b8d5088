/**
 * The inverse of `claims.ts`: the camelCase claim inputs that describe an existing JWT's claims (one
 * made by nsc, say), and what of those claims the inputs cannot say. Importing an nsc store rests on
 * it: inputs that round-trip keep the JWT byte for byte; anything that does not is reported, never
 * dropped silently.
 */
import type {
  AccountClaims,
  AccountLimits,
  Export,
  Import,
  JetStreamLimits,
  MappingDestination,
  OperatorClaims,
  Permission,
  Permissions,
  SigningKeyRef,
  UserClaims,
  UserTemplate,
} from "./claimInputs";
import { accountClaims, operatorClaims, userClaims, type WireClaims } from "./claims";
import { normalize } from "./normalize";

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === "number" ? v : undefined;
}
function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.length ? v.filter((x): x is string => typeof x === "string") : undefined;
}
function yes(v: unknown): true | undefined {
  return v === true ? true : undefined;
}

/** Drops undefined fields (and returns undefined for an object left empty). */
function compact<T extends object>(o: T): T | undefined {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return Object.keys(out).length ? (out as T) : undefined;
}

function permission(v: unknown): Permission | undefined {
  const p = obj(v);
  return p && compact({ allow: strings(p.allow), deny: strings(p.deny) });
}

function permissions(v: Json): Permissions {
  const resp = obj(v.resp);
  return {
    pub: permission(v.pub),
    sub: permission(v.sub),
    resp: resp ? compact({ maxMsgs: num(resp.max) ?? 0, ttl: num(resp.ttl) || undefined }) : undefined,
  };
}

/** -1 is every limit's default (unlimited) in `claims.ts`, so it is left out. */
function limit(v: unknown): number | undefined {
  const n = num(v);
  return n === undefined || n === -1 ? undefined : n;
}

function userTemplate(n: Json): UserTemplate {
  const times = Array.isArray(n.times)
    ? (n.times as Json[]).map((t) => ({ start: String(t.start), end: String(t.end) }))
    : undefined;
  return {
    ...permissions(n),
    subs: limit(n.subs),
    data: limit(n.data),
    payload: limit(n.payload),
    sourceNetworks: strings(n.src),
    times: times?.length ? times : undefined,
    timeZone: str(n.times_location) ?? str(n.locale),
    bearerToken: yes(n.bearer_token),
    proxyRequired: yes(n.proxy_required),
    allowedConnectionTypes: strings(n.allowed_connection_types) as UserTemplate["allowedConnectionTypes"],
  };
}

function dates(c: WireClaims): { expires?: number; notBefore?: number } {
  return { expires: num(c.exp) || undefined, notBefore: num(c.nbf) || undefined };
}

export function operatorInputs(c: WireClaims): OperatorClaims {
  const n = c.nats;
  return (
    compact({
      signingKeys: strings(n.signing_keys),
      strictSigningKeyUsage: yes(n.strict_signing_key_usage),
      systemAccount: str(n.system_account),
      serviceUrls: strings(n.operator_service_urls),
      accountServerUrl: str(n.account_server_url),
      assertServerVersion: str(n.assert_server_version),
      tags: strings(n.tags),
      ...dates(c),
    }) ?? {}
  );
}

/** JetStream limits, or undefined when the wire says "disabled" (what `claims.ts` writes without any). */
function jetstream(l: Json): JetStreamLimits | undefined {
  const j: JetStreamLimits = {
    memStorage: num(l.mem_storage) || undefined,
    diskStorage: num(l.disk_storage) || undefined,
    streams: num(l.streams),
    consumer: num(l.consumer),
    maxMemStream: num(l.mem_max_stream_bytes) || undefined,
    maxDiskStream: num(l.disk_max_stream_bytes) || undefined,
    maxBytesRequired: yes(l.max_bytes_required),
    maxAckPending: num(l.max_ack_pending) || undefined,
  };
  const set = compact(j);
  if (!set || Object.values(set).every((v) => v === 0)) return undefined;
  // With `jetstream` given, claims.ts defaults streams and consumer to -1: leave those out.
  if (j.streams === -1) j.streams = undefined;
  if (j.consumer === -1) j.consumer = undefined;
  // Without them the wire's 0 must be said explicitly.
  if (num(l.streams) === 0) j.streams = 0;
  if (num(l.consumer) === 0) j.consumer = 0;
  return compact(j) ?? {};
}

function accountLimits(l: Json): AccountLimits | undefined {
  return compact({
    conn: limit(l.conn),
    leaf: limit(l.leaf),
    data: limit(l.data),
    payload: limit(l.payload),
    subs: limit(l.subs),
    imports: limit(l.imports),
    exports: limit(l.exports),
    wildcardExports: l.wildcards === false ? false : undefined,
    disallowBearer: yes(l.disallow_bearer),
  });
}

function signingKeyRef(v: unknown): SigningKeyRef {
  const k = obj(v);
  if (!k) return String(v);
  return compact({
    key: String(k.key),
    role: String(k.role ?? ""),
    template: compact(userTemplate(obj(k.template) ?? {})) ?? {},
    description: str(k.description),
  }) as SigningKeyRef;
}

function exportOf(e: Json): Export {
  const latency = obj(e.service_latency);
  return compact({
    name: str(e.name),
    subject: String(e.subject),
    type: e.type === "service" ? "service" : "stream",
    tokenRequired: yes(e.token_req),
    responseType: str(e.response_type) as Export["responseType"],
    responseThreshold: num(e.response_threshold) || undefined,
    latency: latency
      ? { sampling: latency.sampling as number | "headers", results: String(latency.results) }
      : undefined,
    accountTokenPosition: num(e.account_token_position) || undefined,
    advertise: yes(e.advertise),
    allowTrace: yes(e.allow_trace),
    revocations: obj(e.revocations) as Record<string, number> | undefined,
    description: str(e.description),
    infoUrl: str(e.info_url),
  }) as Export;
}

function importOf(i: Json): Import {
  return compact({
    name: str(i.name),
    subject: String(i.subject),
    account: String(i.account),
    type: i.type === "service" ? "service" : "stream",
    // Older JWTs name the local subject `to`.
    localSubject: str(i.local_subject) ?? str(i.to),
    token: str(i.token),
    share: yes(i.share),
    allowTrace: yes(i.allow_trace),
  }) as Import;
}

function authorization(a: Json | undefined): AccountClaims["authorization"] {
  // nsc writes `"authorization":{}` into every account: no auth users, no callout.
  if (!a || !strings(a.auth_users)?.length) return undefined;
  return compact({
    authUsers: strings(a.auth_users) ?? [],
    allowedAccounts: strings(a.allowed_accounts),
    xkey: str(a.xkey),
  }) as AccountClaims["authorization"];
}

function list<T>(v: unknown, map: (x: Json) => T): T[] | undefined {
  return Array.isArray(v) && v.length ? v.map((x) => map(obj(x) ?? {})) : undefined;
}

export function accountInputs(c: WireClaims): AccountClaims {
  const n = c.nats;
  const l = obj(n.limits) ?? {};
  const tiers = obj(l.tiered_limits);
  const defaults = permissions(obj(n.default_permissions) ?? {});
  return (
    compact<AccountClaims>({
      limits: accountLimits(l),
      jetstream: jetstream(l),
      jetstreamTiers: tiers
        ? Object.fromEntries(Object.entries(tiers).map(([k, v]) => [k, jetstream(obj(v) ?? {}) ?? {}]))
        : undefined,
      signingKeys:
        Array.isArray(n.signing_keys) && n.signing_keys.length
          ? n.signing_keys.map(signingKeyRef)
          : undefined,
      exports: list(n.exports, exportOf),
      imports: list(n.imports, importOf),
      mappings: obj(n.mappings) as Record<string, MappingDestination[]> | undefined,
      defaultPermissions: compact(defaults),
      authorization: authorization(obj(n.authorization)),
      trace: obj(n.trace)
        ? (compact({
            dest: String(obj(n.trace)?.dest),
            sampling: num(obj(n.trace)?.sampling) || undefined,
          }) as AccountClaims["trace"])
        : undefined,
      clusterTraffic: str(n.cluster_traffic) as AccountClaims["clusterTraffic"],
      revocations: obj(n.revocations) as Record<string, number> | undefined,
      tags: strings(n.tags),
      description: str(n.description),
      infoUrl: str(n.info_url),
      ...dates(c),
    }) ?? {}
  );
}

export function userInputs(c: WireClaims): UserClaims {
  return compact({ ...userTemplate(c.nats), tags: strings(c.nats.tags), ...dates(c) }) ?? {};
}

/** Dotted paths where two claim sets differ after normalization. */
function differences(a: unknown, b: unknown, at: string, out: string[]): void {
  const oa = obj(a);
  const ob = obj(b);
  if (oa && ob) {
    for (const k of new Set([...Object.keys(oa), ...Object.keys(ob)])) {
      differences(oa[k], ob[k], at ? `${at}.${k}` : k, out);
    }
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(at);
}

/**
 * The claim fields of `jwt` that `rebuilt` (the claims the mapped inputs produce) does not say the
 * same way, as dotted paths (`nats.limits.foo`); empty when the JWT round-trips and will be kept.
 */
export function unexpressed(jwt: WireClaims, rebuilt: WireClaims): string[] {
  const strip = (c: WireClaims) => {
    const { iat: _iat, jti: _jti, ...rest } = c;
    return normalize(rest);
  };
  const out: string[] = [];
  differences(strip(jwt), strip(rebuilt), "", out);
  return out;
}

/** The claims the inputs describe, re-built as `claims.ts` signs them, for the same keys. */
export const rebuild = {
  operator: (c: WireClaims) => operatorClaims(c.name, c.sub, operatorInputs(c)),
  account: (c: WireClaims) => accountClaims(c.name, c.sub, c.iss, accountInputs(c)),
  user: (c: WireClaims, scoped: boolean) =>
    userClaims(c.name, c.sub, c.iss, userInputs(c), {
      issuerAccount: str(c.nats.issuer_account),
      scoped,
    }),
};
