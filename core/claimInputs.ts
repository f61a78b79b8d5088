/**
 * Plain (resolved) shapes of the resources' claim inputs, camelCase as users write them. The SDK wraps
 * them in `pulumi.Input`; `claims.ts` turns them into the snake_case wire claims of NATS JWTs.
 */

import type { Int } from "./int";
import type { RevocationTime } from "./revocation";

/** A date as an ISO-8601 string ("2027-01-01T00:00:00Z") or unix seconds. */
export type DateLike = string | number;

/** A duration as Go-style text ("1s", "250ms", "2m") or nanoseconds. */
export type Duration = string | number;

/** Subjects a client may or may not use. */
export interface Permission {
  /**
   * Subjects (wildcards allowed) that are allowed. Not empty: NATS reads an empty `allow` as no
   * restriction at all; to allow nothing, omit it and deny `>`.
   */
  allow?: string[];
  /** Subjects (wildcards allowed) that are denied; deny wins over allow. */
  deny?: string[];
}

/** Response permissions: lets a service reply to requesters without a publish permission on `_INBOX.>`. */
export interface ResponsePermission {
  /** How many replies per request (-1 unlimited). */
  maxMsgs: Int;
  /** How long a reply may be sent after the request ("1s", or nanoseconds). */
  ttl?: Duration;
}

/** Publish/subscribe/response permissions of a user (or a scoped signing key's template). */
export interface Permissions {
  pub?: Permission;
  sub?: Permission;
  resp?: ResponsePermission;
}

/** A daily window in which a user may connect, "HH:MM:SS" in the user's time zone. */
export interface TimeRange {
  start: string;
  end: string;
}

/** The kinds of connections a user may make. */
export const ConnectionTypes = [
  "STANDARD",
  "WEBSOCKET",
  "LEAFNODE",
  "LEAFNODE_WS",
  "MQTT",
  "MQTT_WS",
  "IN_PROCESS",
] as const;
export type ConnectionType = (typeof ConnectionTypes)[number];

/** Per-connection limits and restrictions of a user; `-1` is unlimited. */
export interface UserLimits {
  /** Max subscriptions (-1 unlimited). */
  subs?: Int;
  /** Max bytes of data (-1 unlimited). */
  data?: Int;
  /** Max message payload in bytes (-1 unlimited). */
  payload?: Int;
}

/** The user claims a scoped signing key imposes on every user it signs (nsc `edit signing-key`). */
export interface UserTemplate extends Permissions, UserLimits {
  /** Networks the user may connect from, with their prefix length ("10.0.0.7/32"); omit for any. */
  sourceNetworks?: string[];
  /** Daily connection windows. */
  times?: TimeRange[];
  /** IANA time zone of `times` (written as `times_location`, which the server reads). */
  timeZone?: string;
  /** The user connects with its JWT alone, without proving the key (needs the account to allow bearer). */
  bearerToken?: boolean;
  /**
   * The user may connect only through a trusted proxy (`proxy_required`, nats-server 2.12+; older
   * servers ignore the claim and admit the user directly).
   */
  proxyRequired?: boolean;
  /** Connection types the user may use; omit for all (an empty list is refused: NATS reads it as all). */
  allowedConnectionTypes?: ConnectionType[];
}

/** A user's claims. */
export interface UserClaims extends UserTemplate {
  tags?: string[];
  /** When the JWT expires. */
  expires?: DateLike;
  /** When the JWT becomes valid. */
  notBefore?: DateLike;
}

/** A signing key listed in an account or operator JWT: a public key, or a scoped account key. */
export type SigningKeyRef = string | ScopedSigningKey;

/** A scoped account signing key: users it signs get the template's permissions and limits. */
export interface ScopedSigningKey {
  /** The signing key's public key ("A…"). */
  key: string;
  /** A name for the scope. */
  role: string;
  /** The permissions and limits users signed by this key get. */
  template: UserTemplate;
  description?: string;
}

/** Account-wide connection limits; `-1` is unlimited (the default for each). */
export interface AccountLimits {
  /** Max client connections. */
  conn?: Int;
  /** Max leaf node connections. */
  leaf?: Int;
  /** Max bytes of data. */
  data?: Int;
  /** Max message payload. */
  payload?: Int;
  /** Max subscriptions. */
  subs?: Int;
  /** Max imports. */
  imports?: Int;
  /** Max exports. */
  exports?: Int;
  /** Whether exports may use wildcards (default true). */
  wildcardExports?: boolean;
  /** Refuse bearer-token users of this account. */
  disallowBearer?: boolean;
}

