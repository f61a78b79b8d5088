/**
 * docs/resolver.md "Sign first, push later" shows examples/quickstart/index.ts verbatim; this runs it through the real
 * pulumi CLI against a real server: sign only, start the server from the outputs, then push.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { connect, credsAuthenticator } from "@nats-io/transport-node";
import { renderServerConfig } from "../../core/serverConfig";
import { closeAllResolvers } from "../../io/resolverPool";
import { NatsServer } from "../harness/natsServer";
import { REPO_ROOT } from "../harness/paths";
import { changeCount, TestStack } from "../harness/pulumi";

const EXAMPLE = path.join(REPO_ROOT, "examples", "quickstart", "index.ts");

describe("e2e quickstart - the docs/resolver.md example runs as written", () => {
  let t: TestStack | undefined;
  let server: NatsServer | undefined;
  after(async () => {
    await t?.dispose();
    await closeAllResolvers();
    await server?.[Symbol.asyncDispose]();
  });

  it("quickstart - docs/resolver.md shows the example file unchanged", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "docs", "resolver.md"), "utf8");
    const example = fs.readFileSync(EXAMPLE, "utf8");
    assert.ok(
      readme.includes(`\`\`\`ts\n${example}\`\`\``),
      "docs/resolver.md embeds examples/quickstart/index.ts verbatim",
    );
  });

  it("quickstart - sign, start a server from the outputs, push, connect with the user's creds", async () => {
    // The compiled example is the program: requiring it inside the inline program runs it there
    // (afresh on every run, as `pulumi up` would).
    const compiled = require.resolve("../../examples/quickstart/index");
    t = await TestStack.create("quickstart", async () => {
      delete require.cache[compiled];
      return require(compiled);
    });
    const signed = await t.up();
    assert.equal(signed.outputs.appPushedTo.value, 0);
    server = await NatsServer.start({
      body: renderServerConfig({
        operator: String(signed.outputs.operatorJwt.value),
        systemAccount: String(signed.outputs.systemAccount.value),
        resolver: { type: "full", dir: "jwt", allowDelete: true },
        preload: {
          [String(signed.outputs.systemAccount.value)]: String(signed.outputs.systemAccountJwt.value),
        },
      }),
    });
    await t.stack.setConfig("servers", { value: JSON.stringify([server.url]) });
    // Only the account changes; its users keep seeing its (unchanged) public key during preview.
    const preview = await t.preview({ diff: true });
    assert.deepEqual(
      Object.fromEntries(Object.entries(preview.changeSummary).filter(([op]) => op !== "same")),
      { update: 1 },
      preview.stdout,
    );
    const pushed = await t.up();
    assert.equal(pushed.outputs.appPushedTo.value, 1);
    const nc = await connect({
      servers: server.url,
      authenticator: credsAuthenticator(new TextEncoder().encode(String(pushed.outputs.userCreds.value))),
    });
    // The server reports permission violations asynchronously as -ERR; collect them from status().
    const violations: string[] = [];
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === "error") violations.push(String(s.error));
      }
    })();
    nc.publish("orders.new", "ok");
    await nc.flush();
    nc.publish("payments.new", "denied");
    await nc.flush();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(violations.length, 1, `violations: ${violations.join("; ")}`);
    assert.match(violations[0], /Permissions Violation for Publish to "payments\.new"/);
    await nc.close();
    assert.equal(changeCount((await t.preview()).changeSummary), 0);
  });

  it("quickstart - the example folder runs through its Pulumi.yaml and the language host", async () => {
    const folder = await TestStack.fromFolder(path.join(REPO_ROOT, "examples", "quickstart"), "folder-test");
    try {
      const up = await folder.up();
      assert.equal(up.summary.result, "succeeded");
      assert.equal(
        up.summary.resourceChanges?.create,
        13,
        "incl. the key pairs made for the operator and APP",
      );
      assert.match(String(up.outputs.operatorJwt.value), /^eyJ/);
      assert.equal(up.outputs.userCreds.secret, true);
      assert.equal(changeCount((await folder.preview()).changeSummary), 0);
    } finally {
      await folder.dispose();
    }
    assert.equal(
      fs.existsSync(path.join(REPO_ROOT, "examples", "quickstart", "Pulumi.folder-test.yaml")),
      false,
    );
  });
});
