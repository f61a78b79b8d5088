/**
 * The OperatorWithSystemAccount component of the native plugin (`construct`): the graph
 * provider/operatorWithSystemAccount.ts describes (the TypeScript SDK's class reads the same
 * description), registered here as children of the component, so every language gets one composition. Their own provider (this plugin) signs
 * them; nothing here signs or checks.
 */
// Not the package's index: it loads @pulumi/pulumi's TypeScript analyzer, whose vendored compiler the
// bundle does not carry.
import { all, type Input, type Inputs, type Output, output, secret } from "@pulumi/pulumi/output";
import type * as provider from "@pulumi/pulumi/provider";
import {
  ComponentResource,
  type ComponentResourceOptions,
  CustomResource,
  type Resource,
} from "@pulumi/pulumi/resource";
import { formatCreds } from "../core/creds";
import { ConfigError } from "../core/errors";
import type {
  AccountResolver,
  OperatorWithSystemAccountAdoption,
  OperatorWithSystemAccountOutputs,
  OperatorWithSystemAccountProps,
} from "../provider/contracts";
import {
  nativeSystemAccountResolver,
  planOperatorWithSystemAccount,
  type SystemAccountRole,
} from "../provider/operatorWithSystemAccount";
import { tokenOf } from "./resources";

type Args = { [K in keyof OperatorWithSystemAccountProps]?: Input<OperatorWithSystemAccountProps[K]> };
type Outputs = {
  [K in keyof OperatorWithSystemAccountOutputs]: Output<OperatorWithSystemAccountOutputs[K]>;
};

/** The type token the TypeScript dynamic SDK registers a resource kind under (sdk/dynamic.ts). */
export function dynamicType(type: string): string {
  return `pulumi-nodejs:dynamic/nats-auth:${type}`;
}

/** A resource of this plugin, registered by token (the generic class is abstract). */
class Child extends CustomResource {}

/** A child resource of the plugin's own type `type`, with the outputs `outs` read back. */
function child(
  type: string,
  name: string,
  inputs: Inputs,
  outs: string[],
  parent: Resource,
): Record<string, Output<unknown>> {
  const slots = Object.fromEntries(outs.map((o) => [o, undefined]));
  // The TypeScript dynamic SDK's component registers the same children under their dynamic type: a
  // stack moved to the native types (docs/typescript.md) keeps them, and the engine matches none
  // of a stack that never had them.
  const r = new Child(
    tokenOf(type),
    name,
    { ...slots, ...inputs },
    { parent, aliases: [{ type: dynamicType(type) }] },
  );
  return r as unknown as Record<string, Output<unknown>>;
}

