/**
 * Inputs that name local files. The handlers take absolute paths (a relative one would land wherever
 * the provider process runs); the front end resolves relative ones against the program's directory:
 * the TypeScript SDK in its classes, the native plugin (whose process runs in the project directory)
 * before `check`.
 */
import type { ResourceKind } from "./handler";
import { containsUnknown } from "./unknown";

/** Top-level path inputs per resource kind. */
export const PATH_FIELDS: Partial<Record<ResourceKind, readonly string[]>> = {
  credsFile: ["path"],
  leafRemote: ["credentialsPath"],
  natsContext: ["configHome", "credsPath"],
  serverConfigFile: ["path"],
};

/** `inputs` with each path input (a known string) passed through `resolve`. */
export function resolvePaths<T extends Record<string, unknown>>(
  kind: ResourceKind,
  inputs: T,
  resolve: (p: string) => string,
): T {
  const fields = PATH_FIELDS[kind];
  if (!fields) return inputs;
  const out: Record<string, unknown> = { ...inputs };
  for (const f of fields) {
    const v = out[f];
    // Pulumi's preview placeholder is a string too, but never a path to resolve.
    if (typeof v === "string" && v !== "" && !containsUnknown(v)) out[f] = resolve(v);
  }
  return out as T;
}
