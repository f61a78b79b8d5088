/**
 * Helpers shared by the resource handlers: check results, diffs decided from normalized state, and
 * key loading that names the resource and field when something is wrong.
 */
import type * as pulumi from "@pulumi/pulumi";
import { describe, type Failure, KeyError } from "../../core/errors";
import { createKeyPair, fromSeed, type KeyKind, type NKeyPair, publicKeyOf } from "../../core/nkeys";
import type { CheckResult } from "./handler";
import { containsUnknown } from "./unknown";

/** A check result: the inputs as given, with failures Pulumi shows under the resource. */
export function checkResult<P>(news: P, failures: Failure[]): CheckResult<P> {
  return { inputs: news, failures };
}

/**
 * Decides update vs replace. `replaceWhen` lists inputs whose change means a new identity;
 * `changed` says whether the inputs describe something other than the stored outputs.
 */
export function decideDiff<P, S>(
  olds: S,
  news: P,
  opts: {
    replaceWhen?: (olds: S, news: P) => string[];
    changed: (olds: S, news: P) => boolean;
  },
): pulumi.dynamic.DiffResult {
  const replaces = opts.replaceWhen ? opts.replaceWhen(olds, news) : [];
  if (replaces.length) return { changes: true, replaces, deleteBeforeReplace: false };
  if (containsUnknown(news)) return { changes: true };
  return { changes: opts.changed(olds, news) };
}

/**
 * The adopt-a-seed rule: a seed given as input that differs from the stored one is a new identity.
 * An identity stored without its seed (declared or imported by its public key) that is given the
 * seed of that same key stays the same identity: replacing it would create the key again and then
 * delete it (for an account, from the resolver).
 */
export function seedReplaced(olds: { seed?: string; publicKey?: string }, news: { seed?: string }): string[] {
  const n = news.seed;
  if (n === undefined || containsUnknown(n)) return [];
  if (olds.seed === undefined && typeof olds.publicKey === "string" && seedOf(n, olds.publicKey)) return [];
  return n !== olds.seed ? ["seed"] : [];
}

/** Whether `seed` is the seed of `publicKey` (false for anything that is not a seed). */
function seedOf(seed: string, publicKey: string): boolean {
  try {
    return publicKeyOf(seed) === publicKey;
  } catch {
    return false;
  }
}

/** Whether the inputs give the seed of an identity stored without one (declared or imported by its public key). */
export function seedAdopted(olds: { seed?: string; publicKey?: string }, news: { seed?: string }): boolean {
  const n = news.seed;
  return (
    typeof n === "string" &&
    !containsUnknown(n) &&
    olds.seed === undefined &&
    typeof olds.publicKey === "string" &&
    seedOf(n, olds.publicKey)
  );
}

export type SeededKeyPair = NKeyPair & { seed(): string };

/** Loads the resource's own key: the adopted seed, or a new one. */
export function ownKey(resource: string, kind: KeyKind, seed: unknown): SeededKeyPair {
  if (seed === undefined || seed === null || seed === "") return createKeyPair(kind);
  return loadSeed(resource, "seed", seed, [kind]);
}

/** Loads a seed input, with an error that names the resource and the field (never the seed). */
export function loadSeed(
  resource: string,
  field: string,
  seed: unknown,
  kinds: readonly KeyKind[],
): SeededKeyPair {
  try {
    return fromSeed(String(seed), kinds);
  } catch (e) {
    throw new KeyError(`${field}: ${describe(e)}`, { resource, cause: e });
  }
}

/** The resource's name for messages: the JWT name input, else its kind. */
export function label(kind: string, props: { name?: unknown }): string {
  return typeof props.name === "string" && props.name ? `${kind} "${props.name}"` : kind;
}
