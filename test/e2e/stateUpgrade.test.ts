/**
 * Users upgrade the package under existing stacks. A stack is created and pushed with the package as
 * released at 0.1.0 (built from this repository's history), then the same project switches to the
 * package as it is now and runs refresh and a no-op preview, then moves to the native types (the
 * program rewritten on `pulumi-nats-auth/native` with aliases, the plugin the package carries: 0
 * changes, docs/typescript.md), then an update of one account (pushed to a real server and enforced
 * there) and destroy, on the native provider. Every resource kind of the package is in the stack, so the
 * test guards any later change of the state layout: keep it.
 *
 * What 0.1.0 wrote into state and the current package must keep loading: every resource's serialized
 * `__provider` calls `require("pulumi-nats-auth/provider/<kind>").handler` (kinds keyPair, signingKey,
 * operator, account, user, leafRemote, serverConfigFile), and refresh and destroy run that code
 * against the installed package, along with 0.1.0's stored inputs and outputs.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import type { OutputMap } from "@pulumi/pulumi/automation";
import { memberKey } from "../../core/revocation";
import { NatsServer } from "../harness/natsServer";
import { changeCount, SEED_RE, TestStack } from "../harness/pulumi";
import {
  baselineCommit,
  baselineTarball,
  currentTarball,
  installPackage,
  integrity,
  lockedPackage,
} from "../harness/release";

/**
 * The consumer's program; it stays the same across the upgrade. It only uses API that 0.1.0 has, but
 * for `systemAccountExports: "none"` (0.1.0 passes it on to the Operator, whose claims ignore it):
 * what a 0.1.0 user sets to keep the system account without nsc's exports, as 0.1.0 made it.
 */
const PROGRAM = `"use strict";
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");
const {
  Account, LeafRemote, OperatorWithSystemAccount, ServerConfig, SigningKey, User,
} = require("pulumi-nats-auth");

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
    operator: ops.operator,
    signer: ops.signingKey,
    signingKeys: [appKey],
    limits: { conn: cfg.requireNumber("conn") },
    resolver: { servers, creds: ops.systemUser.creds, timeoutMs: 2000 },
  });
  const user = new User("u", {
    account: app,
    signer: appKey,
    pub: { allow: ["orders.>"] },
    sub: { allow: ["_INBOX.>"] },
  });
  const server = new ServerConfig("server", {
    path: path.join(__dirname, "server.conf"),
    operator: ops.operator.jwt,
    systemAccount: ops.systemAccount.publicKey,
    resolver: { type: "full", dir: "jwt", allowDelete: true },
    preload: [ops.systemAccount],
  });
  const leaf = new LeafRemote("leaf", {
    urls: ["nats-leaf://127.0.0.1:7422"],
    account: app.publicKey,
    credentials: user.creds,
    credentialsPath: path.join(__dirname, "leaf.creds"),
  });
  return {
    keys: {
      operator: ops.operator.publicKey,
      operatorSigningKey: ops.signingKey.publicKey,
      systemAccount: ops.systemAccount.publicKey,
      systemAccountSigningKey: ops.systemAccountSigningKey.publicKey,
      systemUser: ops.systemUser.publicKey,
      appSigningKey: appKey.publicKey,
      app: app.publicKey,
      user: user.publicKey,
    },
    appJwt: app.jwt,
    pushedTo: app.pushedTo,
    serverConfig: server.text,
    leafRemote: leaf.remote,
    sysCreds: ops.systemUser.creds,
    userCreds: user.creds,
  };
};
`;

/**
 * The same program on the native types (`pulumi-nats-auth/native`, served by the plugin the package
 * carries), with the aliases docs/typescript.md says to add: the last step of the upgrade, a stack of
 * 0.1.0 moved to the native provider through today's dynamic SDK, with 0 changes.
 */
