import * as pulumi from "@pulumi/pulumi";
import type { SigningKeyRef } from "../core/claimInputs";
import { publicKeyOf } from "../core/nkeys";
import type { SigningKeyProps, SigningKeyScope, SigningKeyState } from "../provider/contracts";
import { refOf } from "../provider/signingKey";
import { DynamicResource } from "./dynamic";
import { expose } from "./known";
import { secretInput } from "./secrets";
import { type DeepInput, MODULE, type ResourceProps } from "./types";

/** Inputs of a {@link SigningKey}. */
export interface SigningKeyArgs {
  /** Whose signing key this is. Changing it replaces the key. */
  owner: pulumi.Input<"operator" | "account">;
  /** Make it a scoped key (account keys only). Changing the scope re-signs the account, not the users. */
  scope?: DeepInput<SigningKeyScope>;
  /** Adopt an existing key by its seed (a secret). A different seed replaces the key. */
  seed?: pulumi.Input<string>;
}

/**
 * An operator or account signing key pair. List it in the owner's `signingKeys` and pass it as the
 * `signer` of the accounts (or users) it should sign. Replacing it (a rotation) re-signs everything it
 * signed, through Pulumi's dependency graph.
 *
 * Outputs: `publicKey`, `seed` (secret), `ref` (what the owner's JWT lists: the key or its scope).
 */
export class SigningKey extends DynamicResource {
  declare public readonly publicKey: pulumi.Output<string>;
  /** The seed, a Pulumi secret. */
  declare public readonly seed: pulumi.Output<string>;
  declare public readonly owner: pulumi.Output<"operator" | "account">;
  declare public readonly scope: pulumi.Output<SigningKeyScope | undefined>;
  /** The entry the owner's JWT lists: the public key, or the scoped key with its template. */
  declare public readonly ref: pulumi.Output<SigningKeyRef>;
  /** Whether a scope was given (known at construction, for users' preview-time checks). */
  readonly scoped: boolean;

  constructor(name: string, args: SigningKeyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "signingKey",
      name,
      {
        owner: args.owner,
        scope: args.scope,
        seed: secretInput(args.seed),
        publicKey: undefined,
        ref: undefined,
      } satisfies ResourceProps<SigningKeyProps, SigningKeyState>,
      { ...opts, additionalSecretOutputs: ["seed"] },
      MODULE,
      "SigningKey",
    );
    this.scoped = args.scope !== undefined;
    // An adopted key is known before the resource exists: its owner's preview then sees it, so the
    // same key given twice (two SigningKeys with one seed) is refused at preview, before anything is
    // created or signed.
    if (args.seed !== undefined) {
      const publicKey = pulumi.unsecret(pulumi.output(args.seed).apply(publicKeyOf));
      expose(this, "publicKey", publicKey);
      expose(
        this,
        "ref",
        pulumi
          .all([publicKey, pulumi.output(args.scope)])
          .apply(([k, scope]) => refOf(k, scope as SigningKeyScope | undefined)),
      );
    }
  }
}
