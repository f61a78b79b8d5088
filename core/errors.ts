/**
 * The package's error classes. Every error it throws is a `NatsAuthError`: messages name the
 * resource, the field and what to do, and never carry key material (seeds are redacted before a
 * message is built, whatever the caller passed in).
 */

const SEED_PATTERN = /S[OACNUX][A-Z2-7]{56}/g;

/** Replaces anything that looks like an nkey seed with a placeholder. */
export function redact(text: string): string {
  return text.replace(SEED_PATTERN, "S<redacted seed>");
}

/** Formats an unknown thrown value into a message without key material. */
export function describe(err: unknown): string {
  if (err instanceof Error) return redact(err.message);
  return redact(String(err));
}

export interface NatsAuthErrorOptions {
  cause?: unknown;
  /** The resource the error is about ("Account \"APP\""); the message is prefixed with it once. */
  resource?: string;
}

/** Base class: every error the package raises is one of these. */
export class NatsAuthError extends Error {
  /** The resource the message is about, when it names one. */
  readonly resource?: string;
  constructor(message: string, options: NatsAuthErrorOptions = {}) {
    super(redact(options.resource ? `${options.resource}: ${message}` : message), { cause: options.cause });
    this.name = "NatsAuthError";
    this.resource = options.resource;
  }
}

/** A key or seed is malformed or of the wrong kind. */
export class KeyError extends NatsAuthError {
  constructor(message: string, options?: NatsAuthErrorOptions) {
    super(message, options);
    this.name = "KeyError";
  }
}

/** One input problem, as `check()` reports it to Pulumi. */
export interface Failure {
  property: string;
  reason: string;
}

/** One input field is invalid; `field` is its dotted path. */
export class ConfigError extends NatsAuthError {
  readonly field: string;
  constructor(field: string, reason: string, options?: NatsAuthErrorOptions) {
    super(field ? `${field}: ${reason}` : reason, options);
    this.name = "ConfigError";
    this.field = field;
  }
}

/**
 * Inputs failed validation; every failure is listed. A `ConfigError` whose `field` is the first
 * failing field, so a caller that handles one field at a time still can.
 */
export class ValidationError extends ConfigError {
  readonly failures: Failure[];
  constructor(resource: string, failures: Failure[]) {
    const [first, ...rest] = failures;
    const more = rest.map((f) => (f.property ? `${f.property}: ${f.reason}` : f.reason));
    super(first?.property ?? "", [first?.reason ?? "invalid input", ...more].join("; "), {
      resource: resource || undefined,
    });
    this.name = "ValidationError";
    this.failures = failures;
  }
}

/** What one server answered to a resolver request. */
export interface ServerReply {
  /** The server's name (its id when it has none). */
  server: string;
  /** The server's id (`server.id` of the reply): what a push is confirmed by. */
  id?: string;
  /** The server's cluster, when it is in one. */
  cluster?: string;
  ok: boolean;
  code?: number;
  message: string;
  /**
   * A cache resolver answered ("jwt updated cache", "jwt update cache skipped"): it does not store
   * the JWT for the others, so its reply is not counted as stored.
   */
  cache?: boolean;
}

/** A resolver request failed on one or more servers, or too few servers answered. */
export class ResolverError extends NatsAuthError {
  readonly replies: ServerReply[];
  constructor(message: string, replies: ServerReply[] = [], options?: NatsAuthErrorOptions) {
    super(message, options);
    this.name = "ResolverError";
    this.replies = replies;
  }

  /** Parses one `$SYS.REQ.*` reply body into a `ServerReply`. */
  static parseReply(body: string): ServerReply {
    try {
      const msg = JSON.parse(body) as {
        data?: { code?: number; message?: string } | unknown;
        error?: { code?: number; description?: string };
        server?: { name?: string; id?: string; cluster?: string };
      };
      const server = msg.server?.name || msg.server?.id || "unknown server";
      const who = {
        server,
        ...(msg.server?.id ? { id: msg.server.id } : {}),
        ...(msg.server?.cluster ? { cluster: msg.server.cluster } : {}),
      };
      if (msg.error) {
        return { ...who, ok: false, code: msg.error.code, message: msg.error.description ?? "error" };
      }
      const data = (msg.data ?? {}) as { code?: number; message?: string };
      const message = data.message ?? "";
      return {
        ...who,
        ok: true,
        code: data.code,
        message,
        ...(/\bcache\b/.test(message) ? { cache: true } : {}),
      };
    } catch {
      return { server: "unknown server", ok: false, message: `unparseable reply: ${body.slice(0, 200)}` };
    }
  }
}

/**
 * Running servers will not use an account JWT: they do not trust its signer (their operator predates
 * the key) or the operator requires signing keys. Raised before the push, so the servers keep the
 * JWT they could use; `problems` holds one line per server.
 */
export class TrustError extends NatsAuthError {
  readonly problems: { server: string; signer?: string; reason: string }[];
  constructor(
    message: string,
    problems: { server: string; signer?: string; reason: string }[],
    options?: NatsAuthErrorOptions,
  ) {
    super(message, options);
    this.name = "TrustError";
    this.problems = problems;
  }
}

/** An nsc store (or its keys dir) cannot be read as the importer needs it. */
export class NscStoreError extends NatsAuthError {
  constructor(message: string, options?: NatsAuthErrorOptions) {
    super(message, options);
    this.name = "NscStoreError";
  }
}