const NATIVE_PROGRAM = `"use strict";
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");
const native = require("pulumi-nats-auth/native");

const moved = (kind) => ({ aliases: [{ type: "pulumi-nodejs:dynamic/nats-auth:" + kind }] });

module.exports = async () => {
  const cfg = new pulumi.Config();
  const servers = cfg.getObject("servers") ?? [];
  const ops = new native.OperatorWithSystemAccount("op", {
    generateSigningKey: true,
    strictSigningKeyUsage: true,
    systemAccountExports: "none",
  });
  const appIdentity = new native.KeyPair("APP-key", { kind: "account" }, moved("KeyPair"));
  const appKey = new native.SigningKey("app-sk", { owner: "account" }, moved("SigningKey"));
  const user = new native.User("u", {
    name: "u",
    signerSeed: appKey.seed,
    accountPublicKey: appIdentity.publicKey,
    accountSigningKeys: [appKey.ref],
    operatorStrict: true,
    signedByIdentity: false,
    pub: { allow: ["orders.>"] },
    sub: { allow: ["_INBOX.>"] },
  }, moved("User"));
  const app = new native.Account("APP", {
    name: "APP",
    seed: appIdentity.seed,
    signerSeed: ops.signingKeySeed,
    operatorPublicKey: ops.operatorPublicKey,
    operatorSigningKeys: [ops.signingKeyPublicKey],
    operatorStrict: true,
    signedByIdentity: false,
    signingKeys: [appKey.ref],
    limits: { conn: cfg.requireNumber("conn") },
    resolver: { servers, creds: ops.systemUserCreds, timeoutMs: 2000 },
    members: [native.member(user)],
  }, moved("Account"));
  const server = new native.ServerConfig("server", {
    path: path.join(__dirname, "server.conf"),
    operator: ops.operatorJwt,
    systemAccount: ops.systemAccountPublicKey,
    resolver: { type: "full", dir: "jwt", allowDelete: true },
    preload: pulumi.all([ops.systemAccountPublicKey, ops.systemAccountJwt]).apply(([k, jwt]) => ({ [k]: jwt })),
  }, moved("ServerConfig"));
  const leaf = new native.LeafRemote("leaf", {
    urls: ["nats-leaf://127.0.0.1:7422"],
    account: app.publicKey,
    credentials: user.creds,
    credentialsPath: path.join(__dirname, "leaf.creds"),
  }, moved("LeafRemote"));
  return {
    keys: {
      operator: ops.operatorPublicKey,
      operatorSigningKey: ops.signingKeyPublicKey,
      systemAccount: ops.systemAccountPublicKey,
      appSigningKey: appKey.publicKey,
      app: app.publicKey,
      user: user.publicKey,
    },
    appJwt: app.jwt,
    pushedTo: app.pushedTo,
    serverConfig: server.text,
    leafRemote: leaf.remote,
    sysCreds: ops.systemUserCreds,
    userCreds: user.creds,
  };
};
`;

/** The project with the plugin the installed package carries (what docs/typescript.md says to add). */
const NATIVE_PROJECT = `name: upgrade
runtime: nodejs
plugins:
  providers:
    - name: nats-auth
      path: node_modules/pulumi-nats-auth/dist/native
`;

/**
 * Resources 0.1.0 creates for PROGRAM: the stack, the OperatorWithSystemAccount component and its 7,
 * app-sk, APP-key, APP, u, server and leaf.
 */
const RESOURCES = 15;

interface AccountClaims {
  sub: string;
  iss: string;
  nats: { limits?: { conn?: number } };
}

function claimsOf(jwt: string): AccountClaims {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8")) as AccountClaims;
}

async function connectAs(url: string, creds: string): Promise<NatsConnection> {
  return connect({
    servers: url,
    authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
    reconnect: false,
  });
}

/** The JWT the server's resolver holds for `account` ("" when it has none), asked as the system user. */
async function held(url: string, sysCreds: string, account: string): Promise<string> {
  const nc = await connectAs(url, sysCreds);
  try {
    const reply = await nc.request(`$SYS.REQ.ACCOUNT.${account}.CLAIMS.LOOKUP`, "", { timeout: 2000 });
    return reply.string();
  } finally {
    await nc.close();
  }
}

function nonSame(summary: Record<string, number | undefined>): Record<string, number | undefined> {
  return Object.fromEntries(Object.entries(summary).filter(([op, n]) => op !== "same" && n));
}

const str = (outputs: OutputMap, key: string): string => String(outputs[key].value);

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  outputs?: Record<string, unknown>;
}

/** The resources of `pulumi stack export` (secrets stay ciphertext). */
async function stateOf(t: TestStack): Promise<StateResource[]> {
  return (JSON.parse(await t.exportText()) as { deployment: { resources: StateResource[] } }).deployment
    .resources;
}

/**
 * Every resource's id and public key by URN: what a replacement would change. URNs are read with the
 * dynamic SDK's types as the native ones (core/revocation memberKey): the move to the native types
 * keeps each resource under its native type. Default providers are left out (the move swaps them).
 */
