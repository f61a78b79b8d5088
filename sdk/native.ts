/**
 * `pulumi-nats-auth/native`: the TypeScript SDK of the native provider plugin `nats-auth`, generated
 * from schema.json into sdk/nodejs (scripts/gen-sdks.sh) like the Go and Python SDKs, so a TypeScript
 * program gets the same resource types, inputs and semantics as every other language, provider
 * configuration and `pulumi import` included. docs/typescript.md says when to use it rather than the
 * dynamic SDK (`pulumi-nats-auth`), and how a dynamic stack moves here with 0 changes.
 *
 * Beyond the generated classes, `User` derives its `creds` (below), and two helpers (no NATS logic: they only read resource outputs into the
 * shape an Account's member lists take). The dynamic SDK collects an Account's Users and
 * ActivationTokens by itself; native programs list them in the Account's `members` and
 * `activations`, and a User that is not listed is not revoked when it leaves the program.
 */
import * as pulumi from "@pulumi/pulumi";
import { toUnixSeconds } from "../core/units";
import { withDerivedOutputs } from "../provider/kit/derived";
import type { ActivationToken } from "./nodejs";
import type * as inputs from "./nodejs/types/input";
import { User as GeneratedUser, type UserArgs } from "./nodejs/user";

export * from "./nodejs";

/**
 * The generated User, with `creds` derived from its JWT and seed here, as the plugin derives that
 * output (provider/kit/derived.ts) and the dynamic SDK's User does: a User moved from the dynamic SDK
 * keeps that SDK's state, which does not store the creds, until its next update. Absent for a user
 * declared by its public key (no seed here).
 */
/** Users given no seed and no publicKey: their key is generated, and their Account is told so. */
const generatedKeys = new WeakSet<User>();

export class User extends GeneratedUser {
  constructor(name: string, args: UserArgs, opts?: pulumi.CustomResourceOptions) {
    super(name, args, opts);
    if (args.seed === undefined && args.publicKey === undefined) generatedKeys.add(this);
    const creds = pulumi.secret(
      pulumi
        .all([this.jwt, this.seed])
        .apply(([jwt, seed]) => withDerivedOutputs("user", { jwt, seed }).creds as string | undefined),
    );
    Object.defineProperty(this, "creds", { value: creds, enumerable: true });
  }
}

/** How a member's removal is handled. */
export interface MemberOptions {
  /** false: removing it from the program does not revoke it (default true). */
  revokeOnDelete?: boolean;
}

/**
 * A date output as the member lists hold it: unix seconds, or absent (an absent value is dropped from
 * the list entry; the generated input type says `number` only).
 */
function unixSeconds(expires: pulumi.Output<string | number | undefined>): pulumi.Output<number> {
  return expires.apply((e) =>
    e === undefined || e === null ? undefined : toUnixSeconds(e),
  ) as pulumi.Output<number>;
}

/**
 * An entry of an Account's `members` for `user`: removing the User from the program (or replacing
 * its key) then revokes its key in the Account in the same `pulumi up`. The same entry the dynamic
 * SDK records for its Users, so a stack moved from it keeps its member list.
 *
 * The User must not read its account key from that Account (the Account waits for its members): give
 * the Account its key from a KeyPair and pass the KeyPair's `publicKey` and `seed`.
 */
export function member(user: User, options: MemberOptions = {}): pulumi.Input<inputs.MemberArgs> {
  return {
    urn: user.urn,
    publicKey: user.publicKey,
    name: user.name,
    expires: unixSeconds(user.expires),
    // Every JWT the User signed for its key (absent for a given key): lets the Account prune the
    // User's revocation once it matters no more.
    issued: user.issued as pulumi.Output<inputs.IssuedArgs>,
    revokeOnDelete: options.revokeOnDelete !== false,
    // A generated key cannot be checked against the account's revocations by its User: the Account
    // refuses a revocation of it instead (docs/scale.md).
    ...(generatedKeys.has(user) ? { keyGenerated: true } : {}),
  };
}

/**
 * An entry of the exporting Account's `activations` for `token`: removing the ActivationToken from
 * the program revokes it in the export in the same `pulumi up`.
 */
export function activation(
  token: ActivationToken,
  options: MemberOptions = {},
): pulumi.Input<inputs.ActivationMemberArgs> {
  return {
    urn: token.urn,
    importer: token.importer,
    subject: token.subject,
    type: token.type,
    issuedAt: token.issuedAt,
    name: token.name,
    expires: unixSeconds(token.expires),
    revokeOnDelete: options.revokeOnDelete !== false,
  };
}
