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
} from "../provider/types";

/** `T` with every field, at every depth, accepting a `pulumi.Input`. */
export type DeepInput<T> = T extends string | number | boolean
  ? pulumi.Input<T>
  : T extends (infer U)[]
    ? pulumi.Input<DeepInput<U>[]>
    : T extends object
      ? pulumi.Input<{ [K in keyof T]: DeepInput<T[K]> }>
      : pulumi.Input<T>;

/** The type token module of every resource of this package. */
export const MODULE = "nats-auth";
