/**
 * The NATS guardrails as pure functions: each takes one resource's inputs (as the engine shows them
 * to a policy pack) and returns what breaks the rule, field by field. policy/index.ts wires them to
 * `@pulumi/policy`; nothing here talks to Pulumi, so the rules are unit-tested as they are.
 *
 * Inputs come in two shapes: the TypeScript SDK's dynamic resources pack some Account and User
 * fields under `signing` (provider/kit/wire.ts), the native plugin's resources (YAML, Go, Python)
 * send them flat. Every rule reads the flat view, through the same `unpack` the handlers use.
 */
import type { AccountClaims, Permission } from "../core/claimInputs";
import { DEFAULT_MAX_PAYLOAD, MAX_JWT_BYTES } from "../core/limits";
import { toUnixSeconds } from "../core/units";
import { urlCredentialProblem } from "../core/validation";
import type { AccountProps, OperatorProps, SigningKeyProps, UserProps } from "../provider/contracts";
import { unpack } from "../provider/kit/wire";

/** The resource kinds of this package the rules look at. */
export type Kind = "Operator" | "Account" | "User" | "SigningKey" | "Other";

const DYNAMIC = "pulumi-nodejs:dynamic/nats-auth:";
const NATIVE = "nats-auth:index:";

/** The kind of a resource of this package by its type token (dynamic or native), or undefined for others. */
export function kindOf(type: string): Kind | undefined {
  const name = type.startsWith(DYNAMIC)
    ? type.slice(DYNAMIC.length)
    : type.startsWith(NATIVE)
      ? type.slice(NATIVE.length)
      : undefined;
  if (name === undefined) return undefined;
  return name === "Operator" || name === "Account" || name === "User" || name === "SigningKey"
    ? name
    : "Other";
}

/** The flat view of a resource's inputs, whichever SDK sent them. */
export function flatInputs<T>(props: T): T {
  return unpack(props, "signing");
}

/** One broken rule on one resource: the field (a path into its inputs) and what to change. */
export interface Violation {
  field: string;
  message: string;
}

/** What a rule knows about a resource besides its inputs (from the rest of the stack). */
export interface Context {
  /** The resource is a system account, or a user or signing key of one. */
  system: boolean;
}

type Props = Record<string, unknown>;

/**
 * A value not known yet: during a preview, outputs of resources not created yet. A rule never
 * judges such a value (neither passes nor fails it); `up`, where it is known, runs the rule again.
 */
export const UNKNOWN: unique symbol = Symbol("unknown");
const unknown = (v: unknown): boolean => v === UNKNOWN;
/** The value at a dotted path, UNKNOWN when any step is. */
function at(p: unknown, path: string): unknown {
  let v = p;
  for (const k of path.split(".")) {
    if (unknown(v)) return UNKNOWN;
    v = v !== null && typeof v === "object" ? (v as Props)[k] : undefined;
  }
  return v;
}

const isStr = (v: unknown): v is string => typeof v === "string";
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Whether a publish allow matches every subject (`>`) or every subject of 2+ tokens (`*.>`...). */
export function grantsEverything(subject: string): boolean {
  const tokens = subject.trim().split(".");
  return tokens[tokens.length - 1] === ">" && tokens.slice(0, -1).every((t) => t === "*");
}

/** The permission and template blocks of a resource that grant publish rights, by field path. */
function publishAllows(kind: Kind, p: Props): [string, Permission | undefined][] {
  if (kind === "User") return [["pub", (p as Partial<UserProps>).pub]];
  if (kind === "SigningKey")
    return [["scope.template.pub", (p as Partial<SigningKeyProps>).scope?.template?.pub]];
  if (kind === "Account")
    return [["defaultPermissions.pub", (p as Partial<AccountProps>).defaultPermissions?.pub]];
  return [];
}

/** Mandatory: no publish allow of `>` outside the system account. */
export function noFullWildcardPublish(kind: Kind, props: Props, ctx: Context): Violation[] {
  if (ctx.system) return [];
  const out: Violation[] = [];
  for (const [path, perm] of publishAllows(kind, flatInputs(props))) {
    list(perm?.allow).forEach((s, i) => {
      if (isStr(s) && grantsEverything(s)) {
        out.push({
          field: `${path}.allow[${i}]`,
          message: `allows publishing on ${JSON.stringify(s)}, every subject (system services, other apps' requests included); allow the subjects this ${kind === "Account" ? "account's users need" : "identity needs"} instead, e.g. "orders.>"`,
        });
      }
    });
  }
  return out;
}

