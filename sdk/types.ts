/**
 * Public input types: the plain claim shapes of `provider/types.ts`, where any field (at any depth)
 * may be a `pulumi.Input`, so other resources' outputs (an account's public key in an import, say)
 * can be used directly.
 */
import type * as pulumi from "@pulumi/pulumi";

export type {
  AccountClaims,
  AccountLimits,
  ConnectionType,
  DateLike,
  Duration,
  Export,
  ExternalAuthorization,
  Import,
  JetStreamLimits,
  MappingDestination,
  OperatorClaims,
  Permission,
  Permissions,
  ResponsePermission,
  ScopedSigningKey,
  ServiceLatency,
  SigningKeyRef,
  TimeRange,
  UserClaims,
  UserLimits,
  UserTemplate,
} from "../core/claimInputs";
export type { ResolverTls } from "../io/resolverClient";
export type { SigningKeyScope } from "../provider/contracts";

/** `T` with every field, at every depth, accepting a `pulumi.Input`. */
export type DeepInput<T> = T extends string | number | boolean
  ? pulumi.Input<T>
  : T extends (infer U)[]
    ? pulumi.Input<DeepInput<U>[]>
    : T extends object
      ? pulumi.Input<{ [K in keyof T]: DeepInput<T[K]> }>
      : pulumi.Input<T>;

/** Anything holding a seed: a {@link SigningKey}, a {@link KeyPair}, an Operator or Account. */
export interface SeedHolder {
  seed: pulumi.Input<string>;
}

/** Identity options of every resource that has a JWT (Operator, Account, User). */
export interface IdentityArgs {
  /** The name in the JWT (default: the resource name). */
  name?: pulumi.Input<string>;
  /**
   * The identity key: a {@link KeyPair} of the matching kind, so other resources can use the public
   * key before this JWT exists (e.g. two accounts importing from each other). Default: generated.
   */
  key?: SeedHolder;
  /** Adopt an existing identity by its seed (a secret). A different seed replaces the resource. */
  seed?: pulumi.Input<string>;
  /** With `seed`: the existing JWT (e.g. from an nsc store), kept as is while its claims match. */
  jwt?: pulumi.Input<string>;
}

/** Accounts and users may be declared by their public key alone (nsc `add account/user -k`). */
export interface DeclaredKeyArgs {
  /**
   * The identity's public key when its seed lives elsewhere (a device, a Vault): the JWT is signed
   * here by the issuer, no seed is stored, and a User gets no `creds` (its owner joins the JWT to its
   * own seed). Instead of `key`/`seed`; a different key replaces the resource.
   */
  publicKey?: pulumi.Input<string>;
}

/** The type token module of every resource of this package. */
export const MODULE = "nats-auth";

/**
 * The props object an SDK class passes to `super()`, keyed by the resource's contract
 * (provider/contracts.ts): every required prop of `P` present, no key that `P` lacks, and each output
 * of `S` that is not a prop a slot set to `undefined`. A misspelled, missing or renamed field fails to
 * compile. Values are typed by the SDK's args, which derive from the same claim types.
 */
export type ResourceProps<P, S> = { [K in keyof P]: unknown } & {
  [K in Exclude<keyof S, keyof P>]: undefined;
};
