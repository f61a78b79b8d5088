/**
 * User revocation in account JWTs. NATS revokes by time: an entry `{ U…: t }` refuses every JWT of
 * that user key issued at or before `t`, and the server closes its connections. So a removed user is
 * revoked at the moment of removal, a revoked key must never be signed again (a new JWT has a later
 * `iat` and would be admitted), and each time is recorded once so previews stay stable.
 */
import type { SigningKeyRef } from "./claimInputs";
import { ConfigError } from "./errors";
import type { Int } from "./int";
import { decodeJwt } from "./jwt";
import { toUnixSeconds } from "./units";

/** When a key is revoked: unix seconds, an ISO-8601 date, or "now" (recorded at the first `up`). */
export type RevocationTime = number | string;

/**
 * What a User resource knows of every JWT it ever signed for its key: recorded only when it knows
 * them all (it generated the key itself, so no JWT of that key was issued before it or elsewhere by
 * this package's doing), and kept up to date at every signing. Absent when not known (a key given as
 * `seed` or `publicKey`, an adopted JWT, state written before it existed): then a revocation of the
 * key is never pruned.
 */
export interface Issued {
  /** The keys that signed them (the account key, its signing keys), sorted. */
  issuers: string[];
  /** The latest expiry among them, unix seconds; absent when one of them never expires. */
  expires?: Int;
}

/** A user of an account, as the account knows it. */
export interface Member {
  /** The User resource's URN: what identifies it across runs, whatever its key. */
  urn: string;
  publicKey: string;
  name?: string;
  /**
   * Unix seconds the user's current JWT expires (absent: never). Only that JWT's: an earlier one may
   * expire later or never, so pruning reads `issued`, never this.
   */
  expires?: Int;
  /** The User's record of every JWT it signed for its key (its `issued` output); absent: not known. */
  issued?: Issued;
  /** false: removing the user does not revoke its key. */
  revokeOnDelete?: boolean;
  /**
   * true when the User generated its key (it was given no seed, key or publicKey). Such a User
   * cannot see whether the account revokes its key (the key is known only once the User exists), so
   * the Account refuses an explicit revocation of that key while the User is in the program. The
   * TypeScript SDK sets it; in YAML, Go and Python set it on the member entry of such a User.
   */
  keyGenerated?: boolean;
}

/** A user key revoked because its User left the program (or got a new key). */
export interface RemovedUser {
  /** Unix seconds of the removal: the revocation time. */
  at: Int;
  name?: string;
  /**
   * When the user's last JWT expires, as recorded at removal. Not read for pruning: an earlier JWT of
   * the key may expire later or never (state written before `issued` existed prunes nothing).
   */
  expires?: Int;
  /**
   * Every JWT of the key issued at or before `at`, as the User that signed them all recorded it
   * (absent: not known, the entry is never pruned). The entry is pruned once `issued.expires` has
   * passed, and left out of the JWT while none of `issued.issuers` can sign the account's users.
   */
  issued?: Issued;
}

/** Resolves revocation inputs to unix seconds; "now" keeps the time recorded by an earlier run. */
export function resolveRevocations(
  input: Record<string, RevocationTime> | undefined,
  recorded: Record<string, number> | undefined,
  now: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, when] of Object.entries(input ?? {})) {
    if (when === "now") out[key] = recorded?.[key] ?? now;
    else if (typeof when === "number") out[key] = Math.floor(when);
    else {
      const t = toUnixSeconds(when);
      if (Number.isNaN(t))
        throw new ConfigError(`revocations["${key}"]`, `not a date: ${JSON.stringify(when)}`);
      out[key] = t;
    }
  }
  return out;
}

/** Whether the inputs name a "now" revocation the state has no time for yet (a change to make). */
export function unrecordedNow(
  input: Record<string, RevocationTime> | undefined,
  recorded: Record<string, number> | undefined,
): boolean {
  return Object.entries(input ?? {}).some(([key, when]) => when === "now" && recorded?.[key] === undefined);
}

/**
 * The members of `before` that `after` no longer has (by URN) or has with another key, and whose
 * removal revokes. `known` says whether a key in `after` is known yet (preview); unknown keys are
 * taken as unchanged.
 */
export function departedMembers(
  before: readonly Member[] | undefined,
  after: readonly Member[] | undefined,
  known: (publicKey: string) => boolean = () => true,
): Member[] {
  return departed(before, after, (m) => m.publicKey, known);
}

