import * as pulumi from "@pulumi/pulumi";
import { type DescribedClaims, decodeJwt, describeJwt } from "../core/jwt";
import { claimsHash } from "../core/normalize";
import { DynamicResource } from "./dynamic";
import { derived } from "./known";

/**
 * What every resource with a JWT (Operator, Account, User) outputs. Declared once here; the classes
 * add what is their own.
 */
export abstract class IdentityResource extends DynamicResource {
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
  /**
   * What the JWT says, decoded as `nsc describe --json` prints it (`sub`, `iss`, `name`, `iat`,
   * `nats`: limits, permissions, exports, …). An account's `nats.revocations` map is summarised as
   * `nats.revocationCount`; the `jwt` output holds it in full.
   */
  declare public readonly claims: pulumi.Output<DescribedClaims>;

  /**
   * Defines `issuer`, `claimsHash` and `claims` from the JWT, and `adoptionDrift` when no JWT is adopted (only
   * an adopted one can differ), instead of registering them: every registered output costs the
   * program per resource (kit/wire.ts). Built only when the program reads them.
   */
  protected deriveFromJwt(adopting: boolean): void {
    derived(this, "issuer", () => this.jwt.apply((jwt) => decodeJwt(jwt).iss));
    derived(this, "claimsHash", () => this.jwt.apply((jwt) => claimsHash(decodeJwt(jwt))));
    derived(this, "claims", () => this.jwt.apply((jwt) => describeJwt(jwt) ?? {}));
    if (!adopting) derived(this, "adoptionDrift", () => pulumi.output(undefined));
  }
}
