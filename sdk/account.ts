import * as pulumi from "@pulumi/pulumi";
import type { RevokedActivation } from "../core/activation";
import type { AccountClaims, Export, SigningKeyRef } from "../core/claimInputs";
import { jsAckWarningLines } from "../core/jsAck";
import { accountJwtNearLimit } from "../core/limits";
import type { RemovedUser, RevocationTime } from "../core/revocation";
import type { ResolverTls } from "../io/resolverClient";
import type { ACCOUNT_SIGNING_FIELDS, AccountInputs, AccountOutputs } from "../provider/contracts";

import { withoutUnset } from "./dynamic";
import { IdentityResource } from "./identity";
import { exposeKnown, identityKey, whenKnown } from "./known";
import { openMembership } from "./membership";
import type { Operator } from "./operator";
import { type PeerEntry, peersOf, registerPeer } from "./peers";
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

/** What an account needs of its operator; an {@link Operator} resource (or a StackReference's outputs) fits. */
export interface OperatorRef {
  publicKey: pulumi.Input<string>;
  signingKeys?: pulumi.Input<string[] | undefined>;
  strictSigningKeyUsage?: pulumi.Input<boolean | undefined>;
  /** The operator identity seed; needed only when no `signer` is given. */
  seed?: pulumi.Input<string>;
}

/**
 * How accounts reach the NATS account resolver (the servers' `resolver { type: full }`). Each field
 * given overrides the `nats-auth:*` stack config's (docs/installation-configuration.md); each field
 * left out is taken from it.
 */
export interface ResolverArgs {
  /**
   * Server URLs, e.g. ["nats://127.0.0.1:4222"]. An empty list signs without pushing, for the first
   * `up` that renders the configs the servers start from. Default: `nats-auth:servers`.
   */
  servers?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * `.creds` of a system-account user (e.g. `OperatorWithSystemAccount.systemUser.creds`), a secret.
   * Default: `nats-auth:creds`.
   */
  creds?: pulumi.Input<string>;
  /**
   * Fail unless this many full resolvers stored the JWT. Default: every server that answers a ping
   * (every cluster the gateways link) plus every server the last push reached; a server down at the
   * first push is not seen without a count.
   */
  expectedServers?: pulumi.Input<number>;
  /**
   * Per cluster, how many servers must store the JWT, e.g. `{ east: 3, west: 2 }` (see docs/supercluster.md).
   * With this or `expectedServers` set, the counts govern instead of the servers the last push reached.
   */
  expectedServersByCluster?: pulumi.Input<Record<string, pulumi.Input<number>>>;
  /**
   * On destroy, "delete" (default) removes the JWT from the resolver (servers need
   * `allow_delete: true`); "retain" leaves it there and only drops it from state.
   */
  onDelete?: pulumi.Input<"delete" | "retain">;
  /** Upper bound for one request, in ms (default 5000); replies end it as soon as all servers answered. */
  timeoutMs?: pulumi.Input<number>;
  /**
   * How long a push waits for every listed server to answer, in ms (default 0: one attempt). For a
   * program that also starts the servers (a container or VM resource the Account `dependsOn`): the
   * push retries until they answer, and gives up after this long naming each server and its last
   * error. Refresh and delete do not wait.
   */
  waitMs?: pulumi.Input<number>;
  /**
   * TLS of the connection (nsc push `--ca-cert`, `--client-cert`, `--client-key`, `--tls-first`):
   * files read where `pulumi up` runs, or the PEM text itself (made a secret, like the creds).
   */
  tls?: DeepInput<ResolverTls>;
}

/**
 * The resolver as the provider gets it: the creds a secret on their own rather than the whole object,
 * so the URLs and counts can be checked at preview while the creds of a system user made in the same
 * run are still unknown (a secret object with one unknown field is unknown as a whole). A URL that
 * carries a user or password makes the server list secret too.
 */
