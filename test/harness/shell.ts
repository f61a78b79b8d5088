/**
 * Running documented shell commands as a user would: the fenced `sh` blocks of a markdown file as
 * one bash script, in the user's environment, in a process group of its own that is stopped with
 * whatever the script left in the background (servers, subscribers). Used by the e2e tests that run
 * READMEs verbatim (examples.test.ts, templates.test.ts).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { TOOLS_BIN } from "./paths";

/** The `sh` blocks of a markdown text, in order, as one script (other fences are not run). */
export function readmeScript(readme: string): string {
  const blocks = [...readme.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  assert.ok(blocks.length > 0, "the README has a fenced sh block");
  return blocks.join("");
}

/**
 * The user's environment (certificates, proxies, npm and pip settings), less any Pulumi or NATS
 * setting of the runner (the documented commands choose backend and passphrase themselves), with the
 * pinned tools first on PATH, no update check, and `extra` on top.
 */
export function userEnvironment(extra: Record<string, string>): Record<string, string> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] =>
        e[1] !== undefined && !e[0].startsWith("PULUMI_") && !e[0].startsWith("NATS_"),
    ),
  );
  return {
    ...env,
    PATH: `${TOOLS_BIN}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    ...extra,
  };
}

/** Runs `script` with bash -e in `cwd`; resolves with its exit code and output once it ends. */
export function runScript(
  script: string,
  cwd: string,
  env: Record<string, string>,
  limitMs: number,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-e", "-c", script], {
      cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const stopGroup = () => {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // the group is gone already
      }
    };
    const timer = setTimeout(() => {
      out += `\n[test] still running after ${limitMs} ms: stopped\n`;
      stopGroup();
    }, limitMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      // What the script left in the background (servers, subscribers) goes with it.
      stopGroup();
      // The pipes close once the background processes holding them have exited.
      child.on("close", () => resolve({ code, out }));
    });
  });
}
