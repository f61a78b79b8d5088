/**
 * How an Account learns its Users, so removing a User (or replacing its key) revokes it in the same
 * `pulumi up`. Each User of an Account resource joins it when constructed; the Account sends its
 * member list (URN, public key, expiry) once the synchronous part of the program has run. The Account
 * then depends on its Users (never the other way round, so there is no cycle), and the engine updates
 * it — re-signed with the departed key revoked — before it deletes the removed User.
 *
 * A User constructed after its Account's list was sent (after an `await`, or inside an `apply`)
 * cannot join: that is a program error, never a silently missing member (which would revoke it).
 *
 * ActivationTokens join their exporting Account the same way (a second list): removing one revokes
 * it in the export it activates.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DateLike } from "../core/claimInputs";
import type { Issued } from "../core/revocation";
import { toUnixSeconds } from "../core/units";

/** What an Account records of one User. */
export interface MemberInput {
  urn: pulumi.Input<string>;
  publicKey: pulumi.Input<string>;
  name: pulumi.Input<string>;
  expires?: pulumi.Input<number | undefined>;
  /** The User's `issued` (every JWT it signed for its key), when it has it. */
  issued?: pulumi.Input<Issued | undefined>;
  revokeOnDelete: boolean;
  /** The User generated its key (none given): the Account refuses a revocation of it (core/revocation.ts). */
  keyGenerated?: boolean;
}

/** What an Account records of one ActivationToken it issued. */
export interface ActivationMemberInput {
  urn: pulumi.Input<string>;
  importer: pulumi.Input<string>;
  subject: pulumi.Input<string>;
  type: pulumi.Input<"stream" | "service">;
  issuedAt: pulumi.Input<number>;
  name: pulumi.Input<string>;
  expires?: pulumi.Input<number | undefined>;
  revokeOnDelete: boolean;
}

/** A list that resources join while the synchronous program runs, sent once after that. */
class Roster<T> {
  readonly #members: T[] = [];
  #sealed = false;
  readonly list: Promise<T[]>;

  constructor(
    readonly account: string,
    readonly what: string,
    readonly field: string,
    readonly listName: string,
  ) {
    // Two macrotask turns: every resource constructed by the synchronous program code has joined by then.
    this.list = new Promise((resolve) => {
      setImmediate(() =>
        setImmediate(() => {
          this.#sealed = true;
          resolve(this.#members);
        }),
      );
    });
  }

  join(who: string, member: T): void {
    if (this.#sealed) {
      throw new pulumi.RunError(
        `${this.what} "${who}": ${this.field}: Account "${this.account}" had already sent its ${this.listName} ` +
          `when this ${this.what} was declared (after an await or inside an apply). Declare it right after its account, ` +
          "or set revokeOnDelete: false and revoke it by hand (Account revocations) when you remove it",
      );
    }
    this.#members.push(member);
  }
}

interface Membership {
  users: Roster<MemberInput>;
  activations: Roster<ActivationMemberInput>;
}

const memberships = new WeakMap<object, Membership>();

/**
 * Starts the member list of a new Account (before its `super()` call): `list` is what it sends as its
 * `members` input, `bind` makes the constructed Account joinable.
 */
export function openMembership(name: string): {
  list: Promise<MemberInput[]>;
  activations: Promise<ActivationMemberInput[]>;
  bind(account: object): void;
} {
  const m: Membership = {
    users: new Roster(name, "User", "account", "member list"),
    activations: new Roster(name, "ActivationToken", "exporter", "token list"),
  };
  return {
    list: m.users.list,
    activations: m.activations.list,
    bind: (account) => memberships.set(account, m),
  };
}

/** An expiry as the member lists hold it: unix seconds, known once the program's date is. */
function unixExpiry(
  expires: pulumi.Input<DateLike | undefined> | undefined,
): pulumi.Output<number | undefined> | undefined {
  return expires === undefined
    ? undefined
    : pulumi.output(expires).apply((e) => (e === undefined ? undefined : toUnixSeconds(e)));
}

/** Adds a User to its Account's member list (no-op for accounts of other stacks). */
export function joinMembership(
  account: object,
  user: string,
  member: Omit<MemberInput, "expires"> & { expires?: pulumi.Input<DateLike | undefined> },
): void {
  const m = memberships.get(account)?.users;
  if (!m) return;
  if (!member.revokeOnDelete) {
    m.join(user, member as MemberInput);
    return;
  }
  m.join(user, { ...member, expires: unixExpiry(member.expires) });
}

/** Adds an ActivationToken to its exporting Account's list (no-op for accounts of other stacks). */
export function joinActivations(
  account: object,
  token: string,
  member: Omit<ActivationMemberInput, "expires"> & { expires?: pulumi.Input<DateLike | undefined> },
): void {
  const m = memberships.get(account)?.activations;
  if (!m) return;
  m.join(token, { ...member, expires: unixExpiry(member.expires) });
}