function resolverInput(r: ResolverArgs | undefined) {
  if (r === undefined) return undefined;
  const servers =
    r.servers === undefined
      ? undefined
      : pulumi
          .output(r.servers)
          .apply((urls) =>
            urls.some((u) => /\/\/[^/]*@/.test(u)) ? pulumi.secret(urls) : pulumi.output(urls),
          );
  const tls = r.tls === undefined ? undefined : pulumi.secret(r.tls);
  const creds = r.creds === undefined ? undefined : pulumi.secret(r.creds);
  return { ...r, servers, creds, tls };
}

/** Inputs of an {@link Account}: its claims, plus who signs it and where it is pushed. */
export type AccountArgs = {
  [K in Exclude<keyof AccountClaims, "signingKeys">]?: DeepInput<AccountClaims[K]>;
} & IdentityArgs &
  DeclaredKeyArgs & {
    /** The operator that issues the account. */
    operator: OperatorRef;
    /** An operator signing key to sign with (required when the operator uses strict signing keys). */
    signer?: SeedHolder;
    /** Account signing keys users may be signed with: `SigningKey` resources (owner "account"), or refs. */
    signingKeys?: (SigningKey | DeepInput<SigningKeyRef>)[];
    /** Push the JWT to this resolver on create/update, look it up on refresh, delete it on destroy. */
    resolver?: ResolverArgs;
  };

/** What an Account registers: its inputs, and of its outputs only those not derived in the class. */
type AccountResourceProps = Omit<
  ResourceProps<AccountInputs, AccountOutputs>,
  "claimsHash" | "issuer" | "adoptionDrift" | "revocationTimes" | (typeof ACCOUNT_SIGNING_FIELDS)[number]
> & { adoptionDrift?: undefined };

/**
 * A NATS account (nsc `add account` / `edit account`): limits, JetStream, exports and imports,
 * mappings, signing keys, revocations. Every limit is written explicitly (-1 = unlimited).
 *
 * Outputs: `publicKey`, `jwt`, `seed` (secret), `pushedTo` (servers that took the JWT), and inputs.
 */
export class Account extends IdentityResource {
  /** The signing keys as listed in the JWT. */
  declare public readonly signingKeys: pulumi.Output<SigningKeyRef[] | undefined>;
  /** Whether the operator demands signing keys (users must then be signed by an account signing key). */
  declare public readonly operatorStrict: pulumi.Output<boolean | undefined>;
  /** How many resolver servers hold the current JWT (0 without a resolver). */
  declare public readonly pushedTo: pulumi.Output<number>;
  /** The full resolvers that stored the JWT at the last push: id, name and cluster of each. */
  declare public readonly pushedServers: pulumi.Output<
    { id: string; name: string; cluster?: string }[] | undefined
  >;
  /** Claims hash of what the resolver holds ("" when it holds nothing): differs from claimsHash on drift. */
  declare public readonly pushedHash: pulumi.Output<string>;
  /** The `revocations` input as given ("now" entries included); users check their key against it. */
  declare public readonly revocations: pulumi.Output<Record<string, RevocationTime> | undefined>;
  /**
   * Set by `pulumi refresh` while the servers hold other claims than this account's JWT: claim path
   * (`limits.conn`, `revocations.U…`, `signing_keys`, `issuer`, …) to the servers' and the program's
   * values; `unverified` lists servers refresh could not ask (their copy is not counted as held).
   * The next `pulumi up` pushes the program's JWT and clears it.
   */
  declare public readonly drift: pulumi.Output<Record<string, string> | undefined>;
  /** Keys revoked because their User left the program, with the time of removal. */
  declare public readonly removedUsers: pulumi.Output<Record<string, RemovedUser> | undefined>;
  /** The exports as given (ActivationTokens check their subject against them). */
  declare public readonly exports: pulumi.Output<Export[] | undefined>;
  /** Importers revoked from private exports because their ActivationToken left the program. */
  declare public readonly revokedActivations: pulumi.Output<Record<string, RevokedActivation> | undefined>;

