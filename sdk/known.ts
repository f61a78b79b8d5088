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
  Object.defineProperty(resource, property, { value: pulumi.output(value), enumerable: true });
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
