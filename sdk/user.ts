import * as pulumi from "@pulumi/pulumi";
import type { SigningKeyRef, UserClaims, UserTemplate } from "../core/claimInputs";
import { formatCreds } from "../core/creds";
import { jsAckWarningLines } from "../core/jsAck";
import { publicKeyOf } from "../core/nkeys";
import { ALL_USERS, type Issued, type RemovedUser, type RevocationTime } from "../core/revocation";
import type { UserInputs, UserOutputs } from "../provider/contracts";
import type { Account } from "./account";
import { withoutUnset } from "./dynamic";
import { IdentityResource } from "./identity";
import { derived, plainInput, whenKnown } from "./known";
import { joinMembership } from "./membership";
import { secretInput } from "./secrets";
import { SigningKey } from "./signingKey";
import {
  type DeclaredKeyArgs,
  type DeepInput,
  type IdentityArgs,
  MODULE,
  type ResourceProps,
  type SeedHolder,
} from "./types";

/** What a user needs of its account; an {@link Account} resource fits. */
export interface AccountRef {
  publicKey: pulumi.Input<string>;
  /** The account seed; needed only when no `signer` is given. */
  seed?: pulumi.Input<string>;
  /** The account's signing keys as its JWT lists them (an Account's `signingKeys` output). */
  signingKeys?: pulumi.Input<SigningKeyRef[] | undefined>;
  /** Whether the operator demands signing keys (then users must be signed by an account signing key). */
  operatorStrict?: pulumi.Input<boolean | undefined>;
  /** The account's revocations: a user whose key is revoked there is never signed again. */
  revocations?: pulumi.Input<Record<string, RevocationTime> | undefined>;
  /**
   * Keys the account revoked because their User left the program (an Account's `removedUsers`): a
   * user whose key is among them is never signed again.
   */
  removedUsers?: pulumi.Input<Record<string, RemovedUser> | undefined>;
}

/** The URN Pulumi gives a User, computed without waiting for any resource (undefined under a custom-resource parent, whose URN comes only after its step). */
function userUrn(name: string, parent: pulumi.Resource | undefined): pulumi.Output<string> | undefined {
  const type = `pulumi-nodejs:dynamic/${MODULE}:User`;
  if (parent === undefined) return pulumi.createUrn(name, type);
  // A custom parent's URN comes only after its step; a component's at once. Read it as a plain value:
  // depending on a component means depending on all its children (this User among them).
  if (!pulumi.ComponentResource.isInstance(parent)) return undefined;
  const parentUrn = new Promise<string>((resolve) => parent.urn.apply(resolve));
  return pulumi.createUrn(name, type, pulumi.output(parentUrn));
}

/** A user key known before the User is signed: declared, a KeyPair's, or derived from a given seed. */
function givenKey(
  args: { publicKey?: pulumi.Input<string>; seed?: pulumi.Input<string> },
  key: SeedHolder | undefined,
): pulumi.Output<string | undefined> | undefined {
  if (args.publicKey !== undefined) return pulumi.output(args.publicKey);
  const holder = key as (SeedHolder & { publicKey?: pulumi.Input<string> }) | undefined;
  if (holder?.publicKey !== undefined) return pulumi.output(holder.publicKey);
  const seed = holder?.seed ?? args.seed;
  if (seed === undefined) return undefined;
  return pulumi.unsecret(
    pulumi.output(seed).apply((s) => {
      try {
        return publicKeyOf(s);
      } catch {
        // A bad seed is reported by the User's check; no key is known from it.
        return undefined;
      }
    }),
  );
}

/**
 * The entry of `key` and the `"*"` entry (every user issued before a time), or undefined: what a User
 * needs of its account's revocations.
 */
function ownEntry<T>(all: Record<string, T> | undefined, key: string): Record<string, T> | undefined {
  const out: Record<string, T> = {};
  for (const k of [key, ALL_USERS]) if (all?.[k] !== undefined) out[k] = all[k];
  return Object.keys(out).length ? out : undefined;
}

const asOutputs = new WeakMap<object, pulumi.Output<unknown>>();

