/**
 * JetStream ack subjects change form. nats-server 2.14 added a v2 form of the subjects acks are sent
 * on (server/feature_flags.go, `js_ack_fc_v2`; server/consumer.go):
 *
 *   v1: $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<timestamp>.<pending>
 *   v2: $JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.…  (domain "_" when none)
 *
 * The flag is off by default through 2.15.2 (both forms are accepted, v1 is sent) and is announced to
 * become the default. An export, import or permission that names a stream or consumer in the v1
 * positions (`$JS.ACK.ORDERS.>`) stops matching the acks once servers send v2: consumers across
 * accounts or under tight permissions then fail to ack. Found here and warned about at preview.
 */
import type { AccountClaims, Permission, Permissions, SigningKeyRef, UserTemplate } from "./claimInputs";

/** One subject in the v1-only form: where it is and what to do. */
export interface JsAckWarning {
  property: string;
  message: string;
}

const V1_TOKENS = 9;

/** The v2 form that covers the same acks as v1 `subject`, or undefined when `subject` matches both. */
export function v1OnlyAckSubject(subject: unknown): string | undefined {
  if (typeof subject !== "string" || !subject.startsWith("$JS.ACK.")) return undefined;
  const tokens = subject.split(".");
  const rest = tokens.slice(2);
  const literalFirst = rest.length > 0 && rest[0] !== "*" && rest[0] !== ">";
  // A v1 subject of exactly nine tokens (no `>`) cannot match the eleven-token v2 acks.
  const fixedV1Length = !subject.endsWith(">") && tokens.length === V1_TOKENS;
  if (!literalFirst && !fixedV1Length) return undefined;
  return `$JS.ACK.*.*.${rest.join(".")}`;
}

function message(subject: string, what: string, fix: string): string {
  return (
    `${what} ${JSON.stringify(subject)} names JetStream acks in the v1 form $JS.ACK.<stream>.<consumer>.…; ` +
    "nats-server 2.14 added the v2 form $JS.ACK.<domain>.<account hash>.<stream>.<consumer>.… " +
    "(feature flag js_ack_fc_v2, off by default through 2.15.2 and announced to become the default), " +
    `which this subject does not match: once servers send v2 acks, acks are no longer covered by it. ` +
    `Add the v2 form beside it, ${JSON.stringify(fix)} (domain and account hash as wildcards), or use "$JS.ACK.>".`
  );
}

function permissionWarnings(out: JsAckWarning[], at: string, p: Permissions | undefined): void {
  if (!p || typeof p !== "object") return;
  for (const dir of ["pub", "sub"] as const) {
    const perm = p[dir] as Permission | undefined;
    for (const kind of ["allow", "deny"] as const) {
      const list = perm?.[kind];
      if (!Array.isArray(list)) continue;
      list.forEach((s, i) => {
        const fix = v1OnlyAckSubject(s);
        const property = `${at ? `${at}.` : ""}${dir}.${kind}[${i}]`;
        if (fix) out.push({ property, message: message(s, `${dir} ${kind} permission`, fix) });
      });
    }
  }
}

/**
 * Every subject of an account's claims (exports, imports, default permissions, scoped signing key
 * templates) or a user's permissions (a `UserTemplate`) written in the v1-only ack form.
 */
export function jsAckWarnings(c: (AccountClaims & Permissions) | UserTemplate | undefined): JsAckWarning[] {
  const out: JsAckWarning[] = [];
  if (!c || typeof c !== "object") return out;
  const a = c as AccountClaims & Permissions;
  (Array.isArray(a.exports) ? a.exports : []).forEach((e, i) => {
    const fix = v1OnlyAckSubject(e?.subject);
    if (fix)
      out.push({ property: `exports[${i}].subject`, message: message(e.subject, "export subject", fix) });
  });
  (Array.isArray(a.imports) ? a.imports : []).forEach((imp, i) => {
    for (const f of ["subject", "localSubject"] as const) {
      const fix = v1OnlyAckSubject(imp?.[f]);
      if (fix)
        out.push({ property: `imports[${i}].${f}`, message: message(String(imp[f]), "import subject", fix) });
    }
  });
  permissionWarnings(out, "defaultPermissions", a.defaultPermissions);
  (Array.isArray(a.signingKeys) ? a.signingKeys : []).forEach((k: SigningKeyRef, i) => {
    if (typeof k === "object" && k) permissionWarnings(out, `signingKeys[${i}].template`, k.template);
  });
  permissionWarnings(out, "", a);
  return out;
}

/** `jsAckWarnings` as "<property>: <message>" lines (none when there is nothing to say). */
export function jsAckWarningLines(c: Parameters<typeof jsAckWarnings>[0]): string[] {
  return jsAckWarnings(c).map((w) => `${w.property}: ${w.message}`);
}
