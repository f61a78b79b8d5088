import * as pulumi from "@pulumi/pulumi";
import { publicKeyOf } from "../core/nkeys";
import { KeyPair } from "./keyPair";
import type { SeedHolder } from "./types";

/**
 * Pulumi cannot preview an update of a dynamic resource: all of its outputs turn unknown in the
 * preview, and every resource using one of them would show an update too (change an account's limit
 * and all its users would seem to change). So Operator and Account hand their dependents values known
 * before they change: the key from its own KeyPair, the signing keys and strict mode from their
 * inputs. Each still depends on the resource, through its URN, which is always known.
 */
export function through<T>(resource: pulumi.Resource, value: pulumi.Input<T>): pulumi.Output<T> {
  return pulumi.all([resource.urn, pulumi.output(value)]).apply(([, v]) => v as T);
}

/** Replaces an output property of `resource` with a value known before the resource changes. */
export function expose<T>(resource: pulumi.Resource, property: string, value: pulumi.Input<T>): void {
  exposeKnown(resource, property, through(resource, value));
}

/**
 * Sets an output property of `resource` to a value known before the resource changes, without
 * ordering its readers after the resource (for an Account, whose Users must not depend on it).
 */
export function exposeKnown<T>(resource: pulumi.Resource, property: string, value: pulumi.Input<T>): void {
  const out = pulumi.output(value);
  if (isPlain(value)) plainSources.set(out, value);
  Object.defineProperty(resource, property, { value: out, enumerable: true });
}

/** The plain value behind each Output that {@link exposeKnown} made of one. */
const plainSources = new WeakMap<object, unknown>();

/**
 * Whether `value` holds no Output, promise or resource at any depth (plain JSON-like data): such a
 * value is known now, carries no dependency and is not secret, so it can be used or sent as it is.
 */
export function isPlain(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "function") return false;
  if (typeof value !== "object") return true;
  if (pulumi.Output.isInstance(value)) return false;
  if (Array.isArray(value)) return value.every(isPlain);
  const proto = Object.getPrototypeOf(value);
  // Outputs, promises, resources, dates, assets: left to Pulumi.
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every(isPlain);
}

/**
 * The plain value behind an Output that {@link exposeKnown} made of one, else `value` unchanged. An
 * input given as an Output costs the program a promise, with its stack trace, per resource at every
 * run (bench/RESULTS.md); Pulumi sends a plain value exactly as it sends a known, non-secret Output
 * without dependencies, so a resource of many (a User of its Account) passes the plain one.
 */
export function plainInput<T>(value: pulumi.Input<T>): pulumi.Input<T> {
  return typeof value === "object" && value !== null && plainSources.has(value)
    ? (plainSources.get(value) as T)
    : value;
}

/**
 * Runs `use` on `value` now when it is plain, else once it is known (as `apply` would): per resource,
 * an Output and its `apply` cost the program more than the check they wrap.
 */
export function whenKnown<T>(value: T, use: (v: pulumi.Unwrap<T>) => void): void {
  if (isPlain(value)) use(value as pulumi.Unwrap<T>);
  else pulumi.output(value).apply(use);
}

/** The identity of an Operator or Account: a given key, an adopted seed, or a KeyPair made for it. */
export function identityKey(
  name: string,
  kind: "operator" | "account",
  key: SeedHolder | undefined,
  seed: pulumi.Input<string> | undefined,
  opts: pulumi.CustomResourceOptions | undefined,
  declared?: pulumi.Input<string>,
): { seed: pulumi.Input<string> | undefined; publicKey: pulumi.Output<string> } {
  // Declared by public key (its seed held elsewhere): nothing to generate or adopt.
  if (declared !== undefined) return { seed: undefined, publicKey: pulumi.output(declared) };
  if (key instanceof KeyPair) return { seed: key.seed, publicKey: key.publicKey };
  const given = key?.seed ?? seed;
  if (given !== undefined) {
    return { seed: given, publicKey: pulumi.unsecret(pulumi.output(given).apply(publicKeyOf)) };
  }
  const made = new KeyPair(`${name}-key`, { kind }, { parent: opts?.parent, protect: opts?.protect });
  return { seed: made.seed, publicKey: made.publicKey };
}

/**
 * Defines an output property of `resource` built by `make` on first read (then kept): for outputs
 * derived from others, which cost nothing unless the program reads them.
 */
export function derived<T>(resource: pulumi.Resource, property: string, make: () => pulumi.Output<T>): void {
  let value: pulumi.Output<T> | undefined;
  Object.defineProperty(resource, property, {
    get: () => {
      value ??= make();
      return value;
    },
    enumerable: true,
  });
}
