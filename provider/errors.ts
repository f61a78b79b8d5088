/**
 * The few error classes of the provider. Messages name the resource, the field and what to do, and
 * never carry key material: seeds are redacted before a message is built.
 */

const SEED_PATTERN = /S[OACNUX][A-Z2-7]{56}/g;

/** Replaces anything that looks like an nkey seed with a placeholder. */
export function redact(text: string): string {
  return text.replace(SEED_PATTERN, "S<redacted seed>");
}

/** Base class: every error the provider raises is one of these. */
export class NatsAuthError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(redact(message), options);
    this.name = "NatsAuthError";
  }
}

/** A key or seed is malformed or of the wrong kind. */
export class KeyError extends NatsAuthError {
  constructor(message: string) {
    super(message);
    this.name = "KeyError";
  }
}

/** One input problem, as `check()` reports it to Pulumi. */
export interface Failure {
  property: string;
  reason: string;
}

/** Inputs of a resource failed validation. */
export class ValidationError extends NatsAuthError {
  readonly failures: Failure[];
  constructor(resource: string, failures: Failure[]) {
    super(`${resource}: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
    this.name = "ValidationError";
    this.failures = failures;
  }
}

/** What one server answered to a resolver request. */
export interface ServerReply {
  server: string;
  ok: boolean;
  code?: number;
  message: string;
}

/** A resolver request failed on one or more servers, or too few servers answered. */
export class ResolverError extends NatsAuthError {
  readonly replies: ServerReply[];
  constructor(message: string, replies: ServerReply[] = [], options?: { cause?: unknown }) {
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
        server?: { name?: string; id?: string };
      };
      const server = msg.server?.name || msg.server?.id || "unknown server";
      if (msg.error) {
        return { server, ok: false, code: msg.error.code, message: msg.error.description ?? "error" };
      }
      const data = (msg.data ?? {}) as { code?: number; message?: string };
      return { server, ok: true, code: data.code, message: data.message ?? "" };
    } catch {
      return { server: "unknown server", ok: false, message: `unparseable reply: ${body.slice(0, 200)}` };
    }
  }
}

/** Formats an unknown thrown value into a message without key material. */
export function describe(err: unknown): string {
  if (err instanceof Error) return redact(err.message);
  return redact(String(err));
}

/**
 * A create/update that did part of its work (a key was generated, a JWT signed) before failing.
 * Pulumi records `properties` as the resource's state, so the seed is not lost and the next
 * `pulumi up` retries the rest.
 */
export class PartialFailure extends NatsAuthError {
  readonly id: string;
  readonly properties: Record<string, unknown>;
  readonly reasons: string[];
  constructor(
    message: string,
    id: string,
    properties: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "PartialFailure";
    this.id = id;
    this.properties = properties;
    this.reasons = [this.message];
  }
}

/** A server configuration spec is invalid; `field` is the dotted path of the offending input. */
export class ConfigError extends NatsAuthError {
  readonly field: string;
  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`);
    this.name = "ConfigError";
    this.field = field;
  }
}
