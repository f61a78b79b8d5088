import * as pulumi from "@pulumi/pulumi";
import type { OperatorClaims } from "../core/claimInputs";
import { describeJwt } from "../core/jwt";
import type { OperatorProps, OperatorState } from "../provider/contracts";

import { IdentityResource } from "./identity";
import { derived, expose, identityKey } from "./known";
import { secretInput } from "./secrets";
import { SigningKey } from "./signingKey";
import { type DeepInput, type IdentityArgs, MODULE, type ResourceProps } from "./types";

/** Inputs of an {@link Operator}: its claims, plus identity options. */
export type OperatorArgs = {
  [K in Exclude<keyof OperatorClaims, "signingKeys">]?: DeepInput<OperatorClaims[K]>;
} & IdentityArgs & {
    /** Operator signing keys: `SigningKey` resources (owner "operator") or public keys. */
    signingKeys?: (SigningKey | pulumi.Input<string>)[];
  };

/** Maps signing keys given as resources to their public keys. */
function signingKeyKeys(
  keys: (SigningKey | pulumi.Input<string>)[] | undefined,
): pulumi.Input<string>[] | undefined {
  return keys?.map((k) => (k instanceof SigningKey ? k.publicKey : k));
}

/**
 * A NATS operator: the root of trust, with a self-signed JWT (nsc `add operator`). Servers trust it
 * through the `operator` line of their config.
 *
 * Outputs: `publicKey`, `jwt`, `seed` (secret), and every input.
 */
export class Operator extends IdentityResource {
  declare public readonly signingKeys: pulumi.Output<string[] | undefined>;
  declare public readonly strictSigningKeyUsage: pulumi.Output<boolean | undefined>;
  declare public readonly systemAccount: pulumi.Output<string | undefined>;

  constructor(name: string, args: OperatorArgs = {}, opts?: pulumi.CustomResourceOptions) {
    const { key, signingKeys, ...claims } = args;
    const identity = identityKey(name, "operator", key, args.seed, opts);
    const keys = signingKeyKeys(signingKeys);
    super(
      "operator",
      name,
      {
        ...claims,
        name: args.name ?? name,
        signingKeys: keys,
        seed: secretInput(identity.seed),
        publicKey: undefined,
        // An existing JWT to adopt (with `seed`), kept while its claims match the inputs.
        jwt: args.jwt,
        claimsHash: undefined,
        adoptionDrift: undefined,
        issuer: undefined,
      } satisfies ResourceProps<OperatorProps, OperatorState>,
      { ...opts, additionalSecretOutputs: ["seed"] },
      MODULE,
      "Operator",
    );
    // What accounts of this operator read stays known while the operator itself changes (see known.ts).
    expose(this, "publicKey", identity.publicKey);
    expose(this, "seed", pulumi.secret(identity.seed));
    expose(this, "signingKeys", keys);
    expose(this, "strictSigningKeyUsage", args.strictSigningKeyUsage);
    derived(this, "claims", () => this.jwt.apply((jwt) => describeJwt(jwt) ?? {}));
  }
}
