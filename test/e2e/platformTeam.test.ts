/**
 * examples/platform-team as written: a platform stack and a team stack in one backend, on a real
 * server, through the real pulumi and nats CLIs. The platform pushes, refreshes and deletes with the
 * least-privilege resolver user (which may do nothing else in SYS); the team signs its users with
 * the account signing key it reads through a StackReference, which stays ciphertext in its state; a
 * key the platform adds reaches the team's users at the team's next `up`.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { decodeJwt } from "../../core/jwt";
import { closeAllResolvers } from "../../io/resolverPool";
import { connectAs } from "../harness/clients";
import { nats, natsBackground, publishUntilReceived } from "../harness/natsCli";
import { freePort, NatsServer } from "../harness/natsServer";
import { REPO_ROOT, toolPath } from "../harness/paths";
import { changeCount, SEED_RE, TestStack } from "../harness/pulumi";

const EXAMPLE = path.join(REPO_ROOT, "examples", "platform-team");

/** Non-"same" counts; a StackReference whose outputs changed counts as a "read", not a change. */
const changes = (summary: Record<string, number | undefined> | undefined) =>
  Object.fromEntries(Object.entries(summary ?? {}).filter(([op, n]) => op !== "same" && op !== "read" && n));

/** Publishes and subscribes through the team's contexts: the worker receives what the api sends. */
async function apiToWorker(configHome: string, payload: string): Promise<void> {
  const sub = natsBackground(configHome, ["--context", "orders-worker", "sub", "orders.>", "--count", "1"]);
  try {
    const { exited, lastPublish } = await publishUntilReceived(configHome, sub, [
      "--context",
      "orders-api",
      "pub",
      "orders.new",
      payload,
    ]);
    assert.equal(lastPublish.code, 0, lastPublish.stderr);
    assert.equal(exited, 0, sub.output());
    assert.match(sub.output(), new RegExp(payload));
  } finally {
    sub.child.kill();
  }
}

describe("e2e platform-team example", () => {
  let platform: TestStack | undefined;
  let team: TestStack | undefined;
  let server: NatsServer | undefined;
  after(async () => {
    await team?.dispose();
    await platform?.dispose();
    await closeAllResolvers();
    await server?.[Symbol.asyncDispose]();
  });

  it("platform-team - least-privilege pushes, the team's users through a StackReference, a rotated key at the team's next up", async () => {
    toolPath("nats");
    const env = TestStack.environment("platform-team");
    const configHome = path.join(env.dir, "config-home");
    env.envVars = { ...env.envVars, XDG_CONFIG_HOME: configHome };
    const port = await freePort();
    const platformOut = path.join(env.dir, "platform-out");
    platform = await TestStack.fromFolder(
      path.join(EXAMPLE, "platform"),
      "e2e",
      { port: { value: String(port) }, outDir: { value: platformOut } },
      env,
    );
    await platform.cli(["up", "--yes", "--skip-preview", "-c", "push=false"]);
    server = await NatsServer.fromConfig(fs.readFileSync(path.join(platformOut, "server.conf"), "utf8"), {
      port,
    });
    await platform.cli(["config", "rm", "push"]);
    const pushed = await platform.up();
    assert.equal(pushed.outputs.ordersPushedTo.value, 1, "pushed with the resolver user");
    assert.equal(pushed.outputs.resolverUserCreds.secret, true);

    // The resolver user can do nothing else in SYS: other requests and subscriptions are refused.
    const resolverUser = await connectAs(server.url, String(pushed.outputs.resolverUserCreds.value));
    const violations: string[] = [];
    void (async () => {
      for await (const s of resolverUser.status()) if (s.type === "error") violations.push(String(s.error));
    })();
    resolverUser.publish("$SYS.REQ.SERVER.PING.CONNZ", "");
    resolverUser.subscribe("$SYS.ACCOUNT.>");
    await resolverUser.flush();
    await new Promise((r) => setTimeout(r, 300));
    await resolverUser.close();
    assert.equal(violations.length, 2, violations.join("; "));
    assert.match(violations.join("\n"), /Publish to "\$SYS\.REQ\.SERVER\.PING\.CONNZ"/);
    assert.match(violations.join("\n"), /Subscription to "\$SYS\.ACCOUNT\.>"/);
    // ...and it is enough for refresh's lookups: nothing drifted.
    await platform.refresh();
    assert.equal(changeCount((await platform.preview()).changeSummary), 0);

    // The team stack: users signed with the key from the reference, usable through their contexts.
    team = await TestStack.fromFolder(
      path.join(EXAMPLE, "team"),
      "e2e",
      {
        platformStack: { value: "organization/platform/e2e" },
        outDir: { value: path.join(env.dir, "team-out") },
      },
      env,
    );
    await team.up();
    await apiToWorker(configHome, "order-1");
    const denied = await nats(configHome, ["--context", "orders-worker", "pub", "orders.new", "x"]);
    assert.notEqual(denied.code, 0, "the worker may not publish orders");
    const teamExport = await team.exportText();
    assert.doesNotMatch(teamExport, SEED_RE, "the team's state holds the signing key as ciphertext only");
    assert.match(teamExport, /ciphertext/);
    assert.doesNotMatch(await platform.exportText(), SEED_RE);

    // The platform adds an account signing key: the team's next up re-signs its users with it.
    const apiCreds = () => fs.readFileSync(path.join(env.dir, "team-out", "orders-api.creds"), "utf8");
    const before = decodeJwt(apiCreds().split("\n")[1]).iss;
    await platform.cli(["config", "set", "ordersSigningKeys", '["orders-sk-1","orders-sk-2"]']);
    const rotated = await platform.up();
    assert.deepEqual(changes(rotated.summary.resourceChanges), { create: 1, update: 1 });
    const teamPreview = await team.preview();
    assert.deepEqual(changes(teamPreview.changeSummary), { update: 4 }, "two users and their creds files");
    await team.up();
    const after = decodeJwt(apiCreds().split("\n")[1]).iss;
    assert.notEqual(after, before);
    assert.deepEqual(
      (rotated.outputs.ordersSigningKeys.value as string[]).map(String).includes(after),
      true,
      "signed by the platform's new key",
    );
    await apiToWorker(configHome, "order-2");
    assert.deepEqual(changes((await team.preview()).changeSummary), {});

    // Destroy: the team's files go; the platform deletes ORDERS from the resolver with the same user.
    await team.destroy();
    const destroyed = await platform.destroy();
    assert.equal(destroyed.summary.result, "succeeded");
  });
});