/** Mandatory: an operator demands signing keys (strictSigningKeyUsage) and has at least one. */
export function operatorStrictSigningKeys(kind: Kind, props: Props): Violation[] {
  if (kind !== "Operator") return [];
  const p = props as Partial<OperatorProps>;
  const out: Violation[] = [];
  if (p.strictSigningKeyUsage !== true && !unknown(p.strictSigningKeyUsage)) {
    out.push({
      field: "strictSigningKeyUsage",
      message:
        "is not true: accounts could be signed by the operator's identity key, whose seed then has to be online; set strictSigningKeyUsage: true and sign accounts with an operator signing key",
    });
  }
  if (list(p.signingKeys).length === 0 && !unknown(p.signingKeys)) {
    out.push({
      field: "signingKeys",
      message:
        'is empty: the operator has no signing key to sign accounts with; add one (a SigningKey with owner "operator")',
    });
  }
  return out;
}

/** Mandatory: an account is signed by one of its operator's signing keys, not the operator's identity key. */
export function accountSignedBySigningKey(kind: Kind, props: Props): Violation[] {
  if (kind !== "Account") return [];
  const p = flatInputs(props) as Partial<AccountProps>;
  if (p.signedByIdentity === true) {
    return [
      {
        field: "signer",
        message:
          "is not set: the account is signed by the operator's identity key; give it `signer`, one of the operator's signing keys (its signerSeed then is that key's seed)",
      },
    ];
  }
  if (list(p.operatorSigningKeys).length === 0 && !unknown(p.operatorSigningKeys)) {
    return [
      {
        field: "operatorSigningKeys",
        message:
          "is empty: the operator has no signing key, so the account can only be signed by the operator's identity key; give the operator a signing key and sign the account with it",
      },
    ];
  }
  return [];
}

/** Mandatory: no user, password or token in any URL of a resource's inputs. */
export function noCredentialsInUrls(_kind: Kind, props: Props): Violation[] {
  const out: Violation[] = [];
  const walk = (v: unknown, path: string): void => {
    if (isStr(v)) {
      if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return;
      const problem = urlCredentialProblem(v);
      // The URL itself is not repeated: it holds the credential.
      if (problem)
        out.push({
          field: path,
          message: problem.replace(/JWTs are public.*?;/, "URLs end up in JWTs, configs and logs;"),
        });
    } else if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, `${path}[${i}]`);
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) if (k !== "__provider") walk(x, path ? `${path}.${k}` : k);
    }
  };
  walk(flatInputs(props), "");
  return out;
}

/** Options of the advisory rules (policy config). */
export interface UserExpiryOptions {
  /** The longest a user JWT may live, in days (default 90). */
  maxDays: number;
}
export const USER_EXPIRY_DEFAULTS: UserExpiryOptions = { maxDays: 90 };

/** Advisory: a user JWT expires, within `maxDays` of now. */
export function userExpiry(
  kind: Kind,
  props: Props,
  opts: UserExpiryOptions,
  nowSeconds: number,
  ctx: Context,
): Violation[] {
  // System users are the operator's tools (resolver pushes, monitoring), rotated with the operator.
  if (kind !== "User" || ctx.system) return [];
  const p = props as Partial<UserProps>;
  const fix = `set expires to a date within ${opts.maxDays} days and renew it by re-running the program`;
  if (unknown(p.expires)) return [];
  if (p.expires === undefined || p.expires === null || p.expires === "" || p.expires === 0) {
    return [{ field: "expires", message: `is not set: the user's JWT never expires; ${fix}` }];
  }
  const when = toUnixSeconds(p.expires);
  if (!Number.isFinite(when)) return [];
  if (when - nowSeconds > opts.maxDays * 86400) {
    const days = Math.ceil((when - nowSeconds) / 86400);
    return [
      {
        field: "expires",
        message: `is ${days} days away, beyond the ${opts.maxDays}-day maximum lifetime; ${fix}`,
      },
    ];
  }
  return [];
}

/** Advisory: no bearer tokens (users connect by signing the server's nonce), and accounts refuse them. */
export function noBearerTokens(kind: Kind, props: Props, ctx: Context): Violation[] {
  const p = flatInputs(props);
  const msg =
    "lets anyone holding the JWT connect without the seed; remove bearerToken (clients then sign the server's nonce)";
  if (kind === "User" && at(p, "bearerToken") === true) return [{ field: "bearerToken", message: msg }];
  if (kind === "SigningKey" && at(p, "scope.template.bearerToken") === true) {
    return [{ field: "scope.template.bearerToken", message: msg }];
  }
  if (
    kind === "Account" &&
    !ctx.system &&
    !unknown(at(p, "limits.disallowBearer")) &&
    at(p, "limits.disallowBearer") !== true
  ) {
    return [
      {
        field: "limits.disallowBearer",
        message: "is not true: the account accepts bearer-token users; set limits.disallowBearer: true",
      },
    ];
  }
  return [];
}

