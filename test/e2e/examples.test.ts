/**
 * Every example README's commands, verbatim: the fenced `sh` blocks of examples/<name>/README.md are
 * run by bash, in order, in a copy of the example folder, as a user who cloned the repository would
 * run them. The copy sits in a tree shaped like the repository (examples/<name>, the package tarball
 * `npm pack` writes at the root), so the `file:` dependency of each package.json resolves as it does
 * in a clone. The environment is the user's (this process's, less PULUMI_* and NATS_* settings), with
 * the tools on PATH; PULUMI_HOME and XDG_CONFIG_HOME are temp folders (a fresh user's, so runs share
 * no workspace or nats contexts); the backend and passphrase come from the README's own `export` line. The tarball is packed once
 * for all examples; each example's `npm install` reads npm's cache.
 *
 * What a README says a command prints is asserted on the output; the files each example leaves
 * (state, backups, config, written files) and the output are scanned for seeds in the open. The
 * script runs in its own process group, stopped at the end with what it started in the background
 * (nats-server, nats subscribers).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO_ROOT, toolPath } from "../harness/paths";
import { findSecrets, scanFiles } from "../harness/pulumi";
import { readmeScript, runScript, userEnvironment } from "../harness/shell";

/** The examples whose README this file runs, and what their output must show. */
const EXAMPLES: { dir: string; prints: RegExp[] }[] = [
  { dir: "quickstart", prints: [/^hello from APP$/m, /appPushedTo\s*: 0 => 1/] },
  { dir: "one-up", prints: [/appPushedTo\s*: 1/, /^hello$/m] },
  {
    dir: "multi-env",
    prints: [
      /\[#1\] Received on "orders\.new"\s*\n\s*hi/,
      // One push per stack, each to its own server.
      /multi-env-dev[\s\S]*appPushedTo\s*: 0 => 1/,
      /multi-env-prod[\s\S]*appPushedTo\s*: 0 => 1/,
      /dev-alice refused by prod/,
    ],
  },
  {
    dir: "key-rotation",
    prints: [
      /orders-1\.creds refused: its signer is gone/,
      /orders-2\.creds refused: revoked/,
      /restartRequired\s*: false => true/,
      /^hello$/m,
    ],
  },
  {
    dir: "nats-context",
    prints: [
      /\[#1\] Received on "orders\.new"\s*\n\s*hi/,
      /Permissions Violation for Publish to "payments\.new"/,
      /payments\.new refused/,
    ],
  },
  {
    dir: "platform-team",
    prints: [
      /ordersPushedTo\s*: 0 => 1/,
      /\[#1\] Received on "orders\.new"\s*\n\s*hi/,
      /\[#1\] Received on "orders\.new"\s*\n\s*again/,
    ],
  },
  {
    dir: "private-export",
    prints: [/request on "billing\.refund"\n.*No responders are available/, /^invoice from BILLING$/m],
  },
  { dir: "leafnode-jwt", prints: [/^hello from main$/m, /appPushedTo\s*: 0 => 1/] },
  {
    dir: "guardrails",
    prints: [
      /✅ nats-guardrails@v0\.1\.0/,
      /❌ nats-guardrails@v0\.1\.0/,
      /\[mandatory\] {2}nats-no-full-wildcard-publish {2}\(pulumi-nodejs:dynamic\/nats-auth:User: firehose\)/,
      /User "firehose": pub\.allow\[0\] allows publishing on ">"/,
      /\[mandatory\] {2}nats-operator-strict-signing-keys {2}\(pulumi-nodejs:dynamic\/nats-auth:Operator: loose\)/,
      /Operator "loose": strictSigningKeyUsage is not true/,
      /Operator "loose": signingKeys is empty/,
      /\[mandatory\] {2}nats-account-signed-by-signing-key {2}\(pulumi-nodejs:dynamic\/nats-auth:Account: LOOSE\)/,
      /Account "LOOSE": signer is not set/,
      /Account "LOOSE": resolver\.servers\[0\] carries a user or password/,
      /^insecure preview refused by the pack$/m,
    ],
  },
  {
    dir: "auth-callout",
    prints: [
      /^callout service ready$/m,
      /^hello from APP$/m,
      /Authorization Violation/,
      /^wrong token refused$/m,
    ],
  },
];

/**
 * Examples whose programs other tests run, with assertions a README cannot show (a callout service,
 * revocations read from JWTs, the languages' hosts).
 */
const RUN_ELSEWHERE: Record<string, string> = {
  go: "goProgram.test.ts",
  python: "pythonProgram.test.ts",
  yaml: "yaml.test.ts",
};

const VERSION = (
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }
).version;
const TARBALL = `pulumi-nats-auth-${VERSION}.tgz`;

/** Files of `dir` a clone has (tracked, or new and not ignored), relative to the repository. */
function cloneFiles(dir: string): string[] {
  return execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "--", dir], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .filter((f) => f && fs.existsSync(path.join(REPO_ROOT, f)));
}

describe("e2e examples - each example README's commands, verbatim", () => {
  let root: string;
  let env: Record<string, string>;
  const durations: string[] = [];

  before(() => {
    for (const t of ["pulumi", "pulumi-language-nodejs", "nats-server", "nats", "nsc"]) toolPath(t);
    root = fs.mkdtempSync(path.join(os.tmpdir(), "pna-examples-"));
    // `npm pack` in the repository root, as docs/examples.md says (dist is built: the tests run from it).
    const packed = execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", root], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    })
      .trim()
      .split("\n")
      .pop();
    assert.equal(packed, TARBALL, "npm pack writes the file the examples depend on");
    fs.mkdirSync(path.join(root, "home"));
    fs.mkdirSync(path.join(root, "xdg"));
    env = userEnvironment({
      PULUMI_HOME: path.join(root, "home"),
      XDG_CONFIG_HOME: path.join(root, "xdg"),
    });
  });
  after(() => {
    if (durations.length) console.log(`examples: ${durations.join(", ")}`);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("examples - every example folder is run here or by the test named for it; each package.json installs the packed tarball", () => {
    const covered = new Set([...EXAMPLES.map((e) => e.dir), ...Object.keys(RUN_ELSEWHERE)]);
    for (const d of fs.readdirSync(path.join(REPO_ROOT, "examples"))) {
      assert.ok(covered.has(d), `examples/${d} is run by no test: add it to EXAMPLES`);
    }
    for (const test of Object.values(RUN_ELSEWHERE)) {
      assert.ok(fs.existsSync(path.join(REPO_ROOT, "test", "e2e", test)), test);
    }
    for (const { dir } of EXAMPLES) {
      for (const f of cloneFiles(path.join("examples", dir)).filter((f) => f.endsWith("package.json"))) {
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, f), "utf8")) as {
          dependencies: Record<string, string>;
        };
        const dep = pkg.dependencies["pulumi-nats-auth"];
        assert.ok(dep?.startsWith("file:"), `${f} depends on the tarball`);
        assert.equal(
          path.resolve(REPO_ROOT, path.dirname(f), dep.slice("file:".length)),
          path.join(REPO_ROOT, TARBALL),
          `${f}: the tarball \`npm pack\` writes in the repository root`,
        );
      }
    }
  });

  for (const { dir, prints } of EXAMPLES) {
    it(`examples - ${dir}: README commands as written, what they print, no seed in the open`, async () => {
      const repoDir = path.join("examples", dir);
      for (const f of cloneFiles(repoDir)) {
        const to = path.join(root, f);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.copyFileSync(path.join(REPO_ROOT, f), to);
      }
      const cwd = path.join(root, repoDir);
      const script = readmeScript(fs.readFileSync(path.join(cwd, "README.md"), "utf8"));
      const started = Date.now();
      // key-rotation runs 11 `pulumi up`s: about 200 s on a loaded 2-core machine, 300 s was once too few.
      const { code, out } = await runScript(script, cwd, env, 540_000);
      durations.push(`${dir} ${Math.round((Date.now() - started) / 1000)} s`);
      assert.equal(code, 0, `the README's commands failed:\n${out.slice(-6000)}`);
      for (const re of prints) assert.match(out, re, `the output shows ${re}:\n${out.slice(-6000)}`);
      const found = [
        ...findSecrets("the commands' output", out),
        ...scanFiles(cwd),
        ...scanFiles(env.PULUMI_HOME),
      ];
      assert.deepEqual(found, [], "no seed in the open");
    });
  }
});