/** A resource type of the dynamic SDK in a URN, and what the native plugin calls the same kind. */
const DYNAMIC_TYPE = /pulumi-nodejs:dynamic\/nats-auth:(?=[A-Za-z])/g;
const NATIVE_TYPE = "nats-auth:index:";

/**
 * What identifies a member's resource across runs: its URN, with the dynamic SDK's type tokens
 * (`pulumi-nodejs:dynamic/nats-auth:User`, also in a parent's place) read as the native plugin's
 * (`nats-auth:index:User`). A stack moved from the dynamic SDK to the native types (`aliases`) keeps
 * its Users, whose URNs then name the native type: the same members, not departed ones (which would
 * revoke every user of the account in the move).
 */
export function memberKey(urn: string): string {
  const parts = urn.split("::");
  // urn:pulumi:<stack>::<project>::<parent types $ ...><type>::<name>: only the type part is read.
  if (parts.length < 4) return urn;
  parts[2] = parts[2].replace(DYNAMIC_TYPE, NATIVE_TYPE);
  return parts.join("::");
}

/**
 * The resource name a member's URN ends with (`urn:pulumi:<stack>::<project>::<type>::<name>`), or
 * undefined when it is not a full URN.
 */
function memberResourceName(urn: string): string | undefined {
  const parts = urn.split("::");
  return parts.length >= 4 ? parts.slice(3).join("::") || undefined : undefined;
}

/**
 * A member list as it is compared across runs: URNs by {@link memberKey}, and `revokeOnDelete`
 * spelled out (absent means true), so the same members written by either SDK compare equal.
 */
export function comparableMembers<M extends { urn: string; revokeOnDelete?: boolean }>(
  members: readonly M[] | undefined,
): M[] {
  return (members ?? []).map((m) => {
    // `keyGenerated` says how the User got its key, not what to record: a member list written
    // before it existed is the same list (no update of every account after an upgrade).
    const { keyGenerated: _, ...rest } = m as M & { keyGenerated?: boolean };
    return { ...rest, urn: memberKey(m.urn), revokeOnDelete: m.revokeOnDelete !== false } as M;
  });
}

/**
 * What a list of revocable entries (users, activation tokens) lost between two runs: the entries of
 * `before` that `after` no longer has (by URN, read by {@link memberKey}) or has with another `identity` (a new key, a re-issued
 * token), unless they opted out of revocation. An identity `known` says is not known yet (preview)
 * is taken as unchanged.
 */
export function departed<M extends { urn: string; revokeOnDelete?: boolean }, I>(
  before: readonly M[] | undefined,
  after: readonly M[] | undefined,
  identity: (m: M) => I,
  known: (value: I) => boolean,
): M[] {
  const now = new Map((after ?? []).map((m) => [memberKey(m.urn), m]));
  return (before ?? []).filter((m) => {
    if (m.revokeOnDelete === false) return false;
    const still = now.get(memberKey(m.urn));
    return !still || (known(identity(still)) && identity(still) !== identity(m));
  });
}

/**
 * Whether every JWT `issued` describes has expired at `now`: then a revocation of them does nothing.
 * Not known (absent) is never expired.
 */
export function allExpired(issued: Issued | undefined, now: number): boolean {
  return isIssued(issued) && typeof issued.expires === "number" && issued.expires <= now;
}

/**
 * Whether `v` is a record of a key's JWTs. Anything else (absent, null from a YAML reference to a
 * User without one, a malformed member entry) is not known: nothing is pruned on it.
 */
export function isIssued(v: unknown): v is Issued {
  if (typeof v !== "object" || v === null) return false;
  const { issuers, expires } = v as { issuers?: unknown; expires?: unknown };
  return (
    Array.isArray(issuers) &&
    issuers.every((k) => typeof k === "string") &&
    (expires === undefined || expires === null || typeof expires === "number")
  );
}

/**
 * The record of a key's JWTs after one more: `a` and `b` together (issuers of both, the later
 * expiry, never when either never expires); not known when either is not known.
 */
export function mergeIssued(a: Issued | undefined, b: Issued | undefined): Issued | undefined {
  if (!isIssued(a) || !isIssued(b)) return undefined;
  const out: Issued = { issuers: [...new Set([...a.issuers, ...b.issuers])].sort() };
  // Absent (or null) is never: then the merged record never expires either.
  if (typeof a.expires === "number" && typeof b.expires === "number")
    out.expires = Math.max(a.expires, b.expires);
  return out;
}

