import * as pulumi from "@pulumi/pulumi";
import type { SystemAccountExports } from "../core/systemAccount";
import { CONFIG_NAMESPACE, ownsProviderNamespace } from "../provider/kit/configNamespace";
import {
  planOperatorWithSystemAccount,
  type SystemAccountRole,
  systemAccountResolver,
} from "../provider/operatorWithSystemAccount";
import { Account, type ResolverArgs } from "./account";
import { KeyPair } from "./keyPair";
import { Operator, type OperatorArgs } from "./operator";
import { SigningKey } from "./signingKey";
import { User } from "./user";

/** An existing identity to keep: its seed (a secret) and, for those that have one, its JWT. */
export interface AdoptedIdentity {
  seed: pulumi.Input<string>;
  /** Kept byte for byte while its claims match what the component declares. */
  jwt?: pulumi.Input<string>;
}

/**
 * Identities of an existing deployment (e.g. made by `nsc add operator --sys`) to adopt instead of
 * generating new ones. Seeds are wrapped in `pulumi.secret` here, whatever the caller passed.
 */
export interface OperatorWithSystemAccountAdoption {
  operator: AdoptedIdentity;
  /** The operator signing key that signed the system account. */
  signingKey?: { seed: pulumi.Input<string> };
  systemAccount: AdoptedIdentity;
  /** The system account's signing key that signed the system user. */
  systemAccountSigningKey?: { seed: pulumi.Input<string> };
  systemUser: AdoptedIdentity;
}

/** Inputs of an {@link OperatorWithSystemAccount}. */
export type OperatorWithSystemAccountArgs = Omit<OperatorArgs, "systemAccount"> & {
  /** Generate an operator signing key and sign the system account with it (nsc `--generate-signing-key`). */
  generateSigningKey?: boolean;
  /** Name of the system account (default "SYS") and of its user (default "sys"). */
  systemAccountName?: pulumi.Input<string>;
  systemUserName?: pulumi.Input<string>;
  /**
   * The system account's exports: "nsc" (default) gives it the two monitoring exports
   * `nsc add operator --sys` writes; "none" is what 0.1.0 wrote (set it to keep a 0.1.0 stack's
   * system account JWT unchanged).
   */
  systemAccountExports?: SystemAccountExports;
  /** Keep an existing operator, system account and system user (and their signing keys). */
  adopt?: OperatorWithSystemAccountAdoption;
  /**
   * Push the system account to a resolver too (it is usually preloaded in the server config instead).
   * `onDelete` defaults to "retain" here: servers refuse to delete the system account.
   */
  resolver?: ResolverArgs;
  /**
   * Also make a least-privilege system user for resolver pushes (`true`, or its name; default
   * "resolver"): it may publish only `$SYS.REQ.SERVER.PING`, `$SYS.REQ.SERVER.PING.VARZ`,
   * `$SYS.REQ.CLAIMS.UPDATE`, `$SYS.REQ.CLAIMS.DELETE` and `$SYS.REQ.ACCOUNT.*.CLAIMS.LOOKUP`, and
   * subscribe only to `_INBOX.>`: enough to push, refresh and delete accounts, nothing else of SYS.
   * Give its `creds` to an Account's `resolver` (or to other stacks) instead of `systemUser`'s.
   */
  resolverUser?: boolean | string;
};

/** A seed as a secret, so a plain string passed in never reaches state or a diff in clear text. */
function secret(seed: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.secret(seed);
}

/**
 * An operator with its system account and a system user in one call, like
 * `nsc add operator --generate-signing-key --sys`. The system account's key is its own
 * {@link KeyPair}, so the operator JWT can name it without a dependency cycle. With `adopt`, the
 * keys and JWTs of an existing deployment are kept: nothing is replaced.
 */
export class OperatorWithSystemAccount extends pulumi.ComponentResource {
  readonly operator: Operator;
  /** The operator signing key (generated with `generateSigningKey`, or adopted). */
  readonly signingKey?: SigningKey;
  readonly systemAccountKey: KeyPair;
  /** The system account's signing key (with `generateSigningKey`, or adopted): it signs the system user. */
  readonly systemAccountSigningKey?: SigningKey;
  readonly systemAccount: Account;
  readonly systemUser: User;
  /** The least-privilege resolver-push user, with `resolverUser`. */
  readonly resolverUser?: User;

