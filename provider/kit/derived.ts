/**
 * Outputs derived from what a handler stores, for front ends that cannot derive them in a class of
 * their own (the native plugin serves YAML, Go and Python). The TypeScript SDK derives the same values
 * from the same functions (core/creds.ts) on first read instead of storing them.
 */
import { formatCreds } from "../../core/creds";
import { describeJwt } from "../../core/jwt";
import type { ResourceKind } from "./handler";

type Outputs = Record<string, unknown>;

/** The decoded claims of the JWT held in `field` (core/jwt.ts, describeJwt: revocations as a count). */
const claimsOf =
  (field: "jwt" | "token") =>
  (outs: Outputs): Outputs =>
    typeof outs[field] === "string" ? { claims: describeJwt(outs[field]) } : {};

const DERIVED: Partial<Record<ResourceKind, (outs: Outputs) => Outputs>> = {
  operator: claimsOf("jwt"),
  account: claimsOf("jwt"),
  // A user declared by its public key has no seed here, so no creds (its owner joins the JWT to its seed).
  user: (outs) => ({
    ...claimsOf("jwt")(outs),
    ...(typeof outs.jwt === "string" && typeof outs.seed === "string"
      ? { creds: formatCreds(outs.jwt, outs.seed) }
      : {}),
  }),
  activationToken: claimsOf("token"),
};

/** `outs` with the outputs derived from them added. */
export function withDerivedOutputs(kind: ResourceKind, outs: object): Outputs {
  const derive = DERIVED[kind];
  return derive ? { ...outs, ...derive(outs as Outputs) } : (outs as Outputs);
}
