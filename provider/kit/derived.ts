/**
 * Outputs derived from what a handler stores, for front ends that cannot derive them in a class of
 * their own (the native plugin serves YAML, Go and Python). The TypeScript SDK derives the same values
 * from the same functions (core/creds.ts) on first read instead of storing them.
 */
import { formatCreds } from "../../core/creds";
import type { ResourceKind } from "./handler";

type Outputs = Record<string, unknown>;

const DERIVED: Partial<Record<ResourceKind, (outs: Outputs) => Outputs>> = {
  // A user declared by its public key has no seed here, so no creds (its owner joins the JWT to its seed).
  user: (outs) =>
    typeof outs.jwt === "string" && typeof outs.seed === "string"
      ? { creds: formatCreds(outs.jwt, outs.seed) }
      : {},
};

/** `outs` with the outputs derived from them added. */
export function withDerivedOutputs(kind: ResourceKind, outs: Outputs): Outputs {
  const derive = DERIVED[kind];
  return derive ? { ...outs, ...derive(outs) } : outs;
}
