/**
 * Revocation through the real pulumi CLI against a real nats-server: a User removed from the program,
 * or given a new key, is revoked in its Account in the same `up` (connected clients dropped, its
 * creds refused, others untouched); an explicit "now" revocation stays stable; a revoked key is never
 * signed again.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { decodeJwt } from "../../core/jwt";
import { renderServerConfig } from "../../core/serverConfig";
import { closeAllResolvers } from "../../io/resolverPool";
import { NatsServer } from "../harness/natsServer";
import { changeCount, TestStack } from "../harness/pulumi";
import { program } from "./fixtures/revocationProgram";

function connectAs(url: string, creds: string): Promise<NatsConnection> {
  return connect({
    servers: url,
    authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
    reconnect: false,
  });
}

/** Resolves with the close reason once the server drops the connection; fails after `ms`. */
async function droppedWithin(nc: NatsConnection, ms: number): Promise<string> {
  const closed = nc.closed().then((err) => (err ? String(err) : "closed"));
  const timeout = new Promise<string>((_, reject) =>
    setTimeout(() => reject(new Error(`connection still open after ${ms} ms`)), ms),
  );
  return Promise.race([closed, timeout]);
}

async function roundTrip(nc: NatsConnection, subject: string): Promise<void> {
  const sub = nc.subscribe(subject, { max: 1 });
  nc.publish(subject, "x");
  for await (const m of sub) assert.equal(m.string(), "x");
}