/**
 * The removed-user revocations after a run at `now`: the earlier ones, plus every member that
 * departed, minus those whose every JWT has expired anyway (a revocation of an expired JWT does
 * nothing). Only the User's record of all its JWTs (`issued`) proves that; the expiry of its last
 * JWT does not (an earlier one may never expire), so without the record an entry stays.
 */
export function nextRemovedUsers(
  removed: Record<string, RemovedUser> | undefined,
  departed: readonly Member[],
  now: number,
): Record<string, RemovedUser> {
  const out: Record<string, RemovedUser> = {};
  for (const [key, r] of Object.entries(removed ?? {})) {
    if (!allExpired(r.issued, now)) out[key] = r;
  }
  for (const m of departed) {
    if (out[m.publicKey]) continue;
    if (allExpired(m.issued, now)) continue;
    // Absent fields are left out, not set to undefined: state values must be plain data.
    const entry: RemovedUser = { at: now };
    // The name a drift report gives a re-admitted key: YAML/Go/Python `members` may omit `name`
    // (the TypeScript SDK always sets it), and the User is gone from state once it left.
    const name = m.name ?? memberResourceName(m.urn);
    if (name !== undefined) entry.name = name;
    if (m.expires !== undefined) entry.expires = m.expires;
    if (isIssued(m.issued)) entry.issued = plainIssued(m.issued);
    out[m.publicKey] = entry;
  }
  return out;
}

/** `issued` as plain state data (sorted issuers, no undefined fields). */
function plainIssued(i: Issued): Issued {
  const out: Issued = { issuers: [...i.issuers].sort() };
  if (i.expires !== undefined && i.expires !== null) out.expires = i.expires;
  return out;
}

/** The public key of a signing key as an account JWT lists it (plain or scoped). */
export function signingKeyOf(ref: SigningKeyRef): string {
  return typeof ref === "string" ? ref : ref.key;
}

/**
 * Whether a removed user's revocation refuses nothing any more because of who signed: every JWT of
 * the key issued at or before the revocation was signed by a key that is neither the account's own
 * key nor among its signing keys now, and servers refuse a user JWT whose issuer is neither (the
 * issuer check comes before the revocation check). Not known (`issued` absent) is never.
 */
export function signersGone(
  r: RemovedUser,
  account: string | undefined,
  signingKeys: readonly SigningKeyRef[] | undefined,
): boolean {
  if (!isIssued(r.issued) || account === undefined || r.issued.issuers.length === 0) return false;
  const signers = new Set([account, ...(signingKeys ?? []).map(signingKeyOf)]);
  return r.issued.issuers.every((k) => !signers.has(k));
}

/**
 * A removed user's entry when a User comes back with its key: revoked again at `now` (the revocation
 * covers JWTs issued at or before it, the one just signed included), and what that User signed joins
 * the record (not known when the User does not know it).
 */
export function readmittedEntry(r: RemovedUser, m: Member, now: number): RemovedUser {
  const { issued: was, ...rest } = r;
  const issued = mergeIssued(was, m.issued);
  return issued ? { ...rest, at: now, issued } : { ...rest, at: now };
}

/** Current members whose key was revoked by an earlier removal: signing them again would re-admit them. */
export function readmittedMembers(
  members: readonly Member[] | undefined,
  removed: Record<string, RemovedUser> | undefined,
): Member[] {
  return (members ?? []).filter((m) => removed?.[m.publicKey] !== undefined);
}

/** The key of a revocation of every user: `"*": t` refuses every user JWT issued at or before `t`. */
export const ALL_USERS = "*";

/** Who may sign an account's users now: its own key and its signing keys (undefined: not known). */
export interface AccountSigners {
  account: string | undefined;
  signingKeys: readonly SigningKeyRef[] | undefined;
}

/**
 * The revocation entries of an account before the `"*"` compaction: removals, then explicit entries
 * (which win). A removal whose JWTs were all signed by keys the account no longer has (`signersGone`,
 * given `signers`) is left out: the servers refuse those JWTs anyway. It stays in `removed`, so it
 * comes back if one of those keys is added again. Explicit entries are the program's: always in.
 */
export function revocationEntries(
  explicit: Record<string, number>,
  removed: Record<string, RemovedUser>,
  signers?: AccountSigners,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, r] of Object.entries(removed)) {
    if (signers && signersGone(r, signers.account, signers.signingKeys)) continue;
    out[key] = r.at;
  }
  return Object.assign(out, explicit);
}

