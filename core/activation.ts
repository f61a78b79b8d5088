/**
 * Activation tokens: the JWT an exporting account (or one of its signing keys) signs so one importing
 * account may import a private export (`tokenRequired`). The token names the importer (`sub`), the
 * subject it may import (which may narrow the export's wildcard) and the kind.
 *
 * NATS revokes tokens by time, per importer and export: an entry `exports[i].revocations[<importer>]
 * = t` refuses every token of that importer for that export issued at or before `t`. A removed token
 * is revoked at its own `iat` (not at the time of removal), so a token issued later for the same
 * importer (a replacement) stays valid.
 */
import type { DateLike, Export, Import } from "./claimInputs";
import type { WireClaims } from "./claims";
import type { Int } from "./int";
import { decodeJwt } from "./jwt";
import { departed } from "./revocation";
import { toUnixSeconds } from "./units";

export type ExportKind = "stream" | "service";

/** What an activation token grants. */
export interface ActivationClaimsInput {
  /** The subject the importer may import: the export's subject or a narrower one. */
  subject: string;
  type: ExportKind;
  expires?: DateLike;
  notBefore?: DateLike;
}

/**
 * Activation claims (unsigned): `sub` is the importer, `iss` the signer; `issuer_account` names the
 * exporter when a signing key signs.
 */
export function activationClaims(
  name: string,
  importer: string,
  issuer: string,
  exporter: string,
  c: ActivationClaimsInput,
): WireClaims {
  return {
    iss: issuer,
    sub: importer,
    name,
    exp: c.expires === undefined ? undefined : toUnixSeconds(c.expires),
    nbf: c.notBefore === undefined ? undefined : toUnixSeconds(c.notBefore),
    nats: {
      type: "activation",
      version: 2,
      subject: c.subject,
      kind: c.type,
      issuer_account: issuer === exporter ? undefined : exporter,
    },
  };
}

/** Whether `inner` lies inside `outer` (nats-io/jwt `Subject.IsContainedIn`): every match of inner matches outer. */
export function subjectContains(outer: string, inner: string): boolean {
  const o = outer.split(".");
  const i = inner.split(".");
  const tail = o[o.length - 1] === ">";
  if (i.length > o.length && !tail) return false;
  if (i.length < o.length) return false;
  for (let k = 0; k < o.length; k++) {
    if (k === o.length - 1 && o[k] === ">") return true;
    if (o[k] !== i[k] && o[k] !== "*") return false;
  }
  return true;
}

/**
 * The private export of `type` a token for `subject` activates, or why there is none. Exports of one
 * kind do not overlap (the jwt library refuses that), so at most one contains the subject.
 */
export function exportForToken(
  exports: readonly Export[] | undefined,
  subject: string,
  type: ExportKind,
): { export: Export; index: number } | { problem: string } {
  const all = exports ?? [];
  const index = all.findIndex((e) => e.type === type && subjectContains(e.subject, subject));
  if (index < 0) {
    const other = all.find((e) => e.type !== type && subjectContains(e.subject, subject));
    return {
      problem: other
        ? `the exporter exports ${JSON.stringify(other.subject)} as a ${other.type}, not a ${type}: set type "${other.type}"`
        : `no ${type} export of the exporter contains ${JSON.stringify(subject)}: add one (tokenRequired: true) or pick a subject inside one (${describeExports(all)})`,
    };
  }
  const e = all[index];
  if (!e.tokenRequired) {
    return {
      problem: `the exporter's ${type} export ${JSON.stringify(e.subject)} is public (tokenRequired is not set): importers need no token; set tokenRequired: true to make it private`,
    };
  }
  return { export: e, index };
}

function describeExports(exports: readonly Export[]): string {
  return exports.length ? exports.map((e) => `${e.type} ${e.subject}`).join(", ") : "it has no exports";
}

/**
 * Why an import's activation token does not fit the import (nats-io/jwt `Import.Validate`), one reason
 * per problem. `importer` is the importing account's key when known; `now` is unix seconds.
 */
export function importTokenProblems(imp: Import, importer: string | undefined, now: number): string[] {
  let claims: WireClaims;
  try {
    claims = decodeJwt(String(imp.token));
  } catch {
    return ["not an activation token (a JWT)"];
  }
  const n = claims.nats ?? ({} as WireClaims["nats"]);
  if (n.type !== "activation") return [`is a ${String(n.type)} JWT, not an activation token`];
  const out: string[] = [];
  if (claims.iss !== imp.account && n.issuer_account !== imp.account) {
    out.push(
      `was issued by ${String(n.issuer_account ?? claims.iss)}, not by the exporting account ${imp.account}`,
    );
  }
  if (importer !== undefined && claims.sub !== importer) {
    out.push(`was issued for account ${claims.sub}, not for this account (${importer})`);
  }
  if (n.kind !== imp.type) out.push(`is for a ${String(n.kind)}, but the import is a ${imp.type}`);
  if (typeof n.subject === "string" && !subjectContains(n.subject, imp.subject)) {
    out.push(
      `grants ${JSON.stringify(n.subject)}, which does not contain the imported subject ${JSON.stringify(imp.subject)}`,
    );
  }
  if (claims.exp !== undefined && claims.exp <= now) {
    out.push(
      `expired at ${new Date(claims.exp * 1000).toISOString()}: the server refuses it; issue a new token`,
    );
  }
  return out;
}

