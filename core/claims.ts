/**
 * Builds the (unsigned) wire claims of NATS JWTs from the camelCase claim inputs users write: the
 * snake_case names, defaults and unit conversions the Go library and nats-server expect.
 */
import type { ClaimsData } from "@nats-io/jwt";
import type {
  AccountClaims,
  JetStreamLimits,
  OperatorClaims,
  Permissions,
  SigningKeyRef,
  UserClaims,
  UserTemplate,
} from "./claimInputs";
import { parseDuration, toUnixSeconds } from "./units";

/**
 * The JSON body of a NATS JWT: @nats-io/jwt's `ClaimsData` envelope, with `iat` and `jti` present
 * only once signed. The `nats` body stays open: the library's types lack fields the server reads
 * (`times_location`, `mappings`, `strict_signing_key_usage`).
 */
export type WireClaims = Pick<ClaimsData<unknown>, "iss" | "sub" | "name" | "exp" | "nbf"> & {
  /** The audience: only auth-callout JWTs carry one (the server, or the account a user is placed in). */
  aud?: string;
  jti?: string;
  iat?: number;
  nats: Record<string, unknown> & { type: string; version: number };
};

type Json = Record<string, unknown>;

function permission(p: { allow?: string[]; deny?: string[] } | undefined): Json | undefined {
  if (!p) return undefined;
  return { allow: p.allow, deny: p.deny };
}

function permissions(p: Permissions | undefined): Json {
  if (!p) return {};
  return {
    pub: permission(p.pub),
    sub: permission(p.sub),
    resp: p.resp
      ? { max: p.resp.maxMsgs, ttl: p.resp.ttl === undefined ? 0 : parseDuration(p.resp.ttl) }
      : undefined,
  };
}

/** The user-claim fields shared by users and scoped signing key templates, in wire form. */
function userTemplate(t: UserTemplate): Json {
  return {
    ...permissions(t),
    src: t.sourceNetworks,
    times: t.times?.map((r) => ({ start: r.start, end: r.end })),
    // The JS library writes `locale`; the server and the Go library read `times_location`.
    times_location: t.timeZone,
    subs: t.subs ?? -1,
    data: t.data ?? -1,
    payload: t.payload ?? -1,
    bearer_token: t.bearerToken || undefined,
    proxy_required: t.proxyRequired || undefined,
    allowed_connection_types: t.allowedConnectionTypes,
  };
}

function signingKey(sk: SigningKeyRef): string | Json {
  if (typeof sk === "string") return sk;
  return {
    kind: "user_scope",
    key: sk.key,
    role: sk.role,
    template: userTemplate(sk.template ?? {}),
    description: sk.description,
  };
}

function jetstream(j: JetStreamLimits | undefined): Json {
  // Both storages at 0 is how NATS says "JetStream disabled"; an account without `jetstream` gets that.
  return {
    mem_storage: j?.memStorage ?? 0,
    disk_storage: j?.diskStorage ?? 0,
    streams: j?.streams ?? (j ? -1 : 0),
    consumer: j?.consumer ?? (j ? -1 : 0),
    mem_max_stream_bytes: j?.maxMemStream,
    disk_max_stream_bytes: j?.maxDiskStream,
    max_bytes_required: j?.maxBytesRequired || undefined,
    max_ack_pending: j?.maxAckPending,
  };
}

function dates(c: { expires?: string | number; notBefore?: string | number }): {
  exp?: number;
  nbf?: number;
} {
  return {
    exp: c.expires === undefined ? undefined : toUnixSeconds(c.expires),
    nbf: c.notBefore === undefined ? undefined : toUnixSeconds(c.notBefore),
  };
}

