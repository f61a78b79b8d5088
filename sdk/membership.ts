/**
 * How an Account learns its Users, so removing a User (or replacing its key) revokes it in the same
 * `pulumi up`. Each User of an Account resource joins it when constructed; the Account sends its
 * member list (URN, public key, expiry) once the synchronous part of the program has run. The Account
 * then depends on its Users (never the other way round, so there is no cycle), and the engine updates
 * it — re-signed with the departed key revoked — before it deletes the removed User.
 *
 * A User constructed after its Account's list was sent (after an `await`, or inside an `apply`)
 * cannot join: that is a program error, never a silently missing member (which would revoke it).
 */
import * as pulumi from "@pulumi/pulumi";
import type { DateLike } from "../core/claimInputs";
import { toUnixSeconds } from "../core/units";

/** What an Account records of one User. */
export interface MemberInput {
  urn: pulumi.Input<string>;
  publicKey: pulumi.Input<string>;
  name: pulumi.Input<string>;
  expires?: pulumi.Input<number | undefined>;
  revokeOnDelete: boolean;
}

class Membership {
  readonly #members: MemberInput[] = [];
  #sealed = false;
  readonly list: Promise<MemberInput[]>;

  constructor(readonly account: string) {
    // Two macrotask turns: every User constructed by the synchronous program code has joined by then.
    this.list = new Promise((resolve) => {
      setImmediate(() =>
        setImmediate(() => {
          this.#sealed = true;
          resolve(this.#members);
        }),
      );
    });
  }

  join(user: string, member: MemberInput): void {
    if (this.#sealed) {
      throw new pulumi.RunError(
        `User "${user}": account: Account "${this.account}" had already sent its member list when this User ` +
          "was declared (after an await or inside an apply). Declare users right after their account, " +
          "or set revokeOnDelete: false and revoke it by hand (Account revocations) when you remove it",
      );
    }
    this.#members.push(member);
  }
}

const memberships = new WeakMap<object, Membership>();

/**
 * Starts the member list of a new Account (before its `super()` call): `list` is what it sends as its
 * `members` input, `bind` makes the constructed Account joinable.
 */
export function openMembership(name: string): { list: Promise<MemberInput[]>; bind(account: object): void } {
  const m = new Membership(name);
  return { list: m.list, bind: (account) => memberships.set(account, m) };
}

/** Adds a User to its Account's member list (no-op for accounts of other stacks). */
export function joinMembership(
  account: object,
  user: string,
  member: Omit<MemberInput, "expires"> & { expires?: pulumi.Input<DateLike | undefined> },
): void {
  const m = memberships.get(account);
  if (!m) return;
  if (!member.revokeOnDelete) {
    m.join(user, member as MemberInput);
    return;
  }
  const expires =
    member.expires === undefined
      ? undefined
      : pulumi.output(member.expires).apply((e) => (e === undefined ? undefined : toUnixSeconds(e)));
  m.join(user, { ...member, expires });
}
