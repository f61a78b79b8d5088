/**
 * Check failures as the engine prints them. For a failure naming a property, the engine prints
 * `property <p> value <inputs[p]> has a problem: <reason>`, looking `p` up as one top-level key of
 * the inputs: a nested path (`pub.allow[0]`) or a name that is not an input (`account`, `jwt size`)
 * prints as `value {<nil>}`. Such failures go to the engine with no property and their path leading
 * the reason (`resource 'u' has a problem: pub.allow[0]: subject "a b" contains white space`).
 * Failures on a top-level input keep their property. Applied to every handler module's export, so
 * the dynamic provider and the native plugin send the same text.
 */
import type { Failure } from "../../core/errors";
import type { Handler } from "./handler";

/** Where a moved failure keeps what it was (not enumerable: nothing sends or compares it). */
const NAMED = Symbol("failure as the handler named it");

/** `failures` with each property the engine cannot look up in `inputs` moved into its reason. */
export function engineFailures(failures: Failure[], inputs: object): Failure[] {
  return failures.map((f) =>
    f.property === "" || Object.hasOwn(inputs, f.property)
      ? f
      : Object.defineProperty({ property: "", reason: `${f.property}: ${f.reason}` }, NAMED, { value: f }),
  );
}

/** A failure as its handler named it, before {@link engineFailures} moved its path into the reason. */
export function namedFailure(f: Failure): Failure {
  return (f as Failure & { [NAMED]?: Failure })[NAMED] ?? f;
}

/** The handler, its check failures as the engine can print them (see {@link engineFailures}). */
export function withEngineFailures<P extends object, S extends P>(h: Handler<P, S>): Handler<P, S> {
  return {
    ...h,
    check: async (olds, news) => {
      const r = await h.check(olds, news);
      return r.failures.length ? { ...r, failures: engineFailures(r.failures, news) } : r;
    },
  };
}
