/**
 * examples/leafnode-jwt as the project it is (its Pulumi.yaml runs index.ts; files go to its out/
 * folder), with free ports in its port config, checking what its README (run as written by
 * examples.test.ts) cannot show: the stack renders the main and leaf configs and the creds file,
 * both servers start from the rendered texts as they are, APP is pushed to the main server, and a
 * client of the leaf server with no credentials gets "hello" from a service on the main server.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { closeAllResolvers } from "../../io/resolverPool";
import { requestUntilAnswered } from "../harness/clients";
import { upWithLeafServers } from "../harness/leafExample";
import type { NatsServer } from "../harness/natsServer";
import { REPO_ROOT } from "../harness/paths";
import { changeCount, SEED_RE, TestStack } from "../harness/pulumi";

const PROJECT = path.join(REPO_ROOT, "examples", "leafnode-jwt");

describe("e2e leafnode-jwt example", () => {
  let t: TestStack;
  const outputDir = path.join(PROJECT, "out");
  const servers: NatsServer[] = [];
  const conns: NatsConnection[] = [];

  before(async () => {
    fs.rmSync(outputDir, { recursive: true, force: true });
    t = await TestStack.fromFolder(PROJECT, "test");
    t.scanAlso(outputDir);
  });
  after(async () => {
    await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
    await t?.dispose();
    await closeAllResolvers();
    await Promise.all(servers.map((s) => s[Symbol.asyncDispose]()));
    fs.rmSync(outputDir, { recursive: true, force: true });
  });

  it("leafnode e2e - configs from the stack run as they are and hello comes back through the leaf", async () => {
    // The stack renders the ports into the configs before the servers bind them: if another file's
    // server takes one first, the ports change and the stack renders them again.
    const { first, main, leaf } = await upWithLeafServers(t, "leafnode e2e", { main: "main", leaf: "leaf" });
    servers.push(main, leaf);
    const out = first.outputs;
    for (const key of [
      "operatorJwt",
      "systemAccountPublicKey",
      "appAccountPublicKey",
      "mainServerConfig",
      "leafServerConfig",
    ]) {
      assert.ok(out[key]?.value, `output ${key}`);
    }
    assert.equal(out.userCreds.secret, true);
    assert.equal(out.sysCreds.secret, true);
    const credsFile = path.join(outputDir, "user.creds");
    assert.equal(fs.statSync(credsFile).mode & 0o777, 0o600, "creds file is 0600");
    assert.equal(fs.readFileSync(path.join(outputDir, "main.conf"), "utf8"), out.mainServerConfig.value);

    await t.stack.setConfig("push", { value: "true" });
    const pushed = await t.up();
    assert.equal(pushed.outputs.appPushedTo.value, 1, "APP pushed to the main server");
    assert.equal(
      pushed.outputs.mainServerConfig.value,
      out.mainServerConfig.value,
      "configs unchanged by the push",
    );

    const service = await connect({
      servers: main.url,
      authenticator: credsAuthenticator(new TextEncoder().encode(String(pushed.outputs.userCreds.value))),
    });
    conns.push(service);
    service.subscribe("greet", {
      callback: (_e, m) => {
        m.respond("hello");
      },
    });
    await service.flush();
    const client = await connect({ servers: leaf.url });
    conns.push(client);
    assert.equal(await requestUntilAnswered(client, "greet", 15_000), "hello");

    const preview = await t.preview();
    assert.equal(changeCount(preview.changeSummary), 0);
    assert.doesNotMatch(await t.exportText(), SEED_RE);

    // Rotating the leaf's user rewrites the creds file; the leaf config, which lists it by path,
    // stays as it is, in the preview as in the update.
    const resources = (await t.stack.exportStack()).deployment.resources as { urn: string }[];
    const userUrn = resources.find((r) => r.urn.endsWith(":User::user"))?.urn;
    assert.ok(userUrn);
    const rotation = await t.stack.preview({ replace: [userUrn] });
    assert.deepEqual(
      Object.fromEntries(Object.entries(rotation.changeSummary).filter(([op]) => op !== "same")),
      { replace: 1, update: 1 },
    );
    const rotated = await t.stack.up({ replace: [userUrn] });
    assert.equal(rotated.outputs.leafServerConfig.value, out.leafServerConfig.value);
    assert.equal(fs.readFileSync(credsFile, "utf8"), rotated.outputs.userCreds.value);
    assert.equal(fs.statSync(credsFile).mode & 0o777, 0o600);
  });
});
