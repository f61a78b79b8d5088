/**
 * A diagnostic for the CLI steps, loaded into the program process with
 * `BENCH_NODE_OPTIONS="--require <repo>/dist/bench/stackCount.js"`: counts the promises Pulumi's
 * runtime wraps with `debuggablePromise`, each of which records and formats a stack trace (the
 * program's main cost per resource, RESULTS.md), by kind. At exit it writes
 * `$BENCH_STACK_COUNT_DIR/<program dir>-<pid>.json` (default /tmp/pna-stack-counts).
 *
 * It replaces an export of Pulumi's runtime module, so it is for measuring only, never for a program.
 */
import * as fs from "node:fs";
import * as path from "node:path";

interface Debuggable {
  debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T>;
}

// Only the program process (the language host's `cmd/run`), not the CLI's other node processes.
if (process.argv.some((a) => /cmd[/\\]run/.test(a))) {
  const dir = process.env.BENCH_STACK_COUNT_DIR ?? "/tmp/pna-stack-counts";
  const runtime = require("@pulumi/pulumi/runtime/debuggable") as Debuggable;
  const original = runtime.debuggablePromise;
  const counts: Record<string, number> = {};
  runtime.debuggablePromise = <T>(p: Promise<T>, ctx: unknown): Promise<T> => {
    // "transferProperty(label, key, …)" → "transferProperty"; one registration per resource → "resource".
    const kind = String(ctx)
      .replace(/[(<].*$/s, "")
      .replace(/^resource:.*/s, "resource");
    counts[kind] = (counts[kind] ?? 0) + 1;
    return original(p, ctx);
  };
  process.on("exit", () => {
    fs.mkdirSync(dir, { recursive: true });
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    fs.writeFileSync(
      path.join(dir, `${path.basename(process.cwd())}-${process.pid}.json`),
      `${JSON.stringify({ total, ...counts })}\n`,
    );
  });
}
