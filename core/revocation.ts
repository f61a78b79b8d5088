/**
 * User revocation in account JWTs. NATS revokes by time: an entry `{ U…: t }` refuses every JWT of
 * that user key issued at or before `t`, and the server closes its connections. So a removed user is
 * revoked at the moment of removal, a revoked key must never be signed again (a new JWT has a later
 * `iat` and would be admitted), and each time is recorded once so previews stay stable.
 */
import { ConfigError } from "./errors";
import type { Int } from "./int";
import { toUnixSeconds } from "./units";

/** When a key is revoked: unix seconds, an ISO-8601 date, or "now" (recorded at the first `up`). */
export type RevocationTime = number | string;

/** A user of an account, as the account knows it. */
export interface Member {
  /** The User resource's URN: what identifies it across runs, whatever its key. */
  urn: string;
  publicKey: string;
  name?: string;
  /** Unix seconds the user's JWT expires (absent: never); its revocation can be pruned after. */
  expires?: Int;
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
  /** When the revoked JWT expires anyway; the entry is pruned after that. */
  expires?: Int;
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
 * The removed-user revocations after a run at `now`: the earlier ones, plus every member that
 * departed, minus those whose JWT has expired anyway (a revocation of an expired JWT does nothing).
 */
export function nextRemovedUsers(
  removed: Record<string, RemovedUser> | undefined,
  departed: readonly Member[],
  now: number,
): Record<string, RemovedUser> {
  const out: Record<string, RemovedUser> = {};
  for (const [key, r] of Object.entries(removed ?? {})) {
    if (r.expires === undefined || r.expires > now) out[key] = r;
  }
  for (const m of departed) {
    if (out[m.publicKey]) continue;
    if (m.expires !== undefined && m.expires <= now) continue;
    // Absent fields are left out, not set to undefined: state values must be plain data.
    const entry: RemovedUser = { at: now };
    // The name a drift report gives a re-admitted key: YAML/Go/Python `members` may omit `name`
    // (the TypeScript SDK always sets it), and the User is gone from state once it left.
    const name = m.name ?? memberResourceName(m.urn);
    if (name !== undefined) entry.name = name;
    if (m.expires !== undefined) entry.expires = m.expires;
    out[m.publicKey] = entry;
  }
  return out;
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

/**
 * The `revocations` an account JWT carries: removals, then explicit entries (which win). With a
 * `"*": t` entry, every entry at or before `t` is left out: the server refuses a JWT whose `iat` is at
 * or before either time (nats-io/jwt v2 `RevocationList.IsRevoked`), so such an entry revokes nothing
 * more (the same compaction as the Go library's `MaybeCompact`).
 */
export function jwtRevocations(
  explicit: Record<string, number>,
  removed: Record<string, RemovedUser>,
): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const [key, r] of Object.entries(removed)) out[key] = r.at;
  Object.assign(out, explicit);
  for (const key of coveredByAll(out)) delete out[key];
  return Object.keys(out).length ? out : undefined;
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