/** An activation token of the exporting account, as the account knows it (one per ActivationToken). */
export interface ActivationMember {
  /** The ActivationToken resource's URN: what identifies it across runs. */
  urn: string;
  /** The importing account's public key. */
  importer: string;
  subject: string;
  type: ExportKind;
  /** The token's `iat`: removing the token revokes the importer's tokens issued at or before it. */
  issuedAt: Int;
  /** Unix seconds the token expires (absent: never); its revocation can be pruned after. */
  expires?: Int;
  name?: string;
  /** false: removing the token does not revoke it. */
  revokeOnDelete?: boolean;
}

/** An importer revoked from one export because its token left the program (or was re-issued). */
export interface RevokedActivation {
  importer: string;
  type: ExportKind;
  /** The export's subject at the time of revocation. */
  exportSubject: string;
  /** The revocation time: tokens of the importer issued at or before it are refused. */
  at: Int;
  /** When the revoked token expires anyway; the entry is pruned after that. */
  expires?: Int;
  name?: string;
}

function revocationKey(type: string, exportSubject: string, importer: string): string {
  return `${type} ${exportSubject} ${importer}`;
}

/**
 * The tokens of `before` that `after` no longer has (by URN) or has re-issued (another `iat`), and
 * whose removal revokes. `known` says whether a value of `after` is known yet (preview).
 */
export function departedActivations(
  before: readonly ActivationMember[] | undefined,
  after: readonly ActivationMember[] | undefined,
  known: (value: unknown) => boolean = () => true,
): ActivationMember[] {
  return departed(before, after, (m) => m.issuedAt, known);
}

/**
 * The activation revocations after a run at `now`: the earlier ones, plus every departed token (in the
 * private export that holds its subject; a token whose export is gone activates nothing), minus those
 * whose token has expired anyway.
 */
export function nextRevokedActivations(
  recorded: Record<string, RevokedActivation> | undefined,
  departed: readonly ActivationMember[],
  exports: readonly Export[] | undefined,
  now: number,
): Record<string, RevokedActivation> {
  const out: Record<string, RevokedActivation> = {};
  for (const [key, r] of Object.entries(recorded ?? {})) {
    if (r.expires === undefined || r.expires > now) out[key] = r;
  }
  for (const m of departed) {
    if (m.expires !== undefined && m.expires <= now) continue;
    const found = exportForToken(exports, m.subject, m.type);
    if (!("export" in found)) continue;
    const key = revocationKey(m.type, found.export.subject, m.importer);
    const prev = out[key];
    // Absent fields are left out, not set to undefined: state values must be plain data.
    const entry: RevokedActivation = {
      importer: m.importer,
      type: m.type,
      exportSubject: found.export.subject,
      at: Math.max(prev?.at ?? 0, m.issuedAt),
    };
    const expires =
      prev && prev.expires === undefined ? undefined : Math.max(prev?.expires ?? 0, m.expires ?? Infinity);
    if (expires !== undefined && Number.isFinite(expires)) entry.expires = expires;
    if (m.name !== undefined) entry.name = m.name;
    out[key] = entry;
  }
  return out;
}

/**
 * Tokens still in the program that a revocation covers (same importer and export, issued at or
 * before it): removing one token revokes the importer's older tokens for that export too.
 */
export function revokedSurvivors(
  members: readonly ActivationMember[] | undefined,
  revoked: Record<string, RevokedActivation>,
  exports: readonly Export[] | undefined,
): { member: ActivationMember; by: RevokedActivation }[] {
  const out: { member: ActivationMember; by: RevokedActivation }[] = [];
  for (const m of members ?? []) {
    if (typeof m.issuedAt !== "number") continue;
    const found = exportForToken(exports, m.subject, m.type);
    if (!("export" in found)) continue;
    const r = revoked[revocationKey(m.type, found.export.subject, m.importer)];
    if (r && m.issuedAt <= r.at) out.push({ member: m, by: r });
  }
  return out;
}

/** The exports as the JWT carries them: each with the revocations of its removed tokens (explicit entries win). */
export function exportsWithRevocations(
  exports: readonly Export[] | undefined,
  revoked: Record<string, RevokedActivation>,
): Export[] | undefined {
  if (!exports) return undefined;
  const entries = Object.values(revoked);
  if (!entries.length) return exports as Export[];
  return exports.map((e) => {
    const mine = entries.filter((r) => r.type === e.type && r.exportSubject === e.subject);
    if (!mine.length) return e;
    const revocations: Record<string, number> = {};
    for (const r of mine) revocations[r.importer] = Math.max(revocations[r.importer] ?? 0, r.at);
    return { ...e, revocations: { ...revocations, ...e.revocations } };
  });
}
