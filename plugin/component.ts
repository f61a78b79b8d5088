/**
 * The OperatorWithSystemAccount component of the native plugin (`construct`): the same resources
 * the TypeScript SDK's class declares (sdk/operatorWithSystemAccount.ts), registered here as children
 * of the component, so every language gets one composition. Their own provider (this plugin) signs
 * them; nothing here signs or checks.
 */
// Not the package's index: it loads @pulumi/pulumi's TypeScript analyzer, whose vendored compiler the
// bundle does not carry.
import { type Input, type Inputs, type Output, output, secret } from "@pulumi/pulumi/output";
import type * as provider from "@pulumi/pulumi/provider";
import {
  ComponentResource,
  type ComponentResourceOptions,
  CustomResource,
  type Resource,
} from "@pulumi/pulumi/resource";
import { systemAccountExports } from "../core/systemAccount";
import type { OperatorWithSystemAccountOutputs, OperatorWithSystemAccountProps } from "../provider/contracts";
import { tokenOf } from "./resources";

type Args = { [K in keyof OperatorWithSystemAccountProps]?: Input<OperatorWithSystemAccountProps[K]> };
type Outputs = {
  [K in keyof OperatorWithSystemAccountOutputs]: Output<OperatorWithSystemAccountOutputs[K]>;
};

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
  const r = new Child(tokenOf(type), name, { ...slots, ...inputs }, { parent });
  return r as unknown as Record<string, Output<unknown>>;
}

class OperatorWithSystemAccount extends ComponentResource {
  readonly outputs: Outputs;
  constructor(name: string, args: Args, opts: ComponentResourceOptions) {
    super(tokenOf("OperatorWithSystemAccount"), name, {}, opts);
    // Which children exist must be known while the program runs: a secret or computed flag is read as given.
    const withSk = (args.generateSigningKey as unknown) === true;
    const opSk = withSk
      ? child("SigningKey", `${name}-sk`, { owner: "operator" }, ["publicKey", "seed"], this)
      : undefined;
    const sysKey = child("KeyPair", `${name}-sys-key`, { kind: "account" }, ["publicKey", "seed"], this);
    const sysSk = withSk
      ? child("SigningKey", `${name}-sys-sk`, { owner: "account" }, ["publicKey", "seed", "ref"], this)
      : undefined;
    const operator = child(
      "Operator",
      name,
      {
        name: args.name ?? name,
        signingKeys: opSk ? [opSk.publicKey] : undefined,
        strictSigningKeyUsage: args.strictSigningKeyUsage,
        systemAccount: sysKey.publicKey,
      },
      ["publicKey", "jwt", "seed"],
      this,
    );
    const sys = child(
      "Account",
      `${name}-sys`,
      {
        name: args.systemAccountName ?? "SYS",
        seed: sysKey.seed,
        operatorPublicKey: operator.publicKey,
        operatorSigningKeys: opSk ? [opSk.publicKey] : undefined,
        operatorStrict: args.strictSigningKeyUsage,
        signerSeed: opSk ? opSk.seed : operator.seed,
        signingKeys: sysSk ? [sysSk.ref] : undefined,
        exports: output(args.systemAccountExports).apply((e) => systemAccountExports(e)),
      },
      ["publicKey", "jwt"],
      this,
    );
    const user = child(
      "User",
      `${name}-sys-user`,
      {
        name: args.systemUserName ?? "sys",
        accountPublicKey: sysKey.publicKey,
        accountSigningKeys: sysSk ? [sysSk.ref] : undefined,
        operatorStrict: args.strictSigningKeyUsage,
        signerSeed: sysSk ? sysSk.seed : sysKey.seed,
      },
      ["creds"],
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
      systemUserCreds: secret(user.creds) as Output<string>,
    };
    this.registerOutputs(this.outputs);
  }
}

/** `construct` of the plugin: builds a component by its type token. */
export async function construct(
  name: string,
  type: string,
  inputs: Inputs,
  options: ComponentResourceOptions,
): Promise<provider.ConstructResult> {
  if (type !== tokenOf("OperatorWithSystemAccount")) throw new Error(`nats-auth: unknown component ${type}`);
  const c = new OperatorWithSystemAccount(name, inputs as Args, options);
  return { urn: c.urn, state: c.outputs };
}
