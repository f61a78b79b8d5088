import * as pulumi from "@pulumi/pulumi";
import { providerSource, type ResourceKind } from "../provider/kit/handler";
import { refusePlainConfigSecrets } from "./configSecrets";

/**
 * Pulumi's runtime records a stack trace (`new Error().stack`) on every promise it makes while it
 * registers a resource, some thirty per resource, for one purpose: the "Promise leak detected"
 * report at exit, which also names each promise's resource and property. At a thousand resources
 * those traces were most of a preview's program time (bench/RESULTS.md), so they are not recorded
 * while one of this package's resources registers: the limit is lowered for the synchronous
 * `super` call only, and restored before anything else runs. The resource's source position, which
 * Pulumi reads with a limit of its own, is unchanged. `PULUMI_DEBUG_PROMISE_LEAKS`, Pulumi's switch
 * for debugging leaks, keeps every trace.
 */
const keepPromiseStacks = !!process.env.PULUMI_DEBUG_PROMISE_LEAKS;

/**
 * `props` without those of `keys` whose value is undefined. Each registered key costs the program
 * four promises per resource (bench/RESULTS.md), while an undefined
 * input reaches neither the engine nor state: list only inputs the class does not expose as
 * outputs (a registered key is what makes an output property).
 */
export function withoutUnset<T extends object>(props: T, keys: readonly (keyof T)[]): T {
  const out = { ...props };
  for (const k of keys) if (out[k] === undefined) delete out[k];
  return out;
}

/**
 * The base of every resource of this package: a dynamic resource (type
 * `pulumi-nodejs:dynamic/<module>:<type>`, run by Pulumi's Node.js dynamic provider) whose
 * `__provider` is a one-line loader of the handler module instead of a serialized closure.
 *
 * `pulumi.dynamic.Resource` serializes the provider object into every resource's inputs and outputs;
 * at a thousand resources that text (2.3 KB, twice) was most of the state, and on a file backend the
 * engine rewrites the whole state after every step. This class registers the same type token with
 * the same `__provider` input, so stacks written by earlier releases (which extended
 * `pulumi.dynamic.Resource`) keep their resources.
 */
export abstract class DynamicResource extends pulumi.CustomResource {
  protected constructor(
    kind: ResourceKind,
    name: string,
    props: pulumi.Inputs,
    opts: pulumi.CustomResourceOptions | undefined,
    module: string,
    type: string,
  ) {
    // Before registering: the engine would store the config, plain values in plain text, with the
    // first resource of the pulumi-nodejs provider.
    refusePlainConfigSecrets();
    const limit = Error.stackTraceLimit;
    if (!keepPromiseStacks) Error.stackTraceLimit = 0;
    try {
      super(
        `pulumi-nodejs:dynamic/${module}:${type}`,
        name,
        { ...props, __provider: providerSource(kind) },
        opts,
      );
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}