/**
 * The `revocations` an account JWT carries: {@link revocationEntries}, less what a `"*": t` entry
 * covers. The server refuses a JWT whose `iat` is at or before either time (nats-io/jwt v2
 * `RevocationList.IsRevoked`), so an entry at or before `t` revokes nothing more (the same compaction
 * as the Go library's `MaybeCompact`).
 */
export function jwtRevocations(
  explicit: Record<string, number>,
  removed: Record<string, RemovedUser>,
  signers?: AccountSigners,
): Record<string, number> | undefined {
  const out = revocationEntries(explicit, removed, signers);
  for (const key of coveredByAll(out)) delete out[key];
  return Object.keys(out).length ? out : undefined;
}

/** Removed users' entries a run leaves out of the account JWT, by reason. */
export interface Leaving {
  /** Every JWT of the key has expired: the entry leaves the state too. */
  expired: string[];
  /** Every JWT of the key was signed by keys the account no longer has: kept in the state. */
  signersGone: string[];
}

/**
 * The entries of the stored JWT (`inJwt`, read only when needed) that removals put there and the JWT
 * of this run leaves out for hygiene: dropped from `next` (expired), or {@link signersGone}. Entries
 * the program gives (`explicit`) stay, and those a `"*"` covers are said by its own note.
 */
export function removedUsersLeaving(
  before: Record<string, RemovedUser> | undefined,
  next: Record<string, RemovedUser>,
  explicit: Record<string, number>,
  signers: AccountSigners | undefined,
  inJwt: () => Record<string, number>,
): Leaving {
  const out: Leaving = { expired: [], signersGone: [] };
  const expired = Object.keys(before ?? {}).filter((k) => next[k] === undefined);
  const gone = signers
    ? Object.keys(next).filter((k) => signersGone(next[k], signers.account, signers.signingKeys))
    : [];
  if (expired.length + gone.length === 0) return out;
  const stored = inJwt();
  const leaves = (k: string) => stored[k] !== undefined && explicit[k] === undefined;
  out.expired = expired.filter(leaves).sort();
  out.signersGone = gone.filter(leaves).sort();
  return out;
}

/**
 * The `revocations` of an account JWT (none when there is no JWT or it cannot be decoded: nothing is
 * said to leave it then).
 */
export function jwtRevocationsOf(jwt: unknown): Record<string, number> {
  if (typeof jwt !== "string") return {};
  try {
    return (decodeJwt(jwt).nats as { revocations?: Record<string, number> } | undefined)?.revocations ?? {};
  } catch {
    return {};
  }
}

/** The first few keys of a list, for a message. */
function someKeys(keys: string[]): string {
  const shown = keys.slice(0, 3).join(", ");
  return keys.length > 3 ? `${shown} and ${keys.length - 3} more` : shown;
}

/**
 * What a preview says of removed users' entries that leave the account JWT (hygiene): which, and why
 * nothing is lost. `name` names the Account.
 */
export function leavingWarnings(name: string, leaving: Leaving): string[] {
  const entries = (n: number) => `${n} revocation ${n === 1 ? "entry" : "entries"} of removed Users`;
  const leave = (n: number) => (n === 1 ? "leaves" : "leave");
  const notes: string[] = [];
  if (leaving.expired.length) {
    notes.push(
      `${name}: ${entries(leaving.expired.length)} (${someKeys(leaving.expired)}) ${leave(leaving.expired.length)} the account JWT: ` +
        "every JWT this program signed for those keys has expired (servers refuse them anyway)",
    );
  }
  if (leaving.signersGone.length) {
    notes.push(
      `${name}: ${entries(leaving.signersGone.length)} (${someKeys(leaving.signersGone)}) ` +
        `${leave(leaving.signersGone.length)} the account JWT: every JWT this program signed for those ` +
        "keys was signed by signing keys the account no longer has (servers refuse them anyway). They " +
        "stay recorded in removedUsers and come back if such a key is added again",
    );
  }
  return notes;
}

/** The entries of `revocations` that its `"*"` entry covers (none without one). */
export function coveredByAll(revocations: Record<string, number>): string[] {
  const all = revocations[ALL_USERS];
  if (all === undefined) return [];
  return Object.keys(revocations).filter((k) => k !== ALL_USERS && revocations[k] <= all);
}