/** Operator claims (unsigned): `iss` and `sub` are both the operator identity key. */
export function operatorClaims(name: string, publicKey: string, c: OperatorClaims): WireClaims {
  return {
    iss: publicKey,
    sub: publicKey,
    name,
    ...dates(c),
    nats: {
      type: "operator",
      version: 2,
      signing_keys: c.signingKeys,
      strict_signing_key_usage: c.strictSigningKeyUsage || undefined,
      system_account: c.systemAccount,
      operator_service_urls: c.serviceUrls,
      account_server_url: c.accountServerUrl,
      assert_server_version: c.assertServerVersion,
      tags: c.tags,
    },
  };
}

/** Account claims (unsigned), issued by `issuer` (operator identity or signing key). */
export function accountClaims(name: string, publicKey: string, issuer: string, c: AccountClaims): WireClaims {
  const l = c.limits ?? {};
  return {
    iss: issuer,
    sub: publicKey,
    name,
    ...dates(c),
    nats: {
      type: "account",
      version: 2,
      // Every limit is written: an account JWT without limits gets 0 connections on the server.
      limits: {
        subs: l.subs ?? -1,
        data: l.data ?? -1,
        payload: l.payload ?? -1,
        imports: l.imports ?? -1,
        exports: l.exports ?? -1,
        wildcards: l.wildcardExports ?? true,
        conn: l.conn ?? -1,
        leaf: l.leaf ?? -1,
        disallow_bearer: l.disallowBearer || undefined,
        ...jetstream(c.jetstream),
        tiered_limits: c.jetstreamTiers
          ? Object.fromEntries(Object.entries(c.jetstreamTiers).map(([k, v]) => [k, jetstream(v)]))
          : undefined,
      },
      signing_keys: c.signingKeys?.map(signingKey),
      exports: c.exports?.map((e) => ({
        name: e.name,
        subject: e.subject,
        type: e.type,
        token_req: e.tokenRequired || undefined,
        revocations: e.revocations,
        response_type: e.responseType,
        response_threshold:
          e.responseThreshold === undefined ? undefined : parseDuration(e.responseThreshold),
        service_latency: e.latency ? { sampling: e.latency.sampling, results: e.latency.results } : undefined,
        account_token_position: e.accountTokenPosition,
        advertise: e.advertise || undefined,
        allow_trace: e.allowTrace || undefined,
        description: e.description,
        info_url: e.infoUrl,
      })),
      imports: c.imports?.map((i) => ({
        name: i.name,
        subject: i.subject,
        account: i.account,
        token: i.token,
        local_subject: i.localSubject,
        type: i.type,
        share: i.share || undefined,
        allow_trace: i.allowTrace || undefined,
      })),
      mappings: c.mappings,
      default_permissions: permissions(c.defaultPermissions),
      authorization: c.authorization
        ? {
            auth_users: c.authorization.authUsers,
            allowed_accounts: c.authorization.allowedAccounts,
            xkey: c.authorization.xkey,
          }
        : undefined,
      trace: c.trace ? { dest: c.trace.dest, sampling: c.trace.sampling } : undefined,
      cluster_traffic: c.clusterTraffic,
      revocations: c.revocations,
      tags: c.tags,
      description: c.description,
      info_url: c.infoUrl,
    },
  };
}

/** User claims (unsigned). `issuerAccount` is set when a signing key (not the account key) signs. */
export function userClaims(
  name: string,
  publicKey: string,
  issuer: string,
  c: UserClaims,
  opts: { issuerAccount?: string; scoped?: boolean },
): WireClaims {
  // A user signed by a scoped key carries no permissions or limits of its own: the scope supplies them.
  const body = opts.scoped ? {} : userTemplate(c);
  return {
    iss: issuer,
    sub: publicKey,
    name,
    ...dates(c),
    nats: {
      type: "user",
      version: 2,
      ...body,
      issuer_account: opts.issuerAccount,
      tags: c.tags,
    },
  };
}

/** Generic claims asking resolvers to delete accounts (`$SYS.REQ.CLAIMS.DELETE`). */
export function deleteAccountsClaims(operatorKey: string, accounts: string[]): WireClaims {
  return { iss: operatorKey, sub: operatorKey, name: "", nats: { type: "generic", version: 2, accounts } };
}
