/**
 * Expected failures of read, delete, diff and check, printed once and without a stack trace.
 *
 * For these four methods the dynamic-provider host of `@pulumi/pulumi` (cmd/dynamic-provider/index.js,
 * 3.270: the `catch` blocks of `check`, `diff`, `read` and `delete`) prints `${e}: ${e.stack}` to the
 * plugin's stderr before returning the error. The CLI shows that under the stack resource: a second
 * copy of the message, with a JavaScript stack trace, besides the one the engine prints under the
 * failing resource. (create and update return the error without printing it.) For the errors this
 * package raises on purpose (`NatsAuthError`: servers refusing a delete, …) that print is dropped;
 * anything else, a bug, keeps its trace.
 */
import { NatsAuthError } from "../../core/errors";
import type { Handler } from "./handler";

/** Start of host prints to drop, one per expected failure in flight. */
const pending = new Set<string>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    const first = args[0];
    if (typeof first === "string") {
      for (const prefix of pending) {
        if (first.startsWith(prefix)) {
          pending.delete(prefix);
          return;
        }
      }
    }
    original(...args);
  };
}

function quiet<A extends unknown[], R>(work: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await work(...args);
    } catch (e) {
      if (e instanceof NatsAuthError) {
        install();
        pending.add(`${e}: `);
      }
      throw e;
    }
  };
}

/** The handler with its expected failures of check, diff, read and delete left to the engine to print. */
export function quietExpectedFailures<P extends object, S extends P>(h: Handler<P, S>): Handler<P, S> {
  const out: Handler<P, S> = {
    ...h,
    check: quiet((olds, news) => h.check(olds, news)),
    diff: quiet((id, olds, news) => h.diff(id, olds, news)),
  };
  const { read, delete: del } = h;
  if (read) out.read = quiet((id, props) => read(id, props));
  if (del) out.delete = quiet((id, props) => del(id, props));
  return out;
}
