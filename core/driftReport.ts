/**
 * The drift report people read (and alerting parses): the Account `drift` outputs a refresh records
 * (core/drift.ts, provider/kit/accountResolver.ts) turned into findings in words, per account, worst
 * first. Raw public keys become user names where the stack knows them, unix seconds become ISO times,
 * and the few changes that let someone in who was kept out (a revoked user re-admitted, a foreign
 * signer, a signing key added behind the stack's back) come before limits and everything else.
 */

/** How bad a finding is; `unverified` means the check could not ask (not drift, not agreement). */
export type DriftSeverity = "critical" | "high" | "medium" | "unverified";

/** One thing that differs between the servers and the program, in words. */
export interface DriftFinding {
  severity: DriftSeverity;
  /** The claim path of the `drift` output (`limits.conn`, `revocations.U…`, `account`, `issuer`). */
  claim: string;
  /** The finding in words, e.g. `limit raised out of band: conn 10 → -1 (unlimited) on all servers`. */
  text: string;
  /** The servers' value as recorded (JSON text or `absent`), when the entry has one. */
  servers?: string;
  /** The program's value as recorded, when the entry has one. */
  program?: string;
  /** `all servers` or `N of M servers`, when the entry says. */
  where?: string;
}

/** An account of the stack as the report needs it: its resource name and the `drift` output. */
export interface DriftAccountInput {
  /** The resource name (the last part of its URN). */
  name: string;
  urn: string;
  /** Account public key, when state has it. */
  publicKey?: string;
  drift?: Record<string, string>;
}

/** The findings of one account, worst first. */
export interface DriftAccountReport {
  name: string;
  urn: string;
  publicKey?: string;
  findings: DriftFinding[];
}

/** `agree`: exit 0; `drift`: exit 1; `unverified`: exit 2 (some server could not be asked). */
export type DriftStatus = "agree" | "drift" | "unverified";

/** The whole report: status, exit code and the accounts with findings, worst account first. */
export interface DriftCheckReport {
  status: DriftStatus;
  exitCode: 0 | 1 | 2;
  /** Accounts the stack holds (checked), with or without findings. */
  checked: number;
  accounts: DriftAccountReport[];
}

const RANK: Record<DriftSeverity, number> = { unverified: 0, critical: 1, high: 2, medium: 3 };

/** `"<where>: <servers>, program: <program>"` as core/drift.ts writes it. */
const ENTRY = /^(.*?): (.*), program: (.*)$/;

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === "absent") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Unix seconds as an ISO time; anything else as it was written. */
export function isoTime(value: unknown): string {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) {
    return new Date(value * 1000).toISOString().replace(".000Z", "Z");
  }
  return value === undefined ? "absent" : typeof value === "string" ? value : JSON.stringify(value);
}

function onWhere(where: string): string {
  return where === "servers" ? "on all servers" : `on ${where}`;
}

