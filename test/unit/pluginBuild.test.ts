/**
 * `npm run plugin` (scripts/plugin.mjs) while the plugin is in use: several e2e files rebuild
 * dist/native in their `before` while another file's stack launches the plugin from it, so at no
 * moment of a rebuild may the launcher or the bundle be missing or empty.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../harness/paths";

const NATIVE = path.join(REPO_ROOT, "dist", "native");
const FILES = ["pulumi-resource-nats-auth", "pulumi-resource-nats-auth.js"].map((f) => path.join(NATIVE, f));

function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "scripts", "plugin.mjs")], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    child.once("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`plugin.mjs exited ${code}: ${err}`)),
    );
  });
}

/** What a launch would miss now: a file that is absent or empty. */
function missing(): string[] {
  return FILES.filter((f) => {
    try {
      return fs.statSync(f).size === 0;
    } catch {
      return true;
    }
  }).map((f) => path.basename(f));
}

describe("plugin build", () => {
  it("plugin build - two rebuilds at once never leave the launcher or the bundle missing or empty", async () => {
    if (missing().length) await build();
    const seen: string[] = [];
    let running = true;
    const watch = (async () => {
      while (running) {
        const gone = missing();
        if (gone.length) seen.push(gone.join(", "));
        await new Promise((r) => setImmediate(r));
      }
    })();
    try {
      await Promise.all([build(), build()]);
    } finally {
      running = false;
      await watch;
    }
    assert.deepEqual(seen.slice(0, 3), [], `missing during the rebuild ${seen.length} times`);
    assert.deepEqual(missing(), []);
    assert.deepEqual(
      fs.readdirSync(NATIVE).filter((f) => f.endsWith(".tmp")),
      [],
      "no temp file left behind",
    );
  });
});
