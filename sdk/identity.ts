import * as pulumi from "@pulumi/pulumi";

/**
 * What every resource with a JWT (Operator, Account, User) outputs. Declared once here; the classes
 * add what is their own.
 */
export abstract class IdentityResource extends pulumi.dynamic.Resource {
  /** The name in the JWT. */
  declare public readonly name: pulumi.Output<string>;
  /** The identity's public key ("O…", "A…" or "U…"). */
  declare public readonly publicKey: pulumi.Output<string>;
  /** The JWT, re-signed whenever a claim or the signer changes. */
  declare public readonly jwt: pulumi.Output<string>;
  /** The identity seed, a Pulumi secret. */
  declare public readonly seed: pulumi.Output<string>;
  /** Public key that signed the JWT. */
  declare public readonly issuer: pulumi.Output<string>;
  /** Hash of the normalized claims (what decides whether the JWT is re-signed). */
  declare public readonly claimsHash: pulumi.Output<string>;
  /**
   * Only with an adopted `jwt` whose claims differ from the arguments: the differences, claim by
   * claim (`"limits.conn": "jwt: 9, program: 10"`). The JWT is then re-signed (an account re-pushed);
   * a preview shows this before `up` does it.
   */
  declare public readonly adoptionDrift: pulumi.Output<Record<string, string> | undefined>;
}
