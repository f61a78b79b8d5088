/**
 * examples/guardrails as written: the nats-guardrails policy pack run by the real CLI
 * (`pulumi preview --policy-pack`) over a TypeScript stack that keeps every rule (passes, prod
 * config) and one that breaks each mandatory rule once (fails, each violation with its resource,
 * field and message).
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "../harness/paths";
import { TestStack } from "../harness/pulumi";

const EXAMPLE = path.join(REPO_ROOT, "examples", "guardrails");
const PACK = `--policy-pack "$(realpath ../../policy/analyzer)"`;
const KEEPS = `pulumi preview ${PACK} --policy-pack-config policy-config.prod.json`;
const BREAKS = `pulumi preview -c insecure=true ${PACK} --policy-pack-config policy-config.dev.json`;

describe("e2e guardrails policy pack", () => {
  let t: TestStack | undefined;
  const yamlStacks: TestStack[] = [];
  after(async () => {
    for (const s of [t, ...yamlStacks]) await s?.dispose();
  });

  /** One command, run by a shell in `cwd` (the example's folder) on the test stack's backend. */
  const run = (command: string, cwd = EXAMPLE, stack = t!) => {
    const r = spawnSync("sh", ["-c", command], {
      cwd,
      env: { ...process.env, ...stack.env },
      encoding: "utf8",
      maxBuffer: 64 << 20,
    });
    stack.logs.push(r.stdout, r.stderr);
    return { status: r.status, out: r.stdout + r.stderr };
  };

  it("guardrails - a stack keeping the rules passes; one breaking each mandatory rule fails, naming resource and field", async () => {
    const readme = fs.readFileSync(path.join(EXAMPLE, "README.md"), "utf8");
    for (const c of [KEEPS, BREAKS]) assert.ok(readme.includes(c), `the README runs: ${c}`);
    t = await TestStack.fromFolder(EXAMPLE, "dev");

    const keeps = run(KEEPS);
    assert.equal(keeps.status, 0, keeps.out);
    assert.match(keeps.out, /✅ nats-guardrails@v0\.1\.0/);
    assert.doesNotMatch(keeps.out, /\[(mandatory|advisory)\]/);

    const breaks = run(BREAKS);
    assert.notEqual(breaks.status, 0, breaks.out);
    assert.match(breaks.out, /❌ nats-guardrails@v0\.1\.0/);
    const expected: [rule: string, type: string, resource: string, message: RegExp][] = [
      [
        "nats-no-full-wildcard-publish",
        "User",
        "firehose",
        /User "firehose": pub\.allow\[0\] allows publishing on ">"/,
      ],
      [
        "nats-operator-strict-signing-keys",
        "Operator",
        "loose",
        /Operator "loose": strictSigningKeyUsage is not true/,
      ],
      ["nats-operator-strict-signing-keys", "Operator", "loose", /Operator "loose": signingKeys is empty/],
      ["nats-account-signed-by-signing-key", "Account", "LOOSE", /Account "LOOSE": signer is not set/],
      [
        "nats-no-credentials-in-urls",
        "Account",
        "LOOSE",
        /Account "LOOSE": resolver\.servers\[0\] carries a user or password/,
      ],
    ];
    for (const [rule, type, resource, message] of expected) {
      const head = `[mandatory]  ${rule}  (pulumi-nodejs:dynamic/nats-auth:${type}: ${resource})`;
      assert.ok(breaks.out.includes(head), `reported: ${head}\n${breaks.out}`);
      assert.match(breaks.out, message);
    }
    // Exactly these: the system account and its user are exempt, and nothing advisory fires in dev.
    assert.equal(breaks.out.match(/^\s+- \[(mandatory|advisory)\]/gm)?.length, expected.length, breaks.out);
    assert.ok(!breaks.out.includes("s3cret"), "the password in the URL is not repeated");
  });

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
