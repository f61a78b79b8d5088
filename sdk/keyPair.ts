import type * as pulumi from "@pulumi/pulumi";
import type { KeyPairProps, KeyPairState } from "../provider/contracts";
import { DynamicResource } from "./dynamic";
import { secretInput } from "./secrets";
import { MODULE, type ResourceProps } from "./types";

/** Inputs of a {@link KeyPair}. */
export interface KeyPairArgs {
  /**
   * What the key identifies. Changing it replaces the key. "curve" makes an X25519 xkey ("X…", seed
   * "SX…"), which encrypts rather than signs: an Account's `authorization.xkey`, held by the auth
   * callout service.
   */
  kind: pulumi.Input<"operator" | "account" | "user" | "curve">;
  /**
   * Adopt an existing identity by its seed (made a secret here, even when given as a plain string).
   * Without it a new key is generated. A different seed replaces the key.
   */
  seed?: pulumi.Input<string>;
}

/**
 * An nkey identity held in Pulumi state, separate from the JWT that uses it. Declaring keys as their
 * own resources lets any graph be built without cycles: two accounts that import from each other
 * each know the other's public key before either JWT is signed.
 *
 * Outputs: `publicKey`, and `seed` (always a secret).
 */
export class KeyPair extends DynamicResource {
  /** The public key ("O…", "A…", "U…" or "X…"). */
  declare public readonly publicKey: pulumi.Output<string>;
  /** The seed, a Pulumi secret. */
  declare public readonly seed: pulumi.Output<string>;
  declare public readonly kind: pulumi.Output<"operator" | "account" | "user" | "curve">;

  constructor(name: string, args: KeyPairArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "keyPair",
      name,
      { kind: args.kind, seed: secretInput(args.seed), publicKey: undefined } satisfies ResourceProps<
        KeyPairProps,
        KeyPairState
      >,
      { ...opts, additionalSecretOutputs: ["seed"] },
      MODULE,
      "KeyPair",
    );
  }
}