/**
 * `value` as an Output, made once per value: `pulumi.output()` of an Output (or of a map) walks the
 * whole value again (11 ms for a 10,000-entry map), and every User of an account reads its maps.
 */
function sharedOutput<T>(value: pulumi.Input<T>): pulumi.Output<T> {
  if (pulumi.Output.isInstance(value)) return value as pulumi.Output<T>;
  if (value === null || typeof value !== "object") return pulumi.output(value) as pulumi.Output<T>;
  let made = asOutputs.get(value);
  if (!made) {
    made = pulumi.output(value) as pulumi.Output<unknown>;
    asOutputs.set(value, made);
  }
  return made as pulumi.Output<T>;
}

/** What a User registers: its inputs, and of its outputs only those not derived in the class. */
type UserResourceProps = Omit<
  ResourceProps<UserInputs, UserOutputs>,
  "claimsHash" | "issuer" | "adoptionDrift" | "expired"
> & { adoptionDrift?: undefined };

/** Inputs of a {@link User}: its claims, plus who signs it. */
export type UserArgs = {
  [K in keyof UserClaims]?: DeepInput<UserClaims[K]>;
} & IdentityArgs &
  DeclaredKeyArgs & {
    /** The account the user belongs to. */
    account: AccountRef;
    /**
     * An account signing key to sign with (default: the account key). Under a scoped key the user gets
     * the scope's permissions and may set none of its own.
     */
    signer?: SeedHolder;
    /**
     * Removing this User from the program (or replacing its key) revokes its key in its Account in
     * the same `pulumi up` (default true; needs `account` to be an Account resource of this program).
     */
    revokeOnDelete?: boolean;
    /**
     * The smallest `max_control_line` of the servers this user connects to (default 4096, nats-server's
     * default). Clients send the user JWT in their CONNECT line, which must fit it: a user whose JWT
     * would not (thousands of permissions) is refused at preview. Raise it only together with the
     * servers' `max_control_line`.
     */
    maxControlLine?: pulumi.Input<number>;
  };

/**
 * A NATS user (nsc `add user` / `edit user`): permissions, response permissions, source networks,
 * connection times, limits, bearer token, connection types.
 *
 * Outputs: `publicKey`, `jwt`, `seed` and `creds` (both secrets; `creds` is the `.creds` text clients read).
 */
export class User extends IdentityResource {
  /** The `.creds` text (JWT and seed), a Pulumi secret; undefined for a user declared by `publicKey`. */
  declare public readonly creds: pulumi.Output<string>;
  /**
   * Every JWT this User signed for its key: the keys that signed them and the latest expiry (absent
   * when one never expires). Only for a key the User generated; undefined for a given key or state
   * written before it existed. Its Account reads it to prune the User's revocation once it matters
   * no more (docs/scale.md, "Hygiene").
   */
  declare public readonly issued: pulumi.Output<Issued | undefined>;

