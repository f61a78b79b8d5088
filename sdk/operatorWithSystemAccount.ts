import * as pulumi from "@pulumi/pulumi";
import {
  RESOLVER_USER_PERMISSIONS,
  type SystemAccountExports,
  systemAccountExports,
} from "../core/systemAccount";
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
    const generated: { seed?: pulumi.Input<string> } | undefined = generateSigningKey ? {} : undefined;
    const operatorSk = adopt?.signingKey ?? generated;
    this.signingKey = operatorSk
      ? new SigningKey(
          `${name}-sk`,
          { owner: "operator", seed: operatorSk.seed === undefined ? undefined : secret(operatorSk.seed) },
          child,
        )
      : undefined;
    this.systemAccountKey = new KeyPair(
      `${name}-sys-key`,
      { kind: "account", seed: adopt ? secret(adopt.systemAccount.seed) : undefined },
      child,
    );
    const sysSk = adopt?.systemAccountSigningKey ?? generated;
    this.systemAccountSigningKey = sysSk
      ? new SigningKey(
          `${name}-sys-sk`,
          { owner: "account", seed: sysSk.seed === undefined ? undefined : secret(sysSk.seed) },
          child,
        )
      : undefined;
    this.operator = new Operator(
      name,
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
      `${name}-sys`,
      {
        name: systemAccountName ?? "SYS",
        operator: this.operator,
        signer: this.signingKey,
        key: this.systemAccountKey,
        jwt: adopt?.systemAccount.jwt,
        signingKeys: this.systemAccountSigningKey ? [this.systemAccountSigningKey] : undefined,
        exports: systemAccountExports(exportsChoice),
        // Servers refuse to delete the system account ("not allowed to delete system account"): by
        // default destroy leaves it on them rather than fail there.
        resolver: resolver && { ...resolver, onDelete: resolver.onDelete ?? "retain" },
      },
      child,
    );
    this.systemUser = new User(
      `${name}-sys-user`,
      {
        name: systemUserName ?? "sys",
        account: this.systemAccount,
        signer: this.systemAccountSigningKey,
        seed: adopt ? secret(adopt.systemUser.seed) : undefined,
        jwt: adopt?.systemUser.jwt,
      },
      child,
    );
    if (resolverUser) {
      const userName = typeof resolverUser === "string" ? resolverUser : "resolver";
      this.resolverUser = new User(
        `${name}-resolver-user`,
        {
          name: userName,
          account: this.systemAccount,
          signer: this.systemAccountSigningKey,
          pub: { allow: [...RESOLVER_USER_PERMISSIONS.pub] },
          sub: { allow: [...RESOLVER_USER_PERMISSIONS.sub] },
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