function showLimit(v: unknown): string {
  if (v === undefined) return "absent";
  if (v === -1) return "-1 (unlimited)";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** Whether `held` lets more through than `program` (-1 and absent mean unlimited). */
function raised(program: unknown, held: unknown): boolean {
  const unlimited = (v: unknown) => v === undefined || v === -1;
  if (unlimited(held)) return !unlimited(program);
  if (unlimited(program)) return false;
  return typeof held === "number" && typeof program === "number" && held > program;
}

/** Names a key: `alice (UABC…)` when the stack knows the user, the key otherwise. */
function who(key: string, names: ReadonlyMap<string, string>): string {
  const name = names.get(key);
  return name ? `user "${name}" (${key})` : key === "*" ? "every user (*)" : key;
}

/** One `drift` entry in words. `names` maps user public keys to the names the stack knows. */
export function describeDrift(
  claim: string,
  value: string,
  names: ReadonlyMap<string, string> = new Map(),
): DriftFinding {
  if (claim === "unverified") return { severity: "unverified", claim, text: `could not ask: ${value}` };
  if (claim === "issuer") {
    const where = value.split(":")[0];
    return {
      severity: "critical",
      claim,
      text: `foreign signer: the JWT ${onWhere(where)} is not signed by this stack's operator keys`,
      where,
    };
  }
  if (claim === "expired") return { severity: "high", claim, text: value };
  // Which server holds what (refresh asks the servers whose replies name them): the context of the
  // other findings of the account.
  if (claim === "servers") return { severity: "medium", claim, text: `per server: ${value}` };
  if (claim === "iat") return { severity: "high", claim, text: value };
  if (claim === "usable")
    return { severity: "high", claim, text: `servers hold a JWT they cannot use: ${value}` };
  const m = ENTRY.exec(value);
  if (claim === "account") {
    if (m && m[2] === "absent") {
      return {
        severity: "high",
        claim,
        text: "the account is missing from all servers (deleted out of band or lost by the resolver): its users cannot connect",
        servers: m[2],
        program: m[3],
        where: m[1],
      };
    }
    return {
      severity: "high",
      claim,
      text: `the account is ${value} (deleted out of band or never pushed there)`,
    };
  }
  if (!m) return { severity: "medium", claim, text: `${claim}: ${value}` };
  const [, where, serversText, programText] = m;
  const held = parseJson(serversText);
  const program = parseJson(programText);
  const base = { claim, servers: serversText, program: programText, where };
  const on = onWhere(where);
  if (claim.startsWith("revocations.")) {
    const key = claim.slice("revocations.".length);
    if (held === undefined) {
      return {
        severity: "critical",
        ...base,
        text: `a revoked user was re-admitted: ${who(key, names)}, revoked by the program at ${isoTime(program)}, is not revoked ${on}`,
      };
    }
    if (program === undefined) {
      return {
        severity: "medium",
        ...base,
        text: `revoked out of band: ${who(key, names)} at ${isoTime(held)} ${on}`,
      };
    }
    return {
      severity:
        typeof held === "number" && typeof program === "number" && held < program ? "critical" : "medium",
      ...base,
      text: `revocation time of ${who(key, names)} changed out of band: ${isoTime(program)} → ${isoTime(held)} ${on}`,
    };
  }
  if (claim === "signing_keys") {
    const mine = new Set((Array.isArray(program) ? program : []).map((k) => JSON.stringify(k)));
    const theirs = new Set((Array.isArray(held) ? held : []).map((k) => JSON.stringify(k)));
    const added = [...theirs].filter((k) => !mine.has(k)).map((k) => keyOf(JSON.parse(k)));
    const removed = [...mine].filter((k) => !theirs.has(k)).map((k) => keyOf(JSON.parse(k)));
    const parts = [
      ...(added.length ? [`added ${added.join(", ")}`] : []),
      ...(removed.length ? [`removed ${removed.join(", ")}`] : []),
    ];
    return {
      severity: added.length ? "critical" : "high",
      ...base,
      text: `signing keys changed out of band ${on}: ${parts.join("; ") || "scopes differ"}`,
    };
  }
  if (claim.startsWith("limits.")) {
    const limit = claim.slice("limits.".length);
    const up = raised(program, held);
    return {
      severity: up ? "high" : "medium",
      ...base,
      text: `limit ${up ? "raised" : "lowered"} out of band: ${limit} ${showLimit(program)} → ${showLimit(held)} ${on}`,
    };
  }
  if (claim === "exp" || claim === "nbf") {
    return {
      severity: "medium",
      ...base,
      text: `${claim === "exp" ? "expiry" : "not-before"} changed out of band: ${isoTime(program)} → ${isoTime(held)} ${on}`,
    };
  }
  return {
    severity: "medium",
    ...base,
    text: `${claim} changed out of band: ${programText} → ${serversText} ${on}`,
  };
}

function keyOf(entry: unknown): string {
  if (typeof entry === "string") return entry;
  const key = (entry as { key?: unknown } | null)?.key;
  return typeof key === "string" ? `${key} (scoped)` : JSON.stringify(entry);
}

/** The report over every account of the stack; `names` maps user public keys to names. */
export function driftReport(
  accounts: DriftAccountInput[],
  names: ReadonlyMap<string, string> = new Map(),
): DriftCheckReport {
  const reports: DriftAccountReport[] = [];
  for (const a of accounts) {
    const findings = Object.entries(a.drift ?? {})
      .map(([claim, value]) => describeDrift(claim, value, names))
      .sort((x, y) => RANK[x.severity] - RANK[y.severity] || x.claim.localeCompare(y.claim));
    if (findings.length) {
      reports.push({
        name: a.name,
        urn: a.urn,
        ...(a.publicKey ? { publicKey: a.publicKey } : {}),
        findings,
      });
    }
  }
  reports.sort(
    (x, y) => RANK[x.findings[0].severity] - RANK[y.findings[0].severity] || x.name.localeCompare(y.name),
  );
  const all = reports.flatMap((r) => r.findings);
  const status: DriftStatus = all.some((f) => f.severity === "unverified")
    ? "unverified"
    : all.length
      ? "drift"
      : "agree";
  return {
    status,
    exitCode: status === "agree" ? 0 : status === "drift" ? 1 : 2,
    checked: accounts.length,
    accounts: reports,
  };
}

/** The report as text: one block per account, worst first, one line per finding. */
export function formatDriftReport(report: DriftCheckReport, stack: string): string {
  const head =
    report.status === "agree"
      ? `stack ${stack}: the servers hold the program's JWTs (${report.checked} account${report.checked === 1 ? "" : "s"} checked)`
      : report.status === "drift"
        ? `stack ${stack}: DRIFT - the servers hold other JWTs than the program for ${report.accounts.length} of ${report.checked} accounts`
        : `stack ${stack}: COULD NOT CHECK - some servers could not be asked (exit 2)`;
  const blocks = report.accounts.map(
    (a) =>
      `account ${a.name}${a.publicKey ? ` (${a.publicKey})` : ""}:\n${a.findings
        .map((f) => `  [${f.severity}] ${f.text}`)
        .join("\n")}`,
  );
  return [head, ...blocks].join("\n");
}