  constructor(name: string, args: UserArgs, opts?: pulumi.CustomResourceOptions) {
    const { account, signer, key, revokeOnDelete, publicKey, maxControlLine, ...claims } = args;
    const signerSeed = signer?.seed ?? account.seed;
    // A key given to the User (not generated by it) may be one the account revoked when a User
    // left: the account learns it from the program, and the User learns the account's departed keys
    // before it is signed (so the User runs after its Account, which no longer waits for it).
    const known = givenKey({ publicKey, seed: args.seed }, key);
    const urn = known && account.removedUsers !== undefined ? userUrn(name, opts?.parent) : undefined;
    const removedUsers = account.removedUsers;
    // Waits for the account only with a valid key (else the account waits for the User, below).
    const removed =
      known && urn && removedUsers !== undefined
        ? known.apply((k) =>
            k === undefined
              ? undefined
              : sharedOutput(removedUsers).apply((all) => (all?.[k] ? { [k]: all[k] } : undefined)),
          )
        : undefined;
    // Likewise only the user's own explicit revocation when its key is known here, and the `"*"`
    // entry: the account's whole map in every User's inputs made state grow as users × revocations
    // (700 KB per user at 10,000). A generated key is known only once the User exists, and the
    // engine hands check the stored inputs, which hold no key: such a User could not find its entry
    // in the map, so it is sent only `"*"` (the whole map cost users × revocations on the wire at
    // every run), and its Account refuses a revocation naming its key (`keyGenerated` below).
    // An Account's revocations given as plain data stay plain (one promise less per User).
    const revocations = plainInput(account.revocations);
    const revokedOwn =
      revocations === undefined
        ? undefined
        : known
          ? known.apply((k) => sharedOutput(revocations).apply((all) => ownEntry(all, k ?? ALL_USERS)))
          : pulumi.Output.isInstance(revocations)
            ? revocations.apply((all) => ownEntry(all, ALL_USERS))
            : ownEntry(revocations as Parameters<typeof ownEntry>[0], ALL_USERS);
    if (signerSeed === undefined) {
      throw new pulumi.RunError(
        `User "${name}": signer: pass an Account resource as account, or a signer with a seed`,
      );
    }
    super(
      "user",
      name,
      withoutUnset(
        {
          ...claims,
          name: args.name ?? name,
          seed: secretInput(key?.seed ?? args.seed),
          signerSeed: secretInput(signerSeed),
          // One input, not six: each top-level input costs the program per resource (kit/wire.ts).
          signing: {
            accountPublicKey: account.publicKey,
            accountSigningKeys: plainInput(account.signingKeys),
            accountRevocations: revokedOwn,
            // Only this user's own entry: users × removed keys in state would grow without bound.
            accountRemovedUsers: removed,
            operatorStrict: plainInput(account.operatorStrict),
            signedByIdentity: signer === undefined,
            signerScoped: signer instanceof SigningKey ? signer.scoped : undefined,
          },
          publicKey,
          maxControlLine,
          // An existing JWT to adopt (with `seed`), kept while its claims match the inputs.
          jwt: args.jwt,
          // Only an adopted JWT can differ from the arguments; otherwise derived below, not registered.
          ...(args.jwt === undefined ? {} : { adoptionDrift: undefined }),
          issued: undefined,
        } satisfies UserResourceProps,
        ["maxControlLine"],
      ),
      { ...opts, additionalSecretOutputs: ["seed", "creds", "signerSeed"] },
      MODULE,
      "User",
    );
    // The same warnings the handler's check returns (the native plugin logs those): v1 $JS.ACK subjects.
    whenKnown({ pub: args.pub, sub: args.sub }, (p) => {
      for (const w of jsAckWarningLines(p as UserTemplate))
        void pulumi.log.warn(`User "${name}": ${w}`, this);
    });
    joinMembership(account, name, {
      urn: urn ?? this.urn,
      // The given key while it is a valid one; otherwise what the User signed (it then waits for it).
      publicKey:
        urn && known
          ? (known.apply((k): pulumi.Input<string> => k ?? this.publicKey) as pulumi.Output<string>)
          : this.publicKey,
      name: args.name ?? name,
      expires: args.expires,
      // What the User signed for its key, so its revocation can leave the account JWT once it matters
      // no more. Only a generated key has it (and the Account waits for such a User anyway): a User
      // given its key runs after its Account, so reading it would make a cycle.
      ...(urn && known ? {} : { issued: this.issued }),
      revokeOnDelete: revokeOnDelete !== false,
      // Only a User given no key: the Account refuses a revocation of that key while it is here.
      ...(known ? {} : { keyGenerated: true }),
    });
    // Derived here rather than stored or registered: the JWT and the seed are in state already (a
    // stored copy of both was the largest part of a user's state), and every registered output costs
    // the program per resource. Built on first read. A user declared by its public key has no seed
    // here, so no creds (its owner joins the JWT to its own seed).
    derived(this, "creds", () =>
      pulumi.secret(
        pulumi
          .all([this.jwt, this.seed])
          .apply(([jwt, seed]) => (jwt && seed ? formatCreds(jwt, seed) : undefined)),
      ),
    );
    this.deriveFromJwt(args.jwt !== undefined);
  }
}