/** JetStream limits of an account (or one replication tier). 0 storage on both disables JetStream. */
export interface JetStreamLimits {
  /** Max memory storage in bytes (-1 unlimited). */
  memStorage?: Int;
  /** Max disk storage in bytes (-1 unlimited). */
  diskStorage?: Int;
  /** Max streams (-1 unlimited). */
  streams?: Int;
  /** Max consumers (-1 unlimited). */
  consumer?: Int;
  /** Max bytes of one memory stream (0 or -1 unlimited). */
  maxMemStream?: Int;
  /** Max bytes of one disk stream (0 or -1 unlimited). */
  maxDiskStream?: Int;
  /** Streams must declare max bytes. */
  maxBytesRequired?: boolean;
  /** Max ack pending of a consumer (-1 unlimited). */
  maxAckPending?: Int;
}

/** Latency tracking of a service export. */
export interface ServiceLatency {
  /** Percentage of requests sampled (1–100), or "headers" to sample when headers ask for it. */
  sampling: Int | "headers";
  /** The subject latency results are published on. */
  results: string;
}

/** A stream or service an account exports. */
export interface Export {
  name?: string;
  subject: string;
  type: "stream" | "service";
  /** Private export: importers need an activation token. */
  tokenRequired?: boolean;
  /** Service response type. */
  responseType?: "Singleton" | "Stream" | "Chunked";
  /** How long a service response may take ("2s" or nanoseconds). */
  responseThreshold?: Duration;
  latency?: ServiceLatency;
  /** Position of the importing account's key in the subject (1-based), for wildcard exports. */
  accountTokenPosition?: Int;
  /** List this export in account listings. */
  advertise?: boolean;
  /** Let message traces cross into this service (service exports only, as the jwt library requires). */
  allowTrace?: boolean;
  /** Revoked importers: account public key (or "*") to unix seconds. */
  revocations?: Record<string, Int>;
  description?: string;
  infoUrl?: string;
}

/** A stream or service an account imports from another account. */
export interface Import {
  name?: string;
  /** The exported subject in the exporting account. */
  subject: string;
  /** The exporting account's public key. */
  account: string;
  type: "stream" | "service";
  /** Where the subject appears in this account (nsc `--local-subject`). */
  localSubject?: string;
  /** Activation token for a private export. */
  token?: string;
  /** Share the requester's connection info with the service (service imports). */
  share?: boolean;
  /** Let message traces cross this import (stream imports only, as the jwt library requires). */
  allowTrace?: boolean;
}

/** One destination of a subject mapping. */
export interface MappingDestination {
  subject: string;
  /**
   * Whole percentage (1–100, default 100) of messages sent here; the weights of one source add up to
   * at most 100 (per cluster). NATS reads 0 as 100, so 0 is refused.
   */
  weight?: Int;
  /** Only apply in this cluster. */
  cluster?: string;
}

/**
 * Auth callout (nsc `edit authcallout`): users connecting to this account are authorized by a service
 * (run by `authUsers`) that answers `$SYS.REQ.USER.AUTH` with a user JWT for one of `allowedAccounts`.
 */
export interface ExternalAuthorization {
  /** Public keys ("U…") of this account's users that run the callout service; they bypass it. */
  authUsers: string[];
  /** Accounts ("A…") the service may place users in, or ["*"] for any. */
  allowedAccounts?: string[];
  /** A curve public key ("X…", a KeyPair of kind "curve"): the server encrypts requests to it. */
  xkey?: string;
}

/** Message tracing of an account: where traces of messages carrying a sampled `traceparent` go. */
export interface MessageTrace {
  /** The subject trace events are published on (no wildcards). */
  dest: string;
  /** Percentage (1–100) of `traceparent`-sampled messages traced (default 100). */
  sampling?: Int;
}

