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
import * as pulumi from "@pulumi/pulumi";
import { createKeyPair } from "../../core/nkeys";
import { Account, Operator } from "../../sdk";
import { findSecrets, TestStack } from "../harness/pulumi";

const PROJECT = "config-secrets";

const program = async () => {
  const cfg = new pulumi.Config();
  const op = new Operator("op", { seed: cfg.getSecret("operatorSeed") });
  const accounts = cfg.getObject<Record<string, { seed: string }>>("accounts") ?? {};
  for (const [name, a] of Object.entries(accounts)) new Account(name, { operator: op, seed: a.seed });
  return { operator: op.publicKey };
};

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
  let t: TestStack;

  before(async () => {
    t = await TestStack.create(PROJECT, program, {
      operatorSeed: { value: operatorSeed },
      accounts: { value: JSON.stringify({ APP: { seed: appSeed } }) },
    });
  });
  after(async () => t?.dispose());

  it("config secrets e2e - up fails naming the keys and commands; the commands, run as written, make the values secret and up succeeds", async () => {
    const failed = await t.up().then(
      () => undefined,
      (e: unknown) => String(e),
    );
    assert.ok(failed !== undefined, "up fails while the seeds are plain config");
    assert.match(failed, /stack config holds key material in plain text/);
    assert.match(failed, new RegExp(`${PROJECT}:operatorSeed: an nkey seed`));
    assert.match(failed, new RegExp(`${PROJECT}:accounts: an nkey seed at ${PROJECT}:accounts\\.APP\\.seed`));
    for (const s of [operatorSeed, appSeed]) assert.ok(!failed.includes(s), "the error carries no seed");

    const exported = await t.exportText();
    assert.deepEqual(findSecrets("pulumi stack export", exported), [], "no seed in the export");
    const stored = seedFiles(t.dir);
    console.log(`files holding a seed after the failed up: ${JSON.stringify(stored)}`);
    assert.deepEqual(
      stored.filter(
        (f) => f.includes(`${path.sep}stacks${path.sep}`) || f.includes(`${path.sep}backups${path.sep}`),
      ),
      [],
      "no checkpoint or backup holds a seed",
    );

    // The message's commands, as written, from the project folder.
    const commands = failed
      .split(/\\n|\n/)
      .map((l) => l.trim())
      .filter((l) => l.startsWith("pulumi config get"));
    assert.equal(commands.length, 2, JSON.stringify(commands));
    for (const c of commands) {
      execFileSync("sh", ["-c", c], { cwd: t.stack.workspace.workDir, env: { ...process.env, ...t.env } });
    }
    const config = await t.stack.getAllConfig();
    assert.equal(config[`${PROJECT}:operatorSeed`]?.secret, true);
    assert.equal(config[`${PROJECT}:accounts`]?.secret, true);
    assert.equal(config[`${PROJECT}:operatorSeed`]?.value, operatorSeed, "the same value, now secret");

    const up = await t.up();
    assert.equal(up.summary.result, "succeeded");
    assert.deepEqual(findSecrets("pulumi stack export", await t.exportText()), []);
    const after = seedFiles(t.dir);
    console.log(`files holding a seed after the second up: ${JSON.stringify(after)}`);
    assert.deepEqual(
      after.filter((f) => f.includes(`${path.sep}stacks${path.sep}`)),
      [],
      "the checkpoint holds no seed",
    );
  });
});
