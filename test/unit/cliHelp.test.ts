/**
 * `pulumi-nats-auth --help` (issue 23): exits 0 for the command and after each subcommand, and
 * describes every option each subcommand's parser takes (run as users run it: the compiled bin).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { IMPORT_NSC_FLAGS } from "../../cli/importNsc";
import { REPO_ROOT } from "../harness/paths";

const BIN = path.join(REPO_ROOT, "dist", "cli", "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

describe("cli help", () => {
  it("cli help - --help, -h, help and `<command> --help` exit 0 and print the usage of every command", () => {
    for (const args of [["--help"], ["-h"], ["help"], ["import-nsc", "--help"], ["drift", "--help"]]) {
      const r = run(...args);
      assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stdout, /usage: pulumi-nats-auth import-nsc/);
      assert.match(r.stdout, /usage: pulumi-nats-auth drift/);
    }
  });

  it("cli help - every option of import-nsc and drift has a line of its own saying what it does", () => {
    const help = run("--help").stdout;
    for (const flag of [...IMPORT_NSC_FLAGS, "server", "dir", "json", "repair", "help"]) {
      assert.match(help, new RegExp(`^ {2}(-h, )?--${flag} +\\S`, "m"), `--${flag} is described`);
    }
  });

  it("cli help - no command, or an unknown one, exits 1 with the usage on stderr", () => {
    for (const args of [[], ["nope"]]) {
      const r = run(...args);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /usage: pulumi-nats-auth/);
    }
  });
});