/** An account's claims. */
export interface AccountClaims {
  limits?: AccountLimits;
  /** Global JetStream limits; omit to leave JetStream disabled. */
  jetstream?: JetStreamLimits;
  /** Per-replication-tier JetStream limits (e.g. { R1: {...}, R3: {...} }). */
  jetstreamTiers?: Record<string, JetStreamLimits>;
  /** Signing keys users of this account may be signed with (plain or scoped). */
  signingKeys?: SigningKeyRef[];
  exports?: Export[];
  imports?: Import[];
  /** Subject mappings: source subject to weighted destinations. */
  mappings?: Record<string, MappingDestination[]>;
  /** Permissions of users that carry none of their own. */
  defaultPermissions?: Permissions;
  /** Auth callout: an external service authorizes this account's users. */
  authorization?: ExternalAuthorization;
  /** Message tracing (W3C `traceparent` headers) of this account. */
  trace?: MessageTrace;
  /**
   * Which account carries this account's JetStream clustering (Raft) traffic (`cluster_traffic`,
   * nats-server 2.11+): "system" (the default) or "owner", this account itself (nsc
   * `--host-cluster-traffic`). Every server of the cluster must support it before "owner" is set.
   */
  clusterTraffic?: ClusterTraffic;
  /**
   * Revoked users: user public key (or "*") to the revocation time (unix seconds, an ISO-8601 date, or
   * "now", recorded once at the first `up`); JWTs issued at or before it are refused.
   */
  revocations?: Record<string, RevocationTime>;
  tags?: string[];
  description?: string;
  infoUrl?: string;
  expires?: DateLike;
  notBefore?: DateLike;
}

/** Where an account's JetStream cluster traffic goes: the system account, or the account itself. */
export type ClusterTraffic = "system" | "owner";

/** An operator's claims. */
export interface OperatorClaims {
  /** Operator signing keys (public keys "O…"). */
  signingKeys?: string[];
  /** Accounts must be signed by a signing key, never the identity key (nsc `--require-signing-keys`). */
  strictSigningKeyUsage?: boolean;
  /** Public key of the system account. */
  systemAccount?: string;
  /** nats:// URLs of the operator's servers. */
  serviceUrls?: string[];
  /** URL of the account server (nsc `--account-jwt-server-url`). */
  accountServerUrl?: string;
  /**
   * The oldest nats-server that may trust this operator, "major.minor.update" (`assert_server_version`):
   * an older server refuses to start with it ("operator … expected minor version …").
   */
  assertServerVersion?: string;
  tags?: string[];
  expires?: DateLike;
  notBefore?: DateLike;
}

/**
 * The keys of `T`, listed once as an object the compiler checks against `T`: a field added to the
 * type and not here (or misspelled here) fails to compile.
 */
export function fieldsOf<T>(fields: Record<keyof T, true>): (keyof T & string)[] {
  return Object.keys(fields) as (keyof T & string)[];
}

/** The user-claim fields a scoped signing key's template supplies (a scoped user may set none). */
export const USER_TEMPLATE_FIELDS = fieldsOf<UserTemplate>({
  pub: true,
  sub: true,
  resp: true,
  subs: true,
  data: true,
  payload: true,
  sourceNetworks: true,
  times: true,
  timeZone: true,
  bearerToken: true,
  proxyRequired: true,
  allowedConnectionTypes: true,
});

export const USER_CLAIM_FIELDS = fieldsOf<UserClaims>({
  ...Object.fromEntries(USER_TEMPLATE_FIELDS.map((f) => [f, true as const])),
  tags: true,
  expires: true,
  notBefore: true,
} as Record<keyof UserClaims, true>);

export const ACCOUNT_CLAIM_FIELDS = fieldsOf<AccountClaims>({
  limits: true,
  jetstream: true,
  jetstreamTiers: true,
  signingKeys: true,
  exports: true,
  imports: true,
  mappings: true,
  defaultPermissions: true,
  authorization: true,
  trace: true,
  clusterTraffic: true,
  revocations: true,
  tags: true,
  description: true,
  infoUrl: true,
  expires: true,
  notBefore: true,
});

export const OPERATOR_CLAIM_FIELDS = fieldsOf<OperatorClaims>({
  signingKeys: true,
  strictSigningKeyUsage: true,
  systemAccount: true,
  serviceUrls: true,
  accountServerUrl: true,
  assertServerVersion: true,
  tags: true,
  expires: true,
  notBefore: true,
});

/** Picks the listed claim fields from props (undefined ones dropped). */
export function pickClaims<T>(props: object, fields: readonly (keyof T & string)[]): T {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = (props as Record<string, unknown>)[f];
    if (v !== undefined) out[f] = v;
  }
  return out as T;
}
