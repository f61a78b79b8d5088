/**
 * examples/multi-env as written: stacks dev and prod of one program in one backend, each with its own
 * server. prod adopts an operator from a seed set with `pulumi config set --secret` (on stdin, as the
 * README says). Proves isolation (each stack's creds are refused by the other's server), that a
 * change in one stack previews as exactly its own change, and that no seed is in plain text in
 * either export or stack file.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { createKeyPair } from "../../core/nkeys";
import { nats } from "../harness/natsCli";
import { freePort, NatsServer } from "../harness/natsServer";
import { REPO_ROOT, toolPath } from "../harness/paths";
import { changeCount, SEED_RE, TestStack } from "../harness/pulumi";

const EXAMPLE = path.join(REPO_ROOT, "examples", "multi-env");
const STACKS = ["dev", "prod"] as const;
type Env = (typeof STACKS)[number];

const changes = (summary: Record<string, number | undefined>) =>
  Object.fromEntries(Object.entries(summary).filter(([op]) => op !== "same"));

describe("e2e multi-env example", () => {
  const stackFiles = Object.fromEntries(
    STACKS.map((s) => {
      const file = path.join(EXAMPLE, `Pulumi.${s}.yaml`);
      return [file, fs.readFileSync(file, "utf8")];
    }),
  );
  const stacks: Partial<Record<Env, TestStack>> = {};
  const servers: NatsServer[] = [];
  after(async () => {
    try {
      // One after the other: both use one PULUMI_HOME, and a dispose scans it while the other's CLI
      // would be writing (and renaming) its logs. Both run even when the first finds a secret.
      let failed: unknown;
      for (const t of Object.values(stacks)) await t?.dispose().catch((e: unknown) => (failed ??= e));
      if (failed) throw failed;
    } finally {
      await Promise.all(servers.map((s) => s[Symbol.asyncDispose]()));
      // The committed stack files are the example; the run's config (ports, secret) is not.
      for (const [file, text] of Object.entries(stackFiles)) fs.writeFileSync(file, text);
    }
  });

  it("multi-env - dev and prod on their own servers: isolated, previews scoped, no seed in plain text", async () => {
    toolPath("nats");
    const env = TestStack.environment("multi-env");
    const configHome = path.join(env.dir, "config-home");
    env.envVars = { ...env.envVars, XDG_CONFIG_HOME: configHome };
    const ports: Record<Env, number> = { dev: await freePort(), prod: await freePort() };
    for (const s of STACKS) {
      stacks[s] = await TestStack.fromFolder(
        EXAMPLE,
        s,
        { port: { value: String(ports[s]) }, outDir: { value: path.join(env.dir, "out", s) } },
        env,
      );
    }
    const dev = stacks.dev!;
    const prod = stacks.prod!;

    // prod adopts an existing operator; its seed goes in through stdin, encrypted in the stack file.
    const prodSeed = createKeyPair("operator");
    execFileSync(toolPath("pulumi"), ["config", "set", "--secret", "operatorSeed", "-s", "prod"], {
      cwd: EXAMPLE,
      env: { ...process.env, ...env.envVars },
      input: prodSeed.seed(),
    });
    assert.ok(!fs.readFileSync(path.join(EXAMPLE, "Pulumi.prod.yaml"), "utf8").includes(prodSeed.seed()));

    // `pulumi up -c push=false` signs and writes the server configs; the servers start from them.
    for (const s of STACKS) await stacks[s]!.cli(["up", "--yes", "--skip-preview", "-c", "push=false"]);
    const signed = { dev: await dev.outputs(), prod: await prod.outputs() };
    assert.equal(signed.prod.operatorPublicKey.value, prodSeed.getPublicKey(), "prod adopted its operator");
    assert.notEqual(signed.dev.operatorPublicKey.value, prodSeed.getPublicKey());
    for (const s of STACKS) {
      const conf = fs.readFileSync(String(signed[s].serverConfigPath.value), "utf8");
      servers.push(await NatsServer.fromConfig(conf, { port: ports[s], name: s }));
    }
    const urls = { dev: `nats://127.0.0.1:${ports.dev}`, prod: `nats://127.0.0.1:${ports.prod}` };
    for (const s of STACKS) {
      await stacks[s]!.cli(["config", "rm", "push"]);
      const up = await stacks[s]!.up();
      assert.equal(up.outputs.appPushedTo.value, 1, `${s} pushed to its server`);
    }

    // Each stack's users work on their own server, through their contexts, with their own permissions.
    const ok = await nats(configHome, ["--context", "dev-alice", "pub", "anything.at.all", "x"]);
    assert.equal(ok.code, 0, ok.stderr);
    const svc = await nats(configHome, ["--context", "prod-orders-svc", "pub", "orders.new", "x"]);
    assert.equal(svc.code, 0, svc.stderr);
    const narrow = await nats(configHome, ["--context", "prod-orders-svc", "pub", "anything.at.all", "x"]);
    assert.notEqual(narrow.code, 0, "prod's users keep prod's permissions");
    assert.match(narrow.stdout + narrow.stderr, /Permissions Violation/);
    // prod's audit user publishes nothing at all (its `pub: []` means none, not everything).
    const audit = await nats(configHome, ["--context", "prod-audit", "pub", "orders.new", "x"]);
    assert.notEqual(audit.code, 0, "prod's audit user may not publish");
    assert.match(audit.stdout + audit.stderr, /Permissions Violation/);

    // Isolation: each stack's creds are refused by the other stack's server.
    for (const [context, other] of [
      ["dev-alice", urls.prod],
      ["prod-orders-svc", urls.dev],
    ]) {
      const r = await nats(configHome, ["--context", context, "--server", other, "pub", "orders.new", "x"]);
      assert.notEqual(r.code, 0, `${context} on ${other} must be refused`);
      assert.match(r.stdout + r.stderr, /Authorization Violation/i, `${context} on ${other}`);
    }

    // A change to dev's config previews as exactly dev's change, and prod previews nothing.
    await dev.cli(["config", "set", "--path", "limits.conn", "50"]);
    const devPreview = await dev.preview({ diff: true });
    assert.deepEqual(changes(devPreview.changeSummary), { update: 1 }, devPreview.stdout);
    assert.match(devPreview.stdout, /Account: \(update\)/);
    assert.equal(changeCount((await prod.preview()).changeSummary), 0);
    const devUp = await dev.up();
    assert.deepEqual(changes(devUp.summary.resourceChanges ?? {}), { update: 1 });
    assert.equal(devUp.outputs.appPushedTo.value, 1);
    assert.equal(changeCount((await dev.preview()).changeSummary), 0);

    // No seed in plain text in either export, nor the adopted one anywhere in the stack files.
    for (const s of STACKS) {
      const exported = await stacks[s]!.exportText();
      assert.doesNotMatch(exported, SEED_RE, `${s} export`);
      assert.doesNotMatch(fs.readFileSync(path.join(EXAMPLE, `Pulumi.${s}.yaml`), "utf8"), SEED_RE);
    }
  });
});
