import * as pulumi from "@pulumi/pulumi";
import type { DateLike, Export, SigningKeyRef } from "../core/claimInputs";
import { type DescribedClaims, describeJwt } from "../core/jwt";
import type { ActivationTokenProps, ActivationTokenState } from "../provider/contracts";
import { providerFor } from "../provider/kit/handler";
import { derived } from "./known";
import { joinActivations } from "./membership";
import { secretInput } from "./secrets";
import { MODULE, type ResourceProps, type SeedHolder } from "./types";

/** What a token needs of its exporting account; an {@link Account} resource fits. */
export interface ExporterRef {
  publicKey: pulumi.Input<string>;
  /** The account seed; needed only when no `signer` is given. */
  seed?: pulumi.Input<string>;
  /** The account's signing keys as its JWT lists them (an Account's `signingKeys` output). */
  signingKeys?: pulumi.Input<SigningKeyRef[] | undefined>;
  /** The account's exports: the token's subject must lie inside a private one (checked at preview). */
  exports?: pulumi.Input<Export[] | undefined>;
}

/** Inputs of an {@link ActivationToken}. */
export interface ActivationTokenArgs {
  /** The exporting account (an Account resource, so removing the token revokes it there). */
  exporter: ExporterRef;
  /** An account signing key of the exporter to sign with (default: the exporter's own key). */
  signer?: SeedHolder;
  /** The importing account: its public key, or anything with a `publicKey` (an Account, a KeyPair). */
  importer: pulumi.Input<string> | { publicKey: pulumi.Input<string> };
  /** The subject the importer may import: a private export's subject, or a narrower one inside it. */
  subject: pulumi.Input<string>;
  /** The export's kind. */
  type: pulumi.Input<"stream" | "service">;
  /** When the token expires (ISO date or unix seconds). */
  expires?: pulumi.Input<DateLike>;
  /** When the token becomes valid. */
  notBefore?: pulumi.Input<DateLike>;
  /** The name in the JWT (default: the resource name). */
  name?: pulumi.Input<string>;
  /**
   * Removing this token from the program (or re-issuing it) revokes it in the exporter's export in
   * the same `pulumi up` (default true; needs `exporter` to be an Account resource of this program).
   */
  revokeOnDelete?: boolean;
}

/**
 * An activation token (nsc `generate activation`): lets one importing account import a private export
 * (`tokenRequired: true`) of the exporting account. Pass `token` to the importer's `imports[].token`
 * (directly, or through a StackReference of the importer's stack).
 *
 * Changing the subject, kind, dates or signer issues a new token. Removing the token (or re-issuing
 * it) revokes the old one: the exporting Account is re-signed, with the importer revoked in that export
 * at the old token's issue time, and pushed. NATS revokes per importer and export, so the importer's
 * other tokens for the same export issued at or before it are revoked too.
 *
 * Outputs: `token` (a secret: it grants access), `issuedAt`, `issuer`, and the inputs.
 */
export class ActivationToken extends pulumi.dynamic.Resource {
  /** The activation JWT for the importer's `imports[].token`, a Pulumi secret. */
  declare public readonly token: pulumi.Output<string>;
  /**
   * What the token says, decoded (`sub`: the importer, `nats.subject`, `nats.kind`, …). Not a secret:
   * the claims grant nothing without the signed token.
   */
  declare public readonly claims: pulumi.Output<DescribedClaims>;
  /** The token's `iat` (unix seconds). */
  declare public readonly issuedAt: pulumi.Output<number>;
  /** Public key that signed the token. */
  declare public readonly issuer: pulumi.Output<string>;
  /** The importing account's public key. */
  declare public readonly importer: pulumi.Output<string>;
  declare public readonly subject: pulumi.Output<string>;
  declare public readonly claimsHash: pulumi.Output<string>;

  constructor(name: string, args: ActivationTokenArgs, opts?: pulumi.CustomResourceOptions) {
    const { exporter, signer, importer, revokeOnDelete, ...claims } = args;
    const signerSeed = signer?.seed ?? exporter.seed;
    if (signerSeed === undefined) {
      throw new pulumi.RunError(
        `ActivationToken "${name}": signer: pass an Account resource as exporter, or a signer with a seed`,
      );
    }
    const importerKey =
      typeof importer === "object" && !pulumi.Output.isInstance(importer) && "publicKey" in importer
        ? importer.publicKey
        : (importer as pulumi.Input<string>);
    super(
      providerFor("activationToken"),
      name,
      {
        ...claims,
        name: args.name ?? name,
        signerSeed: secretInput(signerSeed),
        signedByIdentity: signer === undefined,
        exporterPublicKey: exporter.publicKey,
        exporterSigningKeys: exporter.signingKeys,
        exporterExports: exporter.exports,
        importer: importerKey,
        token: undefined,
        issuedAt: undefined,
        issuer: undefined,
        claimsHash: undefined,
      } satisfies ResourceProps<ActivationTokenProps, ActivationTokenState>,
      { ...opts, additionalSecretOutputs: ["token", "signerSeed"] },
      MODULE,
      "ActivationToken",
    );
    derived(this, "claims", () => pulumi.unsecret(this.token.apply((token) => describeJwt(token) ?? {})));
    joinActivations(exporter, name, {
      urn: this.urn,
      importer: importerKey,
      subject: args.subject,
      type: args.type,
      issuedAt: this.issuedAt,
      name: args.name ?? name,
      expires: args.expires,
      revokeOnDelete: revokeOnDelete !== false,
    });
  }
}
