/**
 * examples/nats-context as written, through the real pulumi CLI and the real `nats` CLI: the creds
 * files are 0600, the contexts are what natscli reads, publish/subscribe works through them, and the
 * permissions are enforced as declared (a denied publish or subscribe fails).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { nats, natsBackground, publishUntilReceived } from "../harness/natsCli";
import { freePort, NatsServer } from "../harness/natsServer";
import { REPO_ROOT, toolPath } from "../harness/paths";
import { changeCount, SEED_RE, TestStack } from "../harness/pulumi";

const EXAMPLE = path.join(REPO_ROOT, "examples", "nats-context");

describe("e2e nats-context example", () => {
  let t: TestStack | undefined;
  let server: NatsServer | undefined;
  after(async () => {
    await t?.dispose();
    await server?.[Symbol.asyncDispose]();
  });

  it("nats-context - creds files 0600, contexts natscli reads, pub/sub and permissions through them", async () => {
    toolPath("nats");
    const env = TestStack.environment("nats-context");
    const configHome = path.join(env.dir, "config-home");
    const outDir = path.join(env.dir, "out");
    // The program's default config home is natscli's: $XDG_CONFIG_HOME, here a test directory.
    env.envVars = { ...env.envVars, XDG_CONFIG_HOME: configHome };
    const port = await freePort();
    t = await TestStack.fromFolder(
      EXAMPLE,
      "e2e",
      { port: { value: String(port) }, outDir: { value: outDir }, push: { value: "false" } },
      env,
    );

    // First up: signs, writes the server config, the creds files and the contexts.
    await t.up();
    for (const name of ["orders-publisher", "orders-reader"]) {
      const creds = path.join(outDir, `${name}.creds`);
      assert.equal(fs.statSync(creds).mode & 0o777, 0o600, `${name}.creds is 0600`);
      const ctxFile = path.join(configHome, "nats", "context", `${name}.json`);
      assert.equal(fs.statSync(ctxFile).mode & 0o777, 0o600);
      assert.deepEqual(JSON.parse(fs.readFileSync(ctxFile, "utf8")), {
        description: `ORDERS ${name}`,
        url: `nats://127.0.0.1:${port}`,
        creds,
      });
      assert.doesNotMatch(fs.readFileSync(ctxFile, "utf8"), SEED_RE);
    }
    const listed = await nats(configHome, ["context", "ls"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /orders-publisher/);
    assert.match(listed.stdout, /orders-reader/);

    server = await NatsServer.fromConfig(fs.readFileSync(path.join(outDir, "server.conf"), "utf8"), { port });
    await t.stack.setConfig("push", { value: "true" });
    const pushed = await t.up();
    assert.equal(pushed.outputs.ordersPushedTo.value, 1);

    // The reader receives what the publisher sends, each through its own context.
    const sub = natsBackground(configHome, ["--context", "orders-reader", "sub", "orders.>", "--count", "1"]);
    try {
      const { exited, lastPublish } = await publishUntilReceived(configHome, sub, [
        "--context",
        "orders-publisher",
        "pub",
        "orders.new",
        "order-42",
      ]);
      assert.equal(lastPublish.code, 0, lastPublish.stderr);
      assert.equal(exited, 0, sub.output());
      assert.match(sub.output(), /order-42/);
    } finally {
      sub.child.kill();
    }

    // Permissions as declared: the publisher may not publish outside orders.>, the reader not at all,
    // and the publisher may not subscribe to orders.>.
    const denied = [
      ["--context", "orders-publisher", "pub", "payments.new", "x"],
      ["--context", "orders-reader", "pub", "orders.new", "x"],
      ["--context", "orders-publisher", "sub", "orders.>", "--count", "1", "--timeout", "5s"],
    ];
    for (const args of denied) {
      const r = await nats(configHome, args);
      assert.notEqual(r.code, 0, `nats ${args.join(" ")} must fail`);
      assert.match(r.stdout + r.stderr, /Permissions Violation/, args.join(" "));
    }

    // A creds file loosened behind the stack's back is drift: refresh notices, up tightens it again.
    const publisherCreds = path.join(outDir, "orders-publisher.creds");
    fs.chmodSync(publisherCreds, 0o644);
    await t.refresh();
    const preview = await t.preview();
    assert.deepEqual(
      Object.fromEntries(Object.entries(preview.changeSummary).filter(([op]) => op !== "same")),
      { update: 1 },
      preview.stdout,
    );
    await t.up();
    assert.equal(fs.statSync(publisherCreds).mode & 0o777, 0o600);
    assert.equal(changeCount((await t.preview()).changeSummary), 0);
    assert.doesNotMatch(await t.exportText(), SEED_RE);

    // Destroy removes the files it wrote.
    await t.destroy();
    assert.equal(fs.existsSync(publisherCreds), false);
    assert.equal(fs.existsSync(path.join(configHome, "nats", "context", "orders-reader.json")), false);
  });
});
