/**
 * examples/one-up as written: one `pulumi up` from nothing converges while the server starts a few
 * seconds after the stack wrote its config (as a container resource would start it).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { closeAllResolvers } from "../../io/resolverPool";
import { connectAs, roundTrip } from "../harness/clients";
import { freePort, NatsServer } from "../harness/natsServer";
import { REPO_ROOT } from "../harness/paths";
import { changeCount, TestStack } from "../harness/pulumi";

const EXAMPLE = path.join(REPO_ROOT, "examples", "one-up");

/** Resolves once `file` exists; polls, bounded by `ms`. */
async function appears(file: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!fs.existsSync(file)) {
    if (Date.now() > until) throw new Error(`${file} did not appear within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("e2e one-up example", () => {
  let t: TestStack | undefined;
  let server: NatsServer | undefined;
  after(async () => {
    await t?.dispose();
    await closeAllResolvers();
    await server?.[Symbol.asyncDispose]();
  });

  it("one-up - a single up converges while the server starts after its config is written", async () => {
    const env = TestStack.environment("one-up");
    const outDir = path.join(env.dir, "out");
    const port = await freePort();
    t = await TestStack.fromFolder(
      EXAMPLE,
      "e2e",
      { port: { value: String(port) }, outDir: { value: outDir } },
      env,
    );
    const up = t.up();
    const upDone = up.then(
      () => true,
      () => true,
    );
    const confFile = path.join(outDir, "server.conf");
    await Promise.race([appears(confFile, 120_000), upDone]);
    assert.ok(fs.existsSync(confFile), "the up wrote the server config before pushing");
    // The server comes up a few seconds later, as a container would.
    await new Promise((r) => setTimeout(r, 3_000));
    server = await NatsServer.fromConfig(fs.readFileSync(confFile, "utf8"), { port });
    const result = await up;
    assert.equal(result.summary.result, "succeeded");
    assert.equal(result.outputs.appPushedTo.value, 1, "APP pushed in the same up");

    const nc = await connectAs(server.url, fs.readFileSync(String(result.outputs.credsPath.value), "utf8"));
    await roundTrip(nc, "hello");
    await nc.close();
    assert.equal(changeCount((await t.preview()).changeSummary), 0);
  });
});
