/**
 * An account JWT near the servers' limit is warned about at preview from a YAML program, through the
 * native plugin (the handler's check says it; the TypeScript SDK's own warning never runs there), and
 * a `"*"` revocation's preview says how many entries it replaces. One stack: `up` with no
 * revocations, then a preview with 9,500 of them (about 890 KB of JWT, past 75% of 1 MiB).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { createKeyPair } from "../../core/nkeys";
import { REPO_ROOT, toolPath } from "../harness/paths";
import { TestStack } from "../harness/pulumi";

const PLUGIN_DIR = path.join(REPO_ROOT, "dist", "native");
const COUNT = 9_500;
const COVERED = 5;

function program(revocations: string): string {
  return `name: yaml-account-size
runtime: yaml
plugins:
  providers:
    - name: nats-auth
      path: ${PLUGIN_DIR}
resources:
  opKey:
    type: nats-auth:index:KeyPair
    properties:
      kind: operator
  appKey:
    type: nats-auth:index:KeyPair
    properties:
      kind: account
  app:
    type: nats-auth:index:Account
    properties:
      name: APP
      seed: \${appKey.seed}
      operatorPublicKey: \${opKey.publicKey}
      signerSeed: \${opKey.seed}
${revocations}`;
}

describe("e2e account size - the preview of a YAML program warns of an account JWT near the limit", () => {
  let t: TestStack;
  let dir: string;
  before(async () => {
    toolPath("pulumi-language-yaml");
    execFileSync("npm", ["run", "plugin"], { cwd: REPO_ROOT, stdio: "pipe" });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-yaml-size-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), program(""));
    t = await TestStack.fromFolder(dir, "e2e");
  });
  after(async () => {
    try {
      await t?.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('account size - preview warns with the JWT size and the share of the limit; a "*" says how many entries it replaces', async () => {
    await t.up();
    const lines = ["      revocations:", '        "*": 1600000000'];
    for (let i = 0; i < COUNT; i++) {
      lines.push(
        `        ${createKeyPair("user").getPublicKey()}: ${i < COVERED ? 1500000000 : 1700000000 + i}`,
      );
    }
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), program(`${lines.join("\n")}\n`));
    const { stdout } = await t.preview();
    const warning = /Account "APP": the account JWT is (\d+) bytes, (\d+)% of the 1048576-byte limit/.exec(
      stdout,
    );
    assert.ok(warning, `the preview warns:\n${stdout.slice(-3000)}`);
    assert.ok(Number(warning[1]) > 0.75 * 1048576 && Number(warning[1]) < 1048576, warning[0]);
    assert.match(stdout, /warning: .*Account "APP": the account JWT is/);
    assert.match(stdout, new RegExp(`revocations\\["\\*"\\] .* replaces ${COVERED} revocation entries`));
  });
});