  constructor(
    name: string,
    args: OperatorWithSystemAccountArgs = {},
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("nats-auth:index:OperatorWithSystemAccount", name, {}, opts);
    const child = { parent: this };
    const {
      generateSigningKey,
      systemAccountName,
      systemUserName,
      systemAccountExports: exportsChoice,
      adopt,
      resolver,
      resolverUser,
      ...operatorArgs
    } = args;
    // Which children exist, their names and wiring: the description the native component reads too.
    const plan = planOperatorWithSystemAccount(name, {
      generateSigningKey,
      adopt,
      systemAccountName,
      systemUserName,
      systemAccountExports: exportsChoice,
      resolverUser,
    });
    const has = (role: SystemAccountRole) => plan.children.includes(role);
    const adoptedSeed = (seed: pulumi.Input<string> | undefined) =>
      seed === undefined ? undefined : secret(seed);
    this.signingKey = has("signingKey")
      ? new SigningKey(
          plan.names.signingKey,
          { owner: "operator", seed: adoptedSeed(adopt?.signingKey?.seed) },
          child,
        )
      : undefined;
    this.systemAccountKey = new KeyPair(
      plan.names.systemAccountKey,
      { kind: "account", seed: adoptedSeed(adopt?.systemAccount.seed) },
      child,
    );
    this.systemAccountSigningKey = has("systemAccountSigningKey")
      ? new SigningKey(
          plan.names.systemAccountSigningKey,
          { owner: "account", seed: adoptedSeed(adopt?.systemAccountSigningKey?.seed) },
          child,
        )
      : undefined;
    this.operator = new Operator(
      plan.names.operator,
      {
        ...operatorArgs,
        name: operatorArgs.name ?? name,
        signingKeys: [...(this.signingKey ? [this.signingKey] : []), ...(operatorArgs.signingKeys ?? [])],
        systemAccount: this.systemAccountKey.publicKey,
        seed: adopt ? secret(adopt.operator.seed) : operatorArgs.seed,
        jwt: adopt ? adopt.operator.jwt : operatorArgs.jwt,
      },
      child,
    );
    this.systemAccount = new Account(
      plan.names.systemAccount,
      {
        name: plan.systemAccountName,
        operator: this.operator,
        signer: plan.systemAccountSigner === "signingKey" ? this.signingKey : undefined,
        key: this.systemAccountKey,
        jwt: adopt?.systemAccount.jwt,
        signingKeys: this.systemAccountSigningKey ? [this.systemAccountSigningKey] : undefined,
        exports: plan.systemAccountExports,
        // Under a provider configuration with servers, no resolver of its own would push SYS (it is
        // preloaded in the server config, and has no creds to push with): as on the native plugin.
        resolver:
          resolver === undefined && providerConfigServers()
            ? { servers: [] }
            : systemAccountResolver(resolver),
      },
      child,
    );
    const userSigner =
      plan.userSigner === "systemAccountSigningKey" ? this.systemAccountSigningKey : undefined;
    this.systemUser = new User(
      plan.names.systemUser,
      {
        name: plan.systemUserName,
        account: this.systemAccount,
        signer: userSigner,
        seed: adoptedSeed(adopt?.systemUser.seed),
        jwt: adopt?.systemUser.jwt,
      },
      child,
    );
    if (has("resolverUser")) {
      this.resolverUser = new User(
        plan.names.resolverUser,
        {
          name: plan.resolverUserName,
          account: this.systemAccount,
          signer: userSigner,
          pub: plan.resolverUserPermissions.pub,
          sub: plan.resolverUserPermissions.sub,
        },
        child,
      );
    }
    this.registerOutputs({
      operatorJwt: this.operator.jwt,
      systemAccountPublicKey: this.systemAccount.publicKey,
    });
  }
}

/**
 * Whether the stack config gives the provider configuration's `nats-auth:servers`, as the dynamic
 * provider reads it (kit/providerConfig.ts: not in a project named `nats-auth`, whose own keys those are).
 */
function providerConfigServers(): boolean {
  if (ownsProviderNamespace(pulumi.getProject())) return false;
  return new pulumi.Config(CONFIG_NAMESPACE).get("servers") !== undefined || !!process.env.NATS_AUTH_SERVERS;
}
