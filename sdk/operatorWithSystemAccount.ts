import * as pulumi from "@pulumi/pulumi";
import { Account, type ResolverArgs } from "./account";
import { KeyPair } from "./keyPair";
import { Operator, type OperatorArgs } from "./operator";
import { SigningKey } from "./signingKey";
import { User } from "./user";

/** Inputs of an {@link OperatorWithSystemAccount}. */
export type OperatorWithSystemAccountArgs = Omit<OperatorArgs, "systemAccount"> & {
  /** Generate an operator signing key and sign the system account with it (nsc `--generate-signing-key`). */
  generateSigningKey?: boolean;
  /** Name of the system account (default "SYS") and of its user (default "sys"). */
  systemAccountName?: pulumi.Input<string>;
  systemUserName?: pulumi.Input<string>;
  /** Push the system account to a resolver too (it is usually preloaded in the server config instead). */
  resolver?: ResolverArgs;
};

/**
 * An operator with its system account and a system user in one call, like
 * `nsc add operator --generate-signing-key --sys`. The system account's key is its own
 * {@link KeyPair}, so the operator JWT can name it without a dependency cycle.
 */
export class OperatorWithSystemAccount extends pulumi.ComponentResource {
  readonly operator: Operator;
  /** The generated operator signing key, when `generateSigningKey` is set. */
  readonly signingKey?: SigningKey;
  readonly systemAccountKey: KeyPair;
  /** The system account's signing key (with `generateSigningKey`): it signs the system user. */
  readonly systemAccountSigningKey?: SigningKey;
  readonly systemAccount: Account;
  readonly systemUser: User;

  constructor(
    name: string,
    args: OperatorWithSystemAccountArgs = {},
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("nats-auth:index:OperatorWithSystemAccount", name, {}, opts);
    const child = { parent: this };
    const { generateSigningKey, systemAccountName, systemUserName, resolver, ...operatorArgs } = args;
    this.signingKey = generateSigningKey
      ? new SigningKey(`${name}-sk`, { owner: "operator" }, child)
      : undefined;
    this.systemAccountKey = new KeyPair(`${name}-sys-key`, { kind: "account" }, child);
    this.systemAccountSigningKey = generateSigningKey
      ? new SigningKey(`${name}-sys-sk`, { owner: "account" }, child)
      : undefined;
    this.operator = new Operator(
      name,
      {
        ...operatorArgs,
        name: operatorArgs.name ?? name,
        signingKeys: [...(this.signingKey ? [this.signingKey] : []), ...(operatorArgs.signingKeys ?? [])],
        systemAccount: this.systemAccountKey.publicKey,
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
        signingKeys: this.systemAccountSigningKey ? [this.systemAccountSigningKey] : undefined,
        resolver,
      },
      child,
    );
    this.systemUser = new User(
      `${name}-sys-user`,
      { name: systemUserName ?? "sys", account: this.systemAccount, signer: this.systemAccountSigningKey },
      child,
    );
    this.registerOutputs({
      operatorJwt: this.operator.jwt,
      systemAccountPublicKey: this.systemAccount.publicKey,
    });
  }
}