/** Options of the account-limits rule. */
export interface AccountLimitsOptions {
  /** The limits an account must set (not absent, not -1). */
  required: (keyof NonNullable<AccountClaims["limits"]>)[];
}
export const ACCOUNT_LIMITS_DEFAULTS: AccountLimitsOptions = {
  required: ["conn", "data", "payload", "subs"],
};

const unlimited = (v: unknown): boolean => v === undefined || v === null || v === -1;

/** Advisory: accounts other than the system account set connection and data limits. */
export function accountLimits(
  kind: Kind,
  props: Props,
  opts: AccountLimitsOptions,
  ctx: Context,
): Violation[] {
  if (kind !== "Account" || ctx.system) return [];
  return opts.required
    .filter((k) => unlimited(at(props, `limits.${k}`)))
    .map((k) => ({
      field: `limits.${k}`,
      message: "is unlimited: one application can exhaust the servers for every account; set a limit",
    }));
}

/** Options of the JetStream-limits rule. */
export interface JetStreamLimitsOptions {
  /** The JetStream limits an account with JetStream must set (not absent, not -1). */
  required: string[];
}
export const JETSTREAM_LIMITS_DEFAULTS: JetStreamLimitsOptions = {
  required: ["memStorage", "diskStorage", "streams", "consumer"],
};

/** Advisory: an account that enables JetStream (or a tier) bounds its storage, streams and consumers. */
export function jetStreamLimits(kind: Kind, props: Props, opts: JetStreamLimitsOptions): Violation[] {
  if (kind !== "Account") return [];
  const p = props as Partial<AccountClaims>;
  const blocks: [string, Record<string, unknown>][] = [];
  if (p.jetstream && !unknown(p.jetstream))
    blocks.push(["jetstream", p.jetstream as Record<string, unknown>]);
  const tiers = unknown(p.jetstreamTiers) ? {} : (p.jetstreamTiers ?? {});
  for (const [tier, l] of Object.entries(tiers))
    if (!unknown(l)) blocks.push([`jetstreamTiers.${tier}`, l as Record<string, unknown>]);
  const out: Violation[] = [];
  for (const [path, l] of blocks) {
    for (const k of opts.required) {
      if (unlimited(l[k])) {
        out.push({
          field: `${path}.${k}`,
          message:
            "is unlimited while JetStream is enabled: the account can take all of the servers' JetStream resources; set a limit",
        });
      }
    }
  }
  return out;
}

/** Advisory: an account pushed to a resolver reaches it over TLS. */
export function resolverTls(kind: Kind, props: Props): Violation[] {
  if (kind !== "Account") return [];
  const servers = list(at(props, "resolver.servers")).filter(isStr);
  const tls = at(props, "resolver.tls");
  if (servers.length === 0 || (tls !== undefined && tls !== null)) return [];
  const plain = servers.filter((s) => !/^tls:\/\//i.test(s));
  if (plain.length === 0) return [];
  return [
    {
      field: "resolver.tls",
      message: `is not set and ${plain.length} of the resolver servers are plain nats:// URLs: the system user's credentials and the account JWT travel unencrypted; set resolver.tls (a CA, or client certificates) and serve TLS`,
    },
  ];
}

/** Options of the revocations-size rule. */
export interface RevocationsOptions {
  /** Warn once the revocations take this share of the largest JWT a server takes (default 0.5). */
  fraction: number;
}
export const REVOCATIONS_DEFAULTS: RevocationsOptions = { fraction: 0.5 };

/**
 * Bytes one revocation takes in a signed JWT: `"<56-character key>":<10-digit time>,` is 70 bytes of
 * JSON, and the claims are base64url-encoded (4/3).
 */
export const REVOCATION_JWT_BYTES = Math.ceil((70 * 4) / 3);

/** Advisory: the account's revocations stay well below the size a server takes (JWT decode, and max_payload on push). */
export function revocationsSize(kind: Kind, props: Props, opts: RevocationsOptions): Violation[] {
  if (kind !== "Account") return [];
  const p = props as Partial<AccountClaims>;
  const limit = Math.min(MAX_JWT_BYTES, DEFAULT_MAX_PAYLOAD);
  const counts: [string, number][] = [["revocations", Object.keys(p.revocations ?? {}).length]];
  list(p.exports).forEach((e, i) => {
    const rev = (e as { revocations?: Record<string, unknown> } | null)?.revocations;
    counts.push([`exports[${i}].revocations`, Object.keys(rev ?? {}).length]);
  });
  const total = counts.reduce((n, [, c]) => n + c, 0) * REVOCATION_JWT_BYTES;
  if (total <= opts.fraction * limit) return [];
  const [field, most] = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return [
    {
      field,
      message: `holds ${most} revocations (about ${total} bytes of the account JWT with the others), over ${Math.round(opts.fraction * 100)}% of the ${limit}-byte limit a server takes; drop revocations older than the users' expiry, or revoke by time ("*") instead of key by key`,
    },
  ];
}