class OperatorWithSystemAccount extends ComponentResource {
  readonly outputs: Outputs;
  constructor(
    name: string,
    args: Args,
    opts: ComponentResourceOptions,
    adopt?: OperatorWithSystemAccountAdoption,
  ) {
    super(tokenOf("OperatorWithSystemAccount"), name, {}, opts);
    // Which children exist must be known while the program runs: a secret or computed flag is read as given.
    const plan = planOperatorWithSystemAccount(name, {
      generateSigningKey: (args.generateSigningKey as unknown) === true,
      adopt,
      resolverUser: (args.resolverUser as unknown) === true,
      resolverUserName: args.resolverUserName,
      systemAccountName: args.systemAccountName,
      systemUserName: args.systemUserName,
    });
    const has = (role: SystemAccountRole) => plan.children.includes(role);
    const opSk = has("signingKey")
      ? child(
          "SigningKey",
          plan.names.signingKey,
          { owner: "operator", seed: seedOf(adopt?.signingKey) },
          ["publicKey", "seed"],
          this,
        )
      : undefined;
    const sysKey = child(
      "KeyPair",
      plan.names.systemAccountKey,
      { kind: "account", seed: seedOf(adopt?.systemAccount) },
      ["publicKey", "seed"],
      this,
    );
    const sysSk = has("systemAccountSigningKey")
      ? child(
          "SigningKey",
          plan.names.systemAccountSigningKey,
          { owner: "account", seed: seedOf(adopt?.systemAccountSigningKey) },
          ["publicKey", "seed", "ref"],
          this,
        )
      : undefined;
    // The operator's identity in a KeyPair of its own, as the TypeScript SDK's Operator keeps it
    // (`<operator>-key`): the same children, so a TypeScript stack moves here with 0 changes.
    const opKey = adopt
      ? undefined
      : child("KeyPair", `${plan.names.operator}-key`, { kind: "operator" }, ["publicKey", "seed"], this);
    const operator = child(
      "Operator",
      plan.names.operator,
      {
        name: args.name ?? name,
        signingKeys: opSk ? [opSk.publicKey] : undefined,
        strictSigningKeyUsage: args.strictSigningKeyUsage,
        systemAccount: sysKey.publicKey,
        seed: seedOf(adopt?.operator) ?? opKey?.seed,
        jwt: adopt?.operator.jwt,
      },
      ["publicKey", "jwt", "seed"],
      this,
    );
    // The system users, signed as the plan says (the account's signing key when there is one).
    const systemUser = (userName: unknown, role: SystemAccountRole, claims: Inputs) =>
      child(
        "User",
        plan.names[role],
        {
          name: userName,
          accountPublicKey: sysKey.publicKey,
          accountSigningKeys: sysSk ? [sysSk.ref] : undefined,
          operatorStrict: args.strictSigningKeyUsage,
          signerSeed: plan.userSigner === "systemAccountSigningKey" && sysSk ? sysSk.seed : sysKey.seed,
          ...claims,
        },
        ["publicKey", "jwt", "seed", "issued"],
        this,
      );
    const user = systemUser(plan.systemUserName, "systemUser", {
      seed: seedOf(adopt?.systemUser),
      jwt: adopt?.systemUser.jwt,
    });
    const resolverUser = has("resolverUser")
      ? systemUser(plan.resolverUserName, "resolverUser", {
          pub: plan.resolverUserPermissions.pub,
          sub: plan.resolverUserPermissions.sub,
        })
      : undefined;
    // The system users are members of the system account, as in the TypeScript SDK: removing one (a
    // resolverUser turned off) revokes its key in the same `up`.
    const members = [
      { user, name: plan.systemUserName },
      ...(resolverUser ? [{ user: resolverUser, name: plan.resolverUserName }] : []),
    ].map(({ user: u, name: memberName }) => ({
      urn: (u as unknown as Resource).urn,
      publicKey: u.publicKey,
      name: memberName,
      // The User's record of its JWTs (absent for an adopted one), as the TypeScript SDK sends it.
      issued: u.issued,
      revokeOnDelete: true,
    }));
    const sys = child(
      "Account",
      plan.names.systemAccount,
      {
        name: plan.systemAccountName,
        seed: sysKey.seed,
        operatorPublicKey: operator.publicKey,
        operatorSigningKeys: opSk ? [opSk.publicKey] : undefined,
        operatorStrict: args.strictSigningKeyUsage,
        signerSeed: plan.systemAccountSigner === "signingKey" && opSk ? opSk.seed : operator.seed,
        signingKeys: sysSk ? [sysSk.ref] : undefined,
        jwt: adopt?.systemAccount.jwt,
        members,
        // Read when the value arrives: "nsc" or "none" may come from config.
        exports: output(args.systemAccountExports).apply(
          (e) => planOperatorWithSystemAccount(name, { systemAccountExports: e }).systemAccountExports,
        ),
        resolver: output(args.resolver).apply((r) =>
          nativeSystemAccountResolver(r as AccountResolver | undefined),
        ),
      },
      ["publicKey", "jwt"],
      this,
    );
    this.outputs = {
      operatorPublicKey: operator.publicKey as Output<string>,
      operatorJwt: operator.jwt as Output<string>,
      operatorSeed: secret(operator.seed) as Output<string>,
      signingKeyPublicKey: (opSk?.publicKey ?? output(undefined)) as Output<string | undefined>,
      signingKeySeed: (opSk ? secret(opSk.seed) : output(undefined)) as Output<string | undefined>,
      systemAccountPublicKey: sysKey.publicKey as Output<string>,
      systemAccountJwt: sys.jwt as Output<string>,
      systemUserCreds: credsOf(user),
      resolverUserPublicKey: (resolverUser?.publicKey ?? output(undefined)) as Output<string | undefined>,
      resolverUserCreds: resolverUser ? credsOf(resolverUser) : (output(undefined) as Output<undefined>),
    };
    this.registerOutputs(this.outputs);
  }
}

/**
 * A system user's `.creds`, derived from its JWT and seed as the plugin derives a User's `creds`
 * output (kit/derived.ts): a User moved unchanged from the TypeScript dynamic SDK keeps that SDK's
 * state, which does not store them.
 */
function credsOf(user: Record<string, Output<unknown>>): Output<string> {
  return secret(
    all([user.jwt, user.seed]).apply(([jwt, seed]) => formatCreds(jwt as string, seed as string)),
  );
}

/** An adopted seed, as a secret whatever the program passed. */
function seedOf(identity: { seed: string } | undefined): Output<string> | undefined {
  return identity ? secret(identity.seed) : undefined;
}

/**
 * The adoption's values, awaited before any child is declared: which signing keys it brings decides
 * which children exist, so it must be known (config, not another resource's output), at preview too.
 */
async function knownAdoption(
  name: string,
  value: unknown,
): Promise<OperatorWithSystemAccountAdoption | undefined> {
  if (value === undefined || value === null) return undefined;
  const o = output(value) as unknown as {
    isKnown: Promise<boolean>;
    promise(): Promise<OperatorWithSystemAccountAdoption | undefined>;
  };
  if (!(await o.isKnown)) {
    throw new ConfigError(
      "adopt",
      `OperatorWithSystemAccount "${name}": the adoption is not known yet (an output of another resource?): pass the seeds and JWTs from config, which decide which keys the component keeps`,
      { resource: name },
    );
  }
  return o.promise();
}

/** `construct` of the plugin: builds a component by its type token. */
export async function construct(
  name: string,
  type: string,
  inputs: Inputs,
  options: ComponentResourceOptions,
): Promise<provider.ConstructResult> {
  if (type !== tokenOf("OperatorWithSystemAccount")) throw new Error(`nats-auth: unknown component ${type}`);
  const c = new OperatorWithSystemAccount(
    name,
    inputs as Args,
    options,
    await knownAdoption(name, inputs.adopt),
  );
  return { urn: c.urn, state: c.outputs };
}
