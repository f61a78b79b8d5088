/**
 * The nats-guardrails policy pack run by the real CLI (`pulumi preview --policy-pack`) over YAML
 * programs on the native plugin: one that keeps the rules passes, one that breaks them fails. The
 * TypeScript example (examples/guardrails) runs as its README says in examples.test.ts.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "../harness/paths";
import { TestStack } from "../harness/pulumi";

const EXAMPLE = path.join(REPO_ROOT, "examples", "guardrails");

describe("e2e guardrails policy pack", () => {
  const yamlStacks: TestStack[] = [];
  after(async () => {
    for (const s of yamlStacks) await s.dispose();
  });

  /** One command, run by a shell in `cwd` (the example's folder) on the test stack's backend. */
  const run = (command: string, cwd: string, stack: TestStack) => {
    const r = spawnSync("sh", ["-c", command], {
      cwd,
      env: { ...process.env, ...stack.env },
      encoding: "utf8",
      maxBuffer: 64 << 20,
    });
    stack.logs.push(r.stdout, r.stderr);
    return { status: r.status, out: r.stdout + r.stderr };
  };

  it("guardrails - the same pack over YAML on the native plugin: the leafnode example passes, a stack breaking the rules fails", async () => {
    // The plugin the YAML programs' `plugins:` section points at (as the yaml README builds it).
    execFileSync("npm", ["run", "plugin"], { cwd: REPO_ROOT, stdio: "pipe" });
    const env = TestStack.environment("guardrails-yaml");
    const breaksDir = path.join(REPO_ROOT, "test", "e2e", "fixtures", "guardrails-yaml");
    const keepsDir = path.join(REPO_ROOT, "examples", "yaml", "leafnode");
    const breaksStack = await TestStack.fromFolder(breaksDir, "breaks", {}, env);
    yamlStacks.push(breaksStack);
    const keepsStack = await TestStack.fromFolder(keepsDir, "keeps", {}, env);
    yamlStacks.push(keepsStack);
    const preview = (stack: string) =>
      `pulumi preview --policy-pack "${path.join(REPO_ROOT, "policy", "analyzer")}" --policy-pack-config "${path.join(EXAMPLE, "policy-config.dev.json")}" --stack ${stack}`;

    const keeps = run(preview("keeps"), keepsDir, keepsStack);
    assert.equal(keeps.status, 0, keeps.out);
    assert.doesNotMatch(keeps.out, /\[mandatory\]/);
    // Advisory in dev: APP has no limits; the system account and its user are exempt.
    assert.ok(
      keeps.out.includes("[advisory]  nats-account-limits  (nats-auth:index:Account: app)"),
      keeps.out,
    );
    assert.doesNotMatch(keeps.out, /\((nats-auth:index:Account: sys|nats-auth:index:User: sysUser)\)/);

    const breaks = run(preview("breaks"), breaksDir, breaksStack);
    assert.notEqual(breaks.status, 0, breaks.out);
    for (const head of [
      "[mandatory]  nats-no-full-wildcard-publish  (nats-auth:index:User: firehose)",
      "[mandatory]  nats-operator-strict-signing-keys  (nats-auth:index:Operator: loose)",
      "[mandatory]  nats-account-signed-by-signing-key  (nats-auth:index:Account: LOOSE)",
    ]) {
      assert.ok(breaks.out.includes(head), `reported: ${head}\n${breaks.out}`);
    }
    assert.match(breaks.out, /Account "LOOSE": operatorSigningKeys is empty/);
    assert.match(breaks.out, /User "firehose": pub\.allow\[0\] allows publishing on ">"/);
    assert.equal(breaks.out.match(/^\s+- \[mandatory\]/gm)?.length, 4, breaks.out);
  });
});
