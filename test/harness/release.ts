/**
 * The package as released at 0.1.0, for tests of stacks an earlier release wrote: the baseline commit
 * (checked to be 0.1.0 and an ancestor of HEAD), its tarball built as released (cached under
 * .tools/fixtures), the current package packed from this checkout, and a consumer project that
 * installs either. Used by test/e2e/stateUpgrade.test.ts and test/e2e/utf8Upgrade.test.ts.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT, TOOLS_BIN } from "./paths";

/** The commit released as 0.1.0 (tags do not travel reliably with clones). */
export const BASELINE = "2ad660c";
export const BASELINE_VERSION = "0.1.0";
const FIXTURES = path.join(REPO_ROOT, ".tools", "fixtures");

const env = { ...process.env, PATH: `${TOOLS_BIN}${path.delimiter}${process.env.PATH ?? ""}` };

export function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** The full hash of BASELINE, checked to be 0.1.0 and an ancestor of HEAD. */
export function baselineCommit(): string {
  let commit: string;
  try {
    commit = run("git", ["rev-parse", "--verify", `${BASELINE}^{commit}`], REPO_ROOT);
  } catch {
    throw new Error(
      `commit ${BASELINE} (release ${BASELINE_VERSION}) is not in this clone: fetch the full history (git fetch --unshallow)`,
    );
  }
  const manifest = JSON.parse(run("git", ["show", `${commit}:package.json`], REPO_ROOT)) as {
    version: string;
  };
  assert.equal(manifest.version, BASELINE_VERSION, `${commit}'s package.json`);
  try {
    run("git", ["merge-base", "--is-ancestor", commit, "HEAD"], REPO_ROOT);
  } catch {
    throw new Error(`${commit} (release ${BASELINE_VERSION}) is not an ancestor of HEAD`);
  }
  return commit;
}

/** Packs `commit` as released (its own lockfile, compiler settings and `files`); cached in FIXTURES. */
export function baselineTarball(commit: string): string {
  const cached = path.join(FIXTURES, `pulumi-nats-auth-${BASELINE_VERSION}-${commit}.tgz`);
  if (fs.existsSync(cached)) return cached;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "pna-baseline-"));
  try {
    const src = path.join(work, "src");
    fs.mkdirSync(src);
    run("git", ["archive", "--format=tar", "-o", path.join(work, "src.tar"), commit], REPO_ROOT);
    run("tar", ["-xf", path.join(work, "src.tar"), "-C", src], work);
    run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], src);
    run("npx", ["--no-install", "tsc", "-p", "tsconfig.json"], src);
    const tgz = run("npm", ["pack", "--ignore-scripts", "--pack-destination", work], src).split("\n").pop()!;
    fs.mkdirSync(FIXTURES, { recursive: true });
    const partial = `${cached}.${process.pid}.partial`;
    fs.copyFileSync(path.join(work, tgz), partial);
    fs.renameSync(partial, cached);
    return cached;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The current package as users get it (dist built), packed into `dir`; returns its path. */
export function currentTarball(dir: string): string {
  const packed = run("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], REPO_ROOT)
    .split("\n")
    .pop()!;
  const to = path.join(dir, "current.tgz");
  fs.renameSync(path.join(dir, packed), to);
  return to;
}

/** Makes `dir` a consumer project depending on the tarball `tgz` (a file in `dir`), and installs it. */
export function installPackage(dir: string, tgz: string): void {
  const pulumiVersion = (
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      devDependencies: Record<string, string>;
    }
  ).devDependencies["@pulumi/pulumi"];
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({
      name: "consumer",
      private: true,
      dependencies: { "pulumi-nats-auth": `file:./${tgz}`, "@pulumi/pulumi": pulumiVersion },
    }),
  );
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], dir);
}

/** npm's integrity string of a file (what package-lock.json records for a tarball). */
export function integrity(file: string): string {
  return `sha512-${createHash("sha512").update(fs.readFileSync(file)).digest("base64")}`;
}

/** The pulumi-nats-auth entry of the consumer's package-lock.json. */
export function lockedPackage(dir: string): { resolved?: string; integrity?: string } {
  const lock = JSON.parse(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8")) as {
    packages: Record<string, { resolved?: string; integrity?: string }>;
  };
  return lock.packages["node_modules/pulumi-nats-auth"] ?? {};
}