function identities(resources: StateResource[]): Record<string, string> {
  return Object.fromEntries(
    resources
      .filter((r) => !r.type.startsWith("pulumi:providers:"))
      .map((r) => [memberKey(r.urn), `${r.id ?? ""} ${String(r.outputs?.publicKey ?? "")}`]),
  );
}

/** The type names of the package's resources in state: one per resource kind of 0.1.0. */
const KINDS = ["Account", "KeyPair", "LeafRemote", "Operator", "ServerConfig", "SigningKey", "User"];

function dynamicResources(resources: StateResource[]): StateResource[] {
  return resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/nats-auth:"));
}

describe("e2e state upgrade - a stack made by 0.1.0 runs on the current package", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-upgrade-"));
  const currentTgz = path.join(dir, "current.tgz");
  let t: TestStack | undefined;
  let server: NatsServer | undefined;
  /** Outputs as 0.1.0 left them. */
  let released: OutputMap;
  /** Ids and public keys of every resource as 0.1.0 left them. */
  let releasedIds: Record<string, string>;

  before(() => {
    fs.copyFileSync(baselineTarball(baselineCommit()), path.join(dir, "baseline.tgz"));
    // The current package as users get it: dist is built (tests run from dist after tsc).
    currentTarball(dir);
    installPackage(dir, "baseline.tgz");
    fs.writeFileSync(path.join(dir, "index.js"), PROGRAM);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: upgrade\nruntime: nodejs\n");
  });

  after(async () => {
    await t?.dispose();
    await server?.[Symbol.asyncDispose]();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("state upgrade - 0.1.0 signs, then pushes to a server started from its own ServerConfig", async () => {
    assert.equal(lockedPackage(dir).integrity, integrity(path.join(dir, "baseline.tgz")), "0.1.0 installed");
    t = await TestStack.fromFolder(dir, "dev", { conn: { value: "2" } });
    const signed = await t.up();
    assert.equal(signed.summary.result, "succeeded");
    assert.deepEqual(nonSame(signed.summary.resourceChanges ?? {}), { create: RESOURCES });
    assert.equal(signed.outputs.pushedTo.value, 0, "no servers yet: signed only");
    assert.equal(
      fs.readFileSync(path.join(dir, "server.conf"), "utf8"),
      str(signed.outputs, "serverConfig"),
      "ServerConfig wrote its file",
    );
    assert.ok(fs.existsSync(path.join(dir, "leaf.creds")), "LeafRemote wrote the creds file");

    server = await NatsServer.start({ body: str(signed.outputs, "serverConfig") });
    await t.stack.setConfig("servers", { value: JSON.stringify([server.url]) });
    const pushed = await t.up();
    assert.deepEqual(nonSame(pushed.summary.resourceChanges ?? {}), { update: 1 }, "only APP changes");
    assert.equal(pushed.outputs.pushedTo.value, 1);
    released = pushed.outputs;
    const keys = released.keys.value as Record<string, string>;
    assert.equal(Object.keys(keys).length, 8);
    for (const [name, key] of Object.entries(keys)) assert.match(key, /^[OAU][A-Z2-7]{55}$/, name);
    assert.equal(
      await held(server.url, str(released, "sysCreds"), keys.app),
      str(released, "appJwt"),
      "the server holds 0.1.0's JWT",
    );
    const nc = await connectAs(server.url, str(released, "userCreds"));
    await nc.close();
    assert.doesNotMatch(await t.exportText(), SEED_RE);
    const state = await stateOf(t);
    releasedIds = identities(state);
    // Every kind is in the stack, and its serialized provider loads the installed package by name.
    const dynamic = dynamicResources(state);
    assert.deepEqual([...new Set(dynamic.map((r) => r.type.split(":").pop()))].sort(), KINDS);
    for (const r of dynamic)
      assert.match(String(r.outputs?.__provider), /pulumi-nats-auth\/provider\//, r.urn);
  });

  it("state upgrade - the current package installs over 0.1.0 in the same project", () => {
    installPackage(dir, "current.tgz");
    const locked = lockedPackage(dir);
    assert.equal(locked.resolved, "file:current.tgz");
    assert.equal(locked.integrity, integrity(currentTgz), "the current package is what is installed");
  });

  it("state upgrade - refresh of 0.1.0's state succeeds and replaces nothing", async () => {
    assert.ok(t);
    const refresh = await t.refresh();
    assert.equal(refresh.summary.result, "succeeded");
    // A refresh may rewrite outputs into a newer layout (updates), but never creates or deletes.
    const ops = nonSame(refresh.summary.resourceChanges ?? {});
    assert.deepEqual(
      Object.keys(ops).filter((op) => op !== "update"),
      [],
      refresh.stdout,
    );
    assert.deepEqual(identities(await stateOf(t)), releasedIds, "no id or key changed");
  });

  it("state upgrade - preview of the unchanged program shows zero changes", async () => {
    assert.ok(t);
    const preview = await t.preview({ diff: true });
    assert.equal(changeCount(preview.changeSummary), 0, preview.stdout);
  });

  it("state upgrade - the program moved to the native types with aliases: 0 changes, up a no-op, nothing replaced", async () => {
    assert.ok(t);
    fs.writeFileSync(path.join(dir, "index.js"), NATIVE_PROGRAM);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), NATIVE_PROJECT);
    const preview = await t.preview({ diff: true });
    assert.equal(changeCount(preview.changeSummary), 0, preview.stdout);
    const up = await t.up();
    assert.equal(changeCount(up.summary.resourceChanges ?? {}), 0, up.stdout);
    const state = await stateOf(t);
    assert.deepEqual(dynamicResources(state), [], "every resource is on the native types");
    assert.deepEqual(identities(state), releasedIds, "no id or key changed");
    for (const [name, key] of Object.entries(up.outputs.keys.value as Record<string, string>))
      assert.equal(key, (released.keys.value as Record<string, string>)[name], name);
    assert.equal(str(up.outputs, "appJwt"), str(released, "appJwt"), "APP's JWT as 0.1.0 signed it");
    assert.equal(str(up.outputs, "userCreds"), str(released, "userCreds"));
  });

  it("state upgrade - a limit change updates only the account; pushed, enforced, no key replaced", async () => {
    assert.ok(t && server);
    await t.stack.setConfig("conn", { value: "1" });
    const preview = await t.preview();
    assert.deepEqual(nonSame(preview.changeSummary), { update: 1 }, preview.stdout);
    const up = await t.up();
    assert.equal(up.summary.result, "succeeded");
    assert.deepEqual(nonSame(up.summary.resourceChanges ?? {}), { update: 1 }, up.stdout);
    // The native program outputs the keys its component offers (a subset of 0.1.0's).
    for (const [name, key] of Object.entries(up.outputs.keys.value as Record<string, string>))
      assert.equal(key, (released.keys.value as Record<string, string>)[name], `no key changed: ${name}`);
    assert.deepEqual(identities(await stateOf(t)), releasedIds, "no id or key changed");
    assert.equal(up.outputs.pushedTo.value, 1);
    assert.equal(str(up.outputs, "userCreds"), str(released, "userCreds"), "the user was not re-issued");

    const keys = released.keys.value as Record<string, string>;
    const jwt = str(up.outputs, "appJwt");
    assert.notEqual(jwt, str(released, "appJwt"), "re-signed");
    const claims = claimsOf(jwt);
    assert.equal(claims.sub, keys.app);
    assert.equal(claims.iss, keys.operatorSigningKey);
    assert.equal(claims.nats.limits?.conn, 1);
    assert.equal(await held(server.url, str(up.outputs, "sysCreds"), keys.app), jwt, "the server holds it");

    // The server enforces the new limit: the user's creds connect once, a second connection is refused.
    const first = await connectAs(server.url, str(up.outputs, "userCreds"));
    try {
      await assert.rejects(
        connectAs(server.url, str(up.outputs, "userCreds")),
        /maximum account active connections|ECONNRESET|EPIPE/i,
      );
      assert.match(server.logs(), /maximum account active connections exceeded/i);
    } finally {
      await first.close();
    }

    assert.equal(changeCount((await t.preview()).changeSummary), 0, "converged");
    assert.doesNotMatch(await t.exportText(), SEED_RE);
  });

  it("state upgrade - destroy deletes every resource, the account on the server and the written files", async () => {
    assert.ok(t && server);
    const out = await t.outputs();
    const destroyed = await t.destroy();
    assert.equal(destroyed.summary.result, "succeeded");
    assert.deepEqual(nonSame(destroyed.summary.resourceChanges ?? {}), { delete: RESOURCES });
    const keys = released.keys.value as Record<string, string>;
    assert.equal(await held(server.url, str(out, "sysCreds"), keys.app), "", "the account is gone");
    assert.equal(fs.existsSync(path.join(dir, "server.conf")), false);
    assert.equal(fs.existsSync(path.join(dir, "leaf.creds")), false);
  });
});