describe("e2e revocation - removed and rotated users are revoked in the same up", () => {
  let t: TestStack;
  let server: NatsServer;
  let creds: Record<string, string>;
  before(async () => {
    t = await TestStack.create("revocation", program);
    const signed = (await t.up()).outputs;
    server = await NatsServer.start({
      body: renderServerConfig({
        operator: String(signed.operatorJwt.value),
        systemAccount: String(signed.sysPub.value),
        resolver: { type: "full", dir: "jwt", allowDelete: true },
        preload: { [String(signed.sysPub.value)]: String(signed.sysJwt.value) },
      }),
    });
    await t.stack.setConfig("servers", { value: JSON.stringify([server.url]) });
    creds = (await t.up()).outputs.creds.value as Record<string, string>;
  });
  after(async () => {
    await t?.dispose();
    await server?.[Symbol.asyncDispose]();
    await closeAllResolvers();
  });

  it("revocation - removing a User revokes it: its client is dropped, its creds refused, others untouched", async () => {
    const alice = await connectAs(server.url, creds.alice);
    const carol = await connectAs(server.url, creds.carol);
    await roundTrip(alice, "a.1");
    alice.subscribe("a.>");

    await t.stack.setConfig("users", { value: JSON.stringify(["bob", "carol"]) });
    const planned = await t.preview();
    const up = await t.up();
    assert.deepEqual(
      up.summary.resourceChanges,
      { ...planned.changeSummary },
      "the preview showed what up did",
    );
    assert.equal(up.summary.resourceChanges?.delete, 1, "the user is deleted");
    assert.equal(up.summary.resourceChanges?.update, 1, "its account is re-signed");
    const alicePub = decodeJwt(creds.alice.split("\n")[1]).sub;
    const revocations = decodeJwt(String(up.outputs.appJwt.value)).nats.revocations as Record<string, number>;
    assert.ok(revocations?.[alicePub] > 0, `the account JWT revokes ${alicePub}`);

    const reason = await droppedWithin(alice, 5000);
    console.log(`removed user's connection: ${reason}`);
    assert.match(reason, /User Authentication Revoked/, "the server closed it for the revocation");
    await assert.rejects(connectAs(server.url, creds.alice), /revoked|authorization|ECONNRESET|EPIPE/i);
    await roundTrip(carol, "c.1");
    await carol.close();
    assert.equal(changeCount((await t.preview()).changeSummary), 0, "a second preview shows 0 changes");
  });

  it("revocation - a user given a new key: the old key is revoked, the new creds connect", async () => {
    const oldCarol = await connectAs(server.url, creds.carol);
    await t.stack.setConfig("carolKey", { value: "carol-key-2" });
    const up = await t.up();
    const fresh = (up.outputs.creds.value as Record<string, string>).carol;
    assert.notEqual(fresh, creds.carol);
    assert.match(await droppedWithin(oldCarol, 5000), /User Authentication Revoked/);
    await assert.rejects(connectAs(server.url, creds.carol), /revoked|authorization|ECONNRESET|EPIPE/i);
    const carol = await connectAs(server.url, fresh);
    await roundTrip(carol, "c.2");
    await carol.close();
    assert.equal(changeCount((await t.preview()).changeSummary), 0);
  });

  it('revocation - an explicit "now" revocation is recorded once, and the revoked key is never signed again', async () => {
    const bob = await connectAs(server.url, creds.bob);
    await t.stack.setConfig("revokeBob", { value: "true" });
    const up = await t.up();
    assert.equal(up.summary.resourceChanges?.update, 1, "only the account changes; bob is not re-signed");
    assert.match(await droppedWithin(bob, 5000), /User Authentication Revoked/);
    await assert.rejects(connectAs(server.url, creds.bob), /revoked|authorization|ECONNRESET|EPIPE/i);
    assert.equal(changeCount((await t.preview()).changeSummary), 0, '"now" is recorded, not re-evaluated');

    // A change to bob would re-sign it with a later iat, which the server would admit: refused at preview.
    await t.stack.setConfig("bobSub", { value: "other.>" });
    const bobPub = String(up.outputs.bobPub.value);
    const appPub = String(up.outputs.appPub.value);
    const refused = await t.previewInChild(
      path.join(__dirname, "fixtures", "revocationProgram.js"),
      "program",
    );
    assert.equal(refused.ok, false, "the preview fails");
    const text = String(refused.message);
    assert.match(text, /User "bob"/);
    assert.ok(text.includes(bobPub) && text.includes(appPub), "names the key and the account");
    assert.match(text, /revoked.*re-admit/s);
    await t.stack.removeConfig("bobSub");
  });

  it("revocation - a departed user re-added with its revoked key is refused before anything is signed; the error's steps converge", async () => {
    const creds = path.join(t.dir, "dave.creds");
    await t.stack.setConfig("daveCreds", { value: creds });
    await t.stack.setConfig("users", { value: JSON.stringify(["bob", "carol", "dave"]) });
    await t.up();
    fs.rmSync(creds);
    // dave leaves: his key is revoked in APP.
    await t.stack.setConfig("users", { value: JSON.stringify(["bob", "carol"]) });
    const left = await t.up();
    const davePub = String(left.outputs.davePub.value);
    const appPub = String(left.outputs.appPub.value);
    const appJwt = String(left.outputs.appJwt.value);
    const onServer = () => fs.readFileSync(path.join(server.dir, "jwt", `${appPub}.jwt`), "utf8");
    const heldRevocations = decodeJwt(onServer()).nats.revocations as Record<string, number> | undefined;
    assert.ok(heldRevocations?.[davePub], "dave's key is revoked on the server");
    const serverBefore = onServer();

    // dave comes back with the same KeyPair: refused at preview, and by up, before any signing.
    await t.stack.setConfig("users", { value: JSON.stringify(["bob", "carol", "dave"]) });
    const preview = await t.previewInChild(
      path.join(__dirname, "fixtures", "revocationProgram.js"),
      "program",
    );
    assert.equal(preview.ok, false, "the preview fails");
    assert.ok(String(preview.message).includes(davePub), "the preview names the revoked key");
    const refused = await t.up().then(
      () => assert.fail("up re-admitted a revoked key"),
      (e: Error) => String(e.message),
    );
    console.log(`refusal: ${refused.split("\n").find((l) => l.includes(davePub))}`);
    assert.match(refused, /User "dave"/, "names the user");
    assert.ok(refused.includes(davePub) && refused.includes(appPub), "names the key and the account");
    assert.equal(fs.existsSync(creds), false, "no creds file was written");
    const state = JSON.stringify((await t.stack.exportStack()).deployment);
    assert.ok(!/User::dave"/.test(state), "no User dave in the state: nothing was signed");
    assert.ok(state.includes(appJwt), "the account JWT in state is the one before");
    assert.equal(onServer(), serverBefore, "nothing was pushed");

    // Follow the error's steps literally: drop the key input, then the command it gives.
    assert.match(refused, /remove its `seed`\/`key` input/);
    const command = /then run `pulumi up(?: --replace (urn:pulumi:[^`\s]+))?`/.exec(refused);
    assert.ok(command, `the error gives a command to run: ${refused}`);
    await t.stack.setConfig("daveKey", { value: "none" });
    const fixed = await t.up({ replace: command[1] ? [command[1]] : undefined });
    const fresh = (fixed.outputs.creds.value as Record<string, string>).dave;
    assert.notEqual(decodeJwt(fresh.split("\n")[1]).sub, davePub, "dave has a new key");
    assert.equal(fs.readFileSync(creds, "utf8"), fresh, "his creds file holds the new creds");
    const dave = await connectAs(server.url, fresh);
    await roundTrip(dave, "d.1");
    await dave.close();
    assert.equal(changeCount((await t.preview()).changeSummary), 0, "converged: 0 changes");
  });

  it("revocation - a key a User generated, revoked by hand while the User stays: refused at preview and by up, before the account signs", async () => {
    // dave (previous test) has a key of his own making: his User is sent none of APP's revocations.
    const up = { outputs: await t.outputs() };
    const davePub = decodeJwt(
      String((up.outputs.creds.value as Record<string, string>).dave).split("\n")[1],
    ).sub;
    const appJwt = String(up.outputs.appJwt.value);
    const onServer = () =>
      fs.readFileSync(path.join(server.dir, "jwt", `${up.outputs.appPub.value}.jwt`), "utf8");
    const serverBefore = onServer();
    await t.stack.setConfig("revokeByHand", { value: davePub });
    const preview = await t.previewInChild(
      path.join(__dirname, "fixtures", "revocationProgram.js"),
      "program",
    );
    assert.equal(preview.ok, false, "the preview fails");
    const text = String(preview.message);
    assert.ok(text.includes(`revocations["${davePub}"]`), `names the entry: ${text}`);
    assert.match(text, /User "dave".*generated that key itself/s);
    const refused = await t.up().then(
      () => assert.fail("up signed an account revoking a key its User still signs with"),
      (e: Error) => String(e.message),
    );
    assert.ok(refused.includes(davePub), "up names the key");
    assert.equal(
      String((await t.outputs()).appJwt.value),
      appJwt,
      "the account JWT in state is the one before",
    );
    assert.equal(onServer(), serverBefore, "nothing was pushed");
    await t.stack.removeConfig("revokeByHand");
    assert.equal(changeCount((await t.preview()).changeSummary), 0, "converged: 0 changes");
  });
});
