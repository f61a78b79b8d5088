/**
 * Imports between accounts of one program. An importer whose exporter is declared in the same
 * program knows the exporter's exports (and service imports) before anything is signed, so what
 * the server would refuse or drop can be refused at preview: an import of a subject the exporter
 * does not export, of the wrong kind, of a private export without an activation token, and service
 * imports that lead back to the importer (nats-server refuses the import that closes the cycle,
 * `ErrImportFormsCycle`, and the requests it was meant to carry go nowhere).
 *
 * Imports from accounts of other stacks (or given as plain keys the program cannot trace) are not
 * judged here: their exports are not known.
 */
import { subjectContains } from "./activation";
import type { Export, Import } from "./claimInputs";
import { subjectsCollide } from "./subjectMapping";

/** An account of the program this account imports from (directly, or through service imports). */
export interface AccountPeer {
  publicKey: string;
  /** The account's name in the program. */
  name: string;
  exports?: Export[];
  /** Its service imports, the fields that route requests (no activation tokens). */
  imports?: Pick<Import, "subject" | "localSubject" | "account" | "type">[];
}

/** A problem of one import: which field, and why. */
export interface ImportProblem {
  index: number;
  field: "subject" | "type" | "token" | "account";
  reason: string;
}

/** The subject an import is published on in the importer ("$n" references read as '*'). */
const localOf = (imp: Pick<Import, "subject" | "localSubject">): string =>
  String(imp.localSubject ?? imp.subject).replace(/\$\d+/g, "*");

function describeExports(exports: readonly Export[]): string {
  return exports.length
    ? `it exports ${exports.map((e) => `${e.type} ${JSON.stringify(e.subject)}`).join(", ")}`
    : "it exports nothing";
}

/**
 * Problems of `imports` whose exporter is one of `peers`. `self` is this account's key, when known
 * (needed to find service imports that come back to it). Entries not known yet are skipped by the
 * caller (`judged`).
 */
export function peerImportProblems(
  imports: readonly Import[],
  peers: readonly AccountPeer[],
  self: string | undefined,
  judged: (index: number) => boolean,
): ImportProblem[] {
  const byKey = new Map(peers.map((p) => [p.publicKey, p]));
  const out: ImportProblem[] = [];
  imports.forEach((imp, index) => {
    if (!judged(index)) return;
    const peer = byKey.get(imp.account);
    if (!peer) return;
    const who = `${peer.name} (${peer.publicKey})`;
    if (peer.publicKey === self) {
      out.push({
        index,
        field: "account",
        reason: "is this account itself: an account cannot import from itself",
      });
      return;
    }
    const exports = peer.exports ?? [];
    const same = exports.find((e) => e.type === imp.type && subjectContains(e.subject, imp.subject));
    if (!same) {
      const other = exports.find((e) => e.type !== imp.type && subjectContains(e.subject, imp.subject));
      out.push(
        other
          ? {
              index,
              field: "type",
              reason: `${who} exports ${JSON.stringify(other.subject)} as a ${other.type}, not a ${imp.type}: set type "${other.type}" (the server refuses an import of the other kind)`,
            }
          : {
              index,
              field: "subject",
              reason: `${who} exports no ${imp.type} containing ${JSON.stringify(imp.subject)} (${describeExports(exports)}): the server would refuse the import; add the export to ${peer.name} or import a subject inside one`,
            },
      );
      return;
    }
    if (same.tokenRequired && (imp.token === undefined || imp.token === "")) {
      out.push({
        index,
        field: "token",
        reason: `${who} exports ${JSON.stringify(same.subject)} privately (tokenRequired): importing it needs an activation token (an ActivationToken with exporter ${peer.name} and this account as importer, its token here)`,
      });
    }
  });
  if (self !== undefined) {
    imports.forEach((imp, index) => {
      if (!judged(index) || imp.type !== "service") return;
      const path = serviceCycle(imp, self, byKey);
      if (path) {
        out.push({
          index,
          field: "subject",
          reason: `service import of ${JSON.stringify(imp.subject)} leads back to this account (${path}): requests would loop, and the server refuses the import that closes the cycle; drop one of these imports or give them disjoint subjects`,
        });
      }
    });
  }
  return out;
}

/**
 * The accounts a request on `imp` passes through before it comes back to `self`, or undefined when
 * it does not (as nats-server follows it: a service import whose local subject collides with the
 * subject the request arrives on forwards it).
 */
function serviceCycle(
  imp: Import,
  self: string,
  peers: ReadonlyMap<string, AccountPeer>,
): string | undefined {
  const seen = new Set<string>([self]);
  const walk = (account: string, subject: string, trail: string[]): string | undefined => {
    const peer = peers.get(account);
    if (!peer) return undefined;
    for (const next of peer.imports ?? []) {
      if (next.type !== "service" || !subjectsCollide(subject, localOf(next))) continue;
      const hop = [
        ...trail,
        `${peer.name} imports ${JSON.stringify(next.subject)} from ${next.account === self ? "this account" : (peers.get(next.account)?.name ?? next.account)}`,
      ];
      if (next.account === self) return hop.join(", ");
      if (seen.has(next.account)) continue;
      seen.add(next.account);
      const found = walk(next.account, String(next.subject), hop);
      if (found) return found;
    }
    return undefined;
  };
  return walk(imp.account, String(imp.subject), []);
}
