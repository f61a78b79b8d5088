/**
 * The dynamic-provider host prints `${e}: ${e.stack}` for errors of check/diff/read/delete; for the
 * package's expected failures that print is dropped (the engine reports the message under the
 * resource), for anything else it stays. Reproduces the host's print exactly.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ResolverError } from "../../core/errors";
import type { Handler } from "../../provider/kit/handler";
import { quietExpectedFailures } from "../../provider/kit/hostErrors";

/** What the host does in its catch block for delete (cmd/dynamic-provider/index.js). */
async function hostDelete(h: Handler<object, object>): Promise<void> {
  try {
    await h.delete?.("id", {});
  } catch (e) {
    const err = e as Error;
    console.error(`${err}: ${err.stack}`);
  }
}

describe("host errors", () => {
  it("host errors - an expected failure is not printed with its stack; a bug is, and other prints pass", async () => {
    const printed: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => {
      printed.push(args.map(String).join(" "));
    };
    try {
      let thrown: unknown;
      const h = quietExpectedFailures<object, object>({
        check: async (_olds, news) => ({ inputs: news, failures: [] }),
        diff: async () => ({ changes: false }),
        create: async () => ({ id: "x", outs: {} }),
        delete: async () => {
          throw thrown;
        },
      });
      thrown = new ResolverError("the resolver refused to delete the account", [], {
        resource: 'Account "A"',
      });
      await assert.rejects(h.delete!("id", {}), /Account "A": the resolver refused/, "still fails");
      thrown = new ResolverError("refused again", [], { resource: 'Account "B"' });
      await hostDelete(h);
      console.error("an unrelated line");
      thrown = new TypeError("a bug");
      await hostDelete(h);
    } finally {
      console.error = original;
    }
    assert.ok(printed.includes("an unrelated line"), printed.join("\n"));
    assert.ok(!printed.some((p) => p.includes('Account "B"')), `no copy of the expected failure: ${printed}`);
    assert.ok(
      printed.some((p) => p.startsWith("TypeError: a bug: TypeError: a bug\n    at ")),
      "a bug keeps its trace",
    );
  });
});
