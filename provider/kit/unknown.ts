/**
 * Pulumi's preview placeholder. During preview, inputs computed by other resources arrive as this
 * string; nothing may be judged or derived from them.
 */
import { Checker } from "../../core/validation";

/** The placeholder Pulumi sends for values not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when the value, or anything inside it, is not known yet. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/** A checker that skips values Pulumi does not know yet. */
export function previewChecker(): Checker {
  return new Checker(containsUnknown);
}
