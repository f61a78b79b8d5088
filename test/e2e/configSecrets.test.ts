/**
 * Seeds set as plain stack config never reach the state: with dynamic resources the engine stores the
 * whole stack config in the pulumi-nodejs provider's state, plain values in plain text. A program
 * whose config holds a seed without `--secret` (a scalar and a leaf of a structured value) fails
 * before anything registers, naming each key and the command; after the run `pulumi stack export`
 * and the stack's checkpoint hold no seed; the commands the message gives, run as written, make the
 * values secret, and the next `up` succeeds with no seed in the export or the checkpoint.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { createKeyPair } from "../../core/nkeys";
import { REPO_ROOT } from "../harness/paths";
import { findSecrets, TestStack } from "../harness/pulumi";
import { program } from "./fixtures/configSecretsProgram";

const PROJECT = "config-secrets";

const FIXTURES = path.join(REPO_ROOT, "dist", "test", "e2e", "fixtures");

/** `pulumi up` of the stack in a child process (it is expected to fail; see fixtures/upChild.ts). */
function upInChild(t: TestStack): { ok: boolean; message?: string } {
  const out = execFileSync(
    process.execPath,
    [
      path.join(FIXTURES, "upChild.js"),
      path.join(FIXTURES, "configSecretsProgram.js"),
      "program",
      PROJECT,
      t.stack.name,
      t.stack.workspace.workDir,
    ],
    { env: { ...process.env, ...t.env }, encoding: "utf8", timeout: 180_000 },
  );
  return JSON.parse(out.trim().split("\n").pop() ?? "{}");
}

/** Files under `dir` holding a seed or creds marker, relative to `dir`. */
function seedFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    if (file.includes(`${path.sep}plugins${path.sep}`) || file.includes(`${path.sep}logs${path.sep}`))
      continue;
    if (findSecrets(file, fs.readFileSync(file, "latin1")).length) out.push(path.relative(dir, file));
  }
  return out.sort();
}

describe("e2e config secrets - plain seeds in stack config fail the program before anything is stored", () => {
  const operatorSeed = createKeyPair("operator").seed();
  const appSeed = createKeyPair("account").seed();
  const opsSeed = createKeyPair("account").seed();
  let t: TestStack;

  before(async () => {
    t = await TestStack.create(PROJECT, program, {
      operatorSeed: { value: operatorSeed },
      moreAccounts: { value: JSON.stringify({ OPS: { seed: opsSeed } }) },
    });
    // A map in the stack file, as `pulumi config set --path` writes it.
    await t.cli(["config", "set", "--path", "accounts.APP.seed", appSeed]);
  });
  after(async () => t?.dispose());

  it("config secrets e2e - up fails naming the keys and commands; the commands, run as written, make the values secret and up succeeds", async () => {
    const run = upInChild(t);
    assert.equal(run.ok, false, "up fails while the seeds are plain config");
    const failed = String(run.message);
    assert.match(failed, /stack config holds key material in plain text/);
    assert.match(failed, /Nothing was registered/);
    assert.match(failed, new RegExp(`${PROJECT}:operatorSeed: an nkey seed`));
    assert.match(failed, new RegExp(`${PROJECT}:accounts: an nkey seed at ${PROJECT}:accounts\\.APP\\.seed`));
    assert.match(
      failed,
      new RegExp(`${PROJECT}:moreAccounts: an nkey seed at ${PROJECT}:moreAccounts\\.OPS\\.seed`),
    );
    for (const s of [operatorSeed, appSeed, opsSeed])
      assert.ok(!failed.includes(s), "the error carries no seed");

    const exported = await t.exportText();
    assert.deepEqual(findSecrets("pulumi stack export", exported), [], "no seed in the export");
    const types = (
      (JSON.parse(exported) as { deployment?: { resources?: { type: string }[] } }).deployment?.resources ??
      []
    ).map((r) => r.type);
    assert.deepEqual(
      types,
      ["pulumi:pulumi:Stack"],
      "no provider and no resource was registered, only the stack",
    );
    const stored = seedFiles(t.dir);
    console.log(`files holding a seed after the failed up: ${JSON.stringify(stored)}`);
    // The engine records every update's config, as written in Pulumi.<stack>.yaml, in the backend's
    // update history before the program runs: the failed run's entry holds the plain values whatever
    // the program does. Checkpoints and backups hold none.
    const history = stored.filter((f) => f.includes(`${path.sep}history${path.sep}`));
    assert.equal(history.length, 1, "the failed run's history entry");
    assert.deepEqual(
      stored.filter((f) => !history.includes(f)),
      [path.join("work", "Pulumi.test.yaml")],
      "besides it, only the stack's own config file (the user's plain values) holds a seed",
    );

    // The message's commands, as written, from the project folder: the first one for each key, and
    // for the map the alternative that keeps its shape.
    const lines = [
      ...new Set(
        failed
          .split(/\\n|\n/)
          .map((l) => l.trim())
          .filter((l) => l.includes("pulumi config get")),
      ),
    ];
    const first = (key: string) =>
      lines.find(
        (l) => l === `pulumi config get '${PROJECT}:${key}' | pulumi config set --secret '${PROJECT}:${key}'`,
      );
    const keepShape = lines
      .find((l) => l.startsWith("(or, for a map") && l.includes(`'${PROJECT}:accounts.APP.seed'`))
      ?.replace(/^\(or, for a map, keeping its shape: /, "")
      .replace(/\)$/, "");
    const commands = [first("operatorSeed"), first("moreAccounts"), keepShape];
    assert.ok(
      commands.every((c) => c !== undefined),
      JSON.stringify(lines),
    );
    for (const c of commands as string[]) {
      execFileSync("sh", ["-c", c], { cwd: t.stack.workspace.workDir, env: { ...process.env, ...t.env } });
    }
    const config = await t.stack.getAllConfig();
    for (const key of ["operatorSeed", "moreAccounts", "accounts"]) {
      assert.equal(config[`${PROJECT}:${key}`]?.secret, true, `${key} is secret`);
    }
    assert.equal(config[`${PROJECT}:operatorSeed`]?.value, operatorSeed, "the same value, now secret");
    assert.deepEqual(JSON.parse(String(config[`${PROJECT}:moreAccounts`]?.value)), {
      OPS: { seed: opsSeed },
    });
    assert.deepEqual(JSON.parse(String(config[`${PROJECT}:accounts`]?.value)), { APP: { seed: appSeed } });
    const stackFile = fs.readFileSync(path.join(t.stack.workspace.workDir, "Pulumi.test.yaml"), "utf8");
    assert.match(stackFile, /accounts:\n\s+APP:\n\s+seed:\n\s+secure:/, "the map kept its shape");

    const up = await t.up();
    assert.equal(up.summary.result, "succeeded");
    assert.equal(up.summary.resourceChanges?.create, 3, "the operator and both accounts");
    assert.deepEqual(findSecrets("pulumi stack export", await t.exportText()), []);
    const after = seedFiles(t.dir);
    console.log(`files holding a seed after the second up: ${JSON.stringify(after)}`);
    assert.deepEqual(after, history, "only the failed run's history entry, which the README says to delete");
    fs.rmSync(path.join(t.dir, history[0]));
  });
});
