/**
 * Helpers shared by the resource handlers: input checking results, diffs decided from normalized
 * state, and key loading that names the resource and field when something is wrong.
 */
import type * as pulumi from "@pulumi/pulumi";
import { describe, type Failure, NatsAuthError } from "./errors";
import { createKeyPair, fromSeed, type KeyKind, type NKeyPair } from "./keys";
import { containsUnknown } from "./validate";

export type Props = Record<string, unknown>;

/** A check result: the inputs as given, with failures Pulumi shows under the resource. */
export function checked(news: Props, failures: Failure[]): pulumi.dynamic.CheckResult {
  return { inputs: news, failures };
}

/**
 * Decides update vs replace. `replaceWhen` lists inputs whose change means a new identity;
 * `changed` says whether the inputs describe something other than the stored outputs.
 */
export function decideDiff(
  olds: Props,
  news: Props,
  opts: {
    replaceWhen?: (olds: Props, news: Props) => string[];
    changed: (olds: Props, news: Props) => boolean;
  },
): pulumi.dynamic.DiffResult {
  const replaces = opts.replaceWhen ? opts.replaceWhen(olds, news) : [];
  if (replaces.length) return { changes: true, replaces, deleteBeforeReplace: false };
  if (containsUnknown(news)) return { changes: true };
  return { changes: opts.changed(olds, news) };
}

/** The adopt-a-seed rule: a seed given as input that differs from the stored one is a new identity. */
export function seedReplaced(olds: Props, news: Props, field = "seed"): string[] {
  const n = news[field];
  if (n === undefined || containsUnknown(n)) return [];
  return n !== olds[field] ? [field] : [];
}

/** Loads the resource's own key: the stored one, the adopted seed, or a new one. */
export function ownKey(resource: string, kind: KeyKind, seed: unknown): NKeyPair & { seed(): string } {
  if (seed === undefined || seed === null || seed === "") return createKeyPair(kind);
  return loadSeed(resource, "seed", seed, [kind]);
}

/** Loads a seed input, with an error that names the resource and the field (never the seed). */
export function loadSeed(
  resource: string,
  field: string,
  seed: unknown,
  kinds: readonly KeyKind[],
): NKeyPair & { seed(): string } {
  try {
    return fromSeed(String(seed), kinds);
  } catch (e) {
    throw new NatsAuthError(`${resource}: ${field}: ${describe(e)}`);
  }
}

/** The resource's name for messages: the JWT name input, else its kind. */
export function label(kind: string, props: Props): string {
  return typeof props.name === "string" && props.name ? `${kind} "${props.name}"` : kind;
}