  constructor(name: string, args: AccountArgs, opts?: pulumi.CustomResourceOptions) {
    const { operator, signer, key, signingKeys, resolver, publicKey, ...claims } = args;
    const signerSeed = signer?.seed ?? operator.seed;
    if (signerSeed === undefined) {
      // A RunError is printed as its message alone: a mistake in the program, not a crash to debug.
      throw new pulumi.RunError(
        `Account "${name}": signer: pass an Operator resource as operator, or a signer with a seed`,
      );
    }
    // An Operator resource hands out its strict mode as given, known from the first preview on.
    const strict = operator.strictSigningKeyUsage;
    const identity = identityKey(name, "account", key, args.seed, opts, publicKey);
    const refs = signingKeys?.map((k) => (k instanceof SigningKey ? k.ref : k));
    const membership = openMembership(name);
    // Imports from Accounts of this program are checked against their exports (sdk/peers.ts).
    const peer: PeerEntry = {
      name: args.name ?? name,
      publicKey: identity.publicKey,
      exports: args.exports,
      imports: args.imports,
    };
    super(
      "account",
      name,
      withoutUnset(
        {
          ...claims,
          name: args.name ?? name,
          seed: secretInput(identity.seed),
          signerSeed: secretInput(signerSeed),
          // One input, not four: each top-level input costs the program per resource (kit/wire.ts).
          signing: {
            operatorPublicKey: operator.publicKey,
            operatorSigningKeys: operator.signingKeys,
            operatorStrict: strict,
            signedByIdentity: signer === undefined,
          },
          signingKeys: refs,
          resolver: resolverInput(resolver),
          publicKey,
          // An existing JWT to adopt (with `seed`), kept while its claims match the inputs.
          jwt: args.jwt,
          // Only an adopted JWT can differ from the arguments; otherwise derived below, not registered.
          ...(args.jwt === undefined ? {} : { adoptionDrift: undefined }),
          members: membership.list,
          activations: membership.activations,
          // Only an account that imports needs its exporters' exports (each input costs per resource).
          ...(args.imports === undefined ? {} : { peers: peersOf(peer, args.imports) }),
          pushedTo: undefined,
          pushedServers: undefined,
          pushedHash: undefined,
          onServers: undefined,
          removedUsers: undefined,
          revokedActivations: undefined,
          drift: undefined,
        } satisfies AccountResourceProps,
        // Set below (publicKey) or read by no one (onServers: the handler's own state).
        ["resolver", "publicKey", "onServers"],
      ),
      { ...opts, additionalSecretOutputs: ["seed", "signerSeed", "resolver"] },
      MODULE,
      "Account",
    );
    membership.bind(this);
    // What users of this account read stays known while the account itself changes (see known.ts).
    // Not ordered after the account: the account depends on its users (membership.ts).
    exposeKnown(this, "publicKey", identity.publicKey);
    registerPeer(peer, [identity.publicKey, this.publicKey, publicKey]);
    // Declared by public key: no seed here, so a User or ActivationToken must name a signer (a
    // SigningKey of the account); without one it fails at construction, saying so.
    if (identity.seed === undefined)
      Object.defineProperty(this, "seed", { value: undefined, enumerable: true });
    else exposeKnown(this, "seed", pulumi.secret(identity.seed));
    exposeKnown(this, "signingKeys", refs);
    exposeKnown(this, "operatorStrict", strict);
    exposeKnown(this, "revocations", args.revocations);
    exposeKnown(this, "exports", args.exports);
    this.deriveFromJwt(args.jwt !== undefined);
    // Warned while there is room to act (at preview for an account that is not changing, at `up` for
    // one that is): revocations accumulate and past the servers' limit no push succeeds.
    this.jwt.apply((jwt) => {
      const warning = typeof jwt === "string" ? accountJwtNearLimit(name, Buffer.byteLength(jwt)) : undefined;
      if (warning) void pulumi.log.warn(warning, this);
    });
    // The same warnings the handler's check returns (the native plugin logs those; a dynamic
    // provider cannot): subjects in the v1 $JS.ACK form.
    whenKnown(
      {
        exports: args.exports,
        imports: args.imports,
        defaultPermissions: args.defaultPermissions,
        signingKeys: refs,
      },
      (c) => {
        for (const w of jsAckWarningLines(c as AccountClaims))
          void pulumi.log.warn(`Account "${name}": ${w}`, this);
      },
    );
  }
}