/**
 * The time of the `"*"` entry of an account's revocations as a User sees them (unix seconds, an
 * ISO-8601 date; "now" is recorded by the account and not known here): undefined when there is none.
 */
export function allUsersRevokedAt(
  revocations: Record<string, RevocationTime> | undefined,
): number | undefined {
  const when = revocations?.[ALL_USERS];
  if (typeof when === "number") return Math.floor(when);
  if (typeof when !== "string" || when === "now") return undefined;
  const t = toUnixSeconds(when);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Current members whose key a removal revoked, earlier or in this same run under another URN (a
 * renamed User keeping its key). Only members whose key `known` says is known are judged.
 */
export function returningMembers(
  before: readonly Member[] | undefined,
  after: readonly Member[] | undefined,
  removed: Record<string, RemovedUser> | undefined,
  now: number,
  known: (publicKey: string) => boolean = () => true,
): Member[] {
  const revoked = nextRemovedUsers(removed, departedMembers(before, after, known), now);
  return readmittedMembers(
    (after ?? []).filter((m) => known(m.publicKey)),
    revoked,
  );
}

/**
 * Why a user key must not be signed again, and the steps that give the user a new key. A User the
 * stack already holds with that key keeps it when the key input is dropped (its seed is in state), so
 * it must be replaced: `signed` says so (`pulumi up --replace` refuses a URN the stack does not hold).
 * `urn` is the User's URN when known.
 */
export function revokedMemberMessage(
  user: { name?: string; urn?: string; publicKey: string },
  account: string,
  removal: RemovedUser,
  signed: boolean,
): string {
  const who = user.name ? `User "${user.name}"` : "User";
  const urn = user.urn ?? "<the User's URN, from pulumi stack --show-urns>";
  return (
    `${who}: key ${user.publicKey} was revoked in account ${account} when its User left the program ` +
    `(${new Date(removal.at * 1000).toISOString()}); signing it again would re-admit it. Give the user a ` +
    "new key: remove its `seed`/`key` input (or pass another KeyPair), then run " +
    (signed ? `\`pulumi up --replace ${urn}\`` : "`pulumi up`")
  );
}

/** A member whose generated key an explicit revocation names, with that entry's value. */
export interface RevokedGeneratedMember {
  member: Member;
  publicKey: string;
  at: RevocationTime;
}

/**
 * The Users still in the program whose key they generated themselves and that `revocations` names
 * (the `"*"` entry aside). Such a User cannot refuse to be signed again: its key is known only once
 * it exists, so it is sent none of the account's revocations (users × revocations on the wire and in
 * state otherwise), and the engine hands its check the stored inputs, which hold no key. A key not
 * `known` yet (a User updated or replaced in this preview) is read from `before`, by URN: the key it
 * is stored with.
 */
export function revokedGeneratedMembers(
  revocations: Record<string, RevocationTime> | undefined,
  members: readonly Member[] | undefined,
  before: readonly Member[] | undefined,
  known: (publicKey: string) => boolean,
): RevokedGeneratedMember[] {
  if (!revocations || !members?.length) return [];
  const stored = new Map((before ?? []).map((m) => [memberKey(m.urn), m.publicKey]));
  const out: RevokedGeneratedMember[] = [];
  for (const m of members) {
    if (m.keyGenerated !== true) continue;
    const key = known(m.publicKey) ? m.publicKey : stored.get(memberKey(m.urn));
    if (key === undefined || key === ALL_USERS || revocations[key] === undefined) continue;
    out.push({ member: m, publicKey: key, at: revocations[key] });
  }
  return out;
}

/** Why the Account refuses a revocation of a generated key still in the program, and what to do. */
export function revokedGeneratedMessage(r: RevokedGeneratedMember, account: string): string {
  const who = r.member.name ? `User "${r.member.name}"` : "a User";
  const remedy =
    r.member.revokeOnDelete === false
      ? "remove the User or give it a new key (`pulumi up --replace <its URN>`), then revoke the old key here"
      : "drop this entry and remove the User or give it a new key (`pulumi up --replace <its URN>`): either revokes the old key in this account";
  return (
    `names key ${r.publicKey} of ${who} (${r.member.urn}), which is still in the program and generated ` +
    `that key itself: such a User is not sent account ${account}'s revocations, so its next change would ` +
    `sign the revoked key again (a later iat, which the servers admit). To revoke it, ${remedy}. To keep ` +
    "a User whose key you revoke by hand, give it its key (a KeyPair or a seed)"
  );
}
