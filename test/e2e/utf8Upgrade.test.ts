/**
 * A stack that 0.1.0 made with text outside ASCII (issue 20, item 1), through the real pulumi CLI and
 * a real nats-server. 0.1.0 signed `Zürich café` and a permission on `café.>` in Latin-1 bytes: the
 * server holds U+FFFD and refuses the user `café.x`. After the current package is installed under the
 * unchanged program, the preview shows the account and the user as updates, one `up` re-signs and
 * re-pushes them (the server then enforces exactly `café.>`), and refresh and preview show no change.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import type { OutputMap } from "@pulumi/pulumi/automation";
import { decodeJwt } from "../../core/jwt";
import { NatsServer } from "../harness/natsServer";
import { changeCount, TestStack } from "../harness/pulumi";
import {
  baselineCommit,
  baselineTarball,
  currentTarball,
  installPackage,
  integrity,
  lockedPackage,
} from "../harness/release";

/** The consumer's program, in 0.1.0's API; it stays the same across the upgrade. */
const PROGRAM = `"use strict";
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");
const { Account, OperatorWithSystemAccount, ServerConfig, SigningKey, User } = require("pulumi-nats-auth");

module.exports = async () => {
  const cfg = new pulumi.Config();
  const servers = cfg.getObject("servers") ?? [];
  const ops = new OperatorWithSystemAccount("op", {
    generateSigningKey: true,
    strictSigningKeyUsage: true,
    systemAccountExports: "none",
  });
  const appKey = new SigningKey("app-sk", { owner: "account" });
  const app = new Account("APP", {
    name: "Zürich café",
    operator: ops.operator,
    signer: ops.signingKey,
    signingKeys: [appKey],
    resolver: { servers, creds: ops.systemUser.creds, timeoutMs: 2000 },
  });
  const user = new User("u", {
    name: "Zoë",
    account: app,
    signer: appKey,
    pub: { allow: ["café.>"] },
    sub: { allow: ["_INBOX.>"] },
  });
  const listener = new User("listener", { account: app, signer: appKey });
  const server = new ServerConfig("server", {
    path: path.join(__dirname, "server.conf"),
    operator: ops.operator.jwt,
    systemAccount: ops.systemAccount.publicKey,
    resolver: { type: "full", dir: "jwt", allowDelete: true },
    preload: [ops.systemAccount],
  });
  return {
    app: app.publicKey,
    appJwt: app.jwt,
    pushedTo: app.pushedTo,
    serverConfig: server.text,
    sysCreds: ops.systemUser.creds,
    userJwt: user.jwt,
    userCreds: user.creds,
    listenerCreds: listener.creds,
  };
};
`;

const str = (o: OutputMap, k: string): string => String(o[k].value);

async function connectAs(url: string, creds: string): Promise<NatsConnection> {
  return connect({
    servers: url,
    authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
    reconnect: false,
  });
}

/** Whether `from`'s publish on `subject` reaches `to` (the listener, allowed everything). */
async function delivered(url: string, to: string, from: string, subject: string): Promise<boolean> {
  const listener = await connectAs(url, to);
  const sender = await connectAs(url, from);
  try {
    const sub = listener.subscribe(">", { max: 1 });
    await listener.flush();
    sender.publish(subject, "m");
    await sender.flush();
    // Once the listener's own marker arrives, the probe has had its chance.
    listener.publish("zz.marker", "marker");
    for await (const m of sub) return m.subject === subject;
    return false;
  } finally {
    await sender.close().catch(() => undefined);
    await listener.close();
  }
}

/** The name in the account JWT the server holds, asked as the system user. */
async function heldName(url: string, sysCreds: string, account: string): Promise<string | undefined> {
  const nc = await connectAs(url, sysCreds);
  try {
    const reply = await nc.request(`$SYS.REQ.ACCOUNT.${account}.CLAIMS.LOOKUP`, "", { timeout: 2000 });
    return decodeJwt(reply.string()).name;
  } finally {
    await nc.close();
  }
}

const nonSame = (s: Record<string, number | undefined>) =>
  Object.fromEntries(Object.entries(s).filter(([op, n]) => op !== "same" && n));

describe("e2e utf8 upgrade - a stack 0.1.0 signed in Latin-1 converges in one up", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-utf8-upgrade-"));
  let current: string;
  let t: TestStack | undefined;
  let server: NatsServer | undefined;

  before(() => {
    fs.copyFileSync(baselineTarball(baselineCommit()), path.join(dir, "baseline.tgz"));
    current = currentTarball(dir);
    installPackage(dir, "baseline.tgz");
    fs.writeFileSync(path.join(dir, "index.js"), PROGRAM);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: utf8upgrade\nruntime: nodejs\n");
  });
  after(async () => {
    await t?.dispose();
    await server?.[Symbol.asyncDispose]();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("utf8 upgrade - under 0.1.0 the server holds U+FFFD and refuses the user café.x", async () => {
    assert.equal(lockedPackage(dir).integrity, integrity(path.join(dir, "baseline.tgz")), "0.1.0 installed");
    t = await TestStack.fromFolder(dir, "dev");
    const signed = await t.up();
    server = await NatsServer.start({ body: str(signed.outputs, "serverConfig") });
    await t.stack.setConfig("servers", { value: JSON.stringify([server.url]) });
    const o = (await t.up()).outputs;
    assert.equal(o.pushedTo.value, 1);
    assert.equal(await heldName(server.url, str(o, "sysCreds"), str(o, "app")), "Z\ufffdrich caf\ufffd");
    assert.equal(
      await delivered(server.url, str(o, "listenerCreds"), str(o, "userCreds"), "café.x"),
      false,
      "0.1.0's user is refused what it was declared to be allowed",
    );
  });

  it("utf8 upgrade - with the current package the preview shows the account and the user as updates; one up fixes both", async () => {
    assert.ok(t && server);
    installPackage(dir, path.basename(current));
    assert.equal(lockedPackage(dir).integrity, integrity(current), "the current package is installed");
    const preview = await t.preview({ diff: true });
    assert.deepEqual(nonSame(preview.changeSummary), { update: 2 }, preview.stdout);
    const up = await t.up();
    assert.equal(up.summary.result, "succeeded");
    assert.deepEqual(nonSame(up.summary.resourceChanges ?? {}), { update: 2 }, up.stdout);
    const o = up.outputs;
    assert.equal(decodeJwt(str(o, "appJwt")).name, "Zürich café");
    assert.deepEqual((decodeJwt(str(o, "userJwt")).nats.pub as { allow: string[] }).allow, ["café.>"]);
    assert.equal(await heldName(server.url, str(o, "sysCreds"), str(o, "app")), "Zürich café");
    assert.equal(await delivered(server.url, str(o, "listenerCreds"), str(o, "userCreds"), "café.x"), true);
    assert.equal(await delivered(server.url, str(o, "listenerCreds"), str(o, "userCreds"), "cafe.x"), false);
  });

  it("utf8 upgrade - then refresh and preview show no change", async () => {
    assert.ok(t);
    const refresh = await t.refresh();
    assert.equal(refresh.summary.result, "succeeded");
    assert.deepEqual(nonSame(refresh.summary.resourceChanges ?? {}), {}, refresh.stdout);
    const preview = await t.preview({ diff: true });
    assert.equal(changeCount(preview.changeSummary), 0, preview.stdout);
  });
});
