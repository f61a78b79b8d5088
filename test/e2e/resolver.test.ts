/**
 * The resolver through the real pulumi CLI and real nats-servers with the NATS (full) resolver:
 * push on up, enforcement of updated limits, drift found by refresh and repaired by up, pushes to a
 * 3-server cluster with one server down, a server down during up, and delete on destroy.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import * as pulumi from "@pulumi/pulumi";
import { accountClaims } from "../../core/claims";
import { decodeJwt, sign } from "../../core/jwt";
import { fromSeed } from "../../core/nkeys";
import { claimsHash } from "../../core/normalize";
import { renderServerConfig } from "../../core/serverConfig";
import { ResolverClient } from "../../io/resolverClient";
import { closeAllResolvers } from "../../io/resolverPool";
import { Account, OperatorWithSystemAccount, SigningKey, User } from "../../sdk";
import { type Cluster, NatsServer, startCluster } from "../harness/natsServer";
import { changeCount, TestStack } from "../harness/pulumi";

const program = async () => {
  const cfg = new pulumi.Config();
  const ops = new OperatorWithSystemAccount("op", { generateSigningKey: true, strictSigningKeyUsage: true });
  const base = {
    operatorJwt: ops.operator.jwt,
    sysPub: ops.systemAccount.publicKey,
    sysJwt: ops.systemAccount.jwt,
    sysCreds: ops.systemUser.creds,
    operatorSigningSeed: ops.signingKey!.seed,
  };
  const servers = cfg.getObject<string[]>("servers");
  if (!servers) return base;
  const sk = new SigningKey("app-sk", { owner: "account" });
  const app = new Account("APP", {
    operator: ops.operator,
    signer: ops.signingKey,
    signingKeys: [sk],
    limits: { conn: cfg.getNumber("conn") ?? -1 },
    resolver: {
      servers,
      creds: ops.systemUser.creds,
      expectedServers: cfg.getNumber("expectedServers"),
      onDelete: cfg.get("onDelete") as "delete" | "retain" | undefined,
      timeoutMs: 2000,
    },
  });
  const user = new User("u", { account: app, signer: sk });
  return { ...base, appPub: app.publicKey, appJwt: app.jwt, pushedTo: app.pushedTo, userCreds: user.creds };
};

function fullResolverConfig(outputs: Record<string, { value: unknown }>, allowDelete = true): string {
  return renderServerConfig({
    operator: String(outputs.operatorJwt.value),
    systemAccount: String(outputs.sysPub.value),
    resolver: { type: "full", dir: "jwt", allowDelete, interval: "2m", timeout: "1.9s" },
    preload: { [String(outputs.sysPub.value)]: String(outputs.sysJwt.value) },
  });
}

async function connectAs(url: string, creds: string): Promise<NatsConnection> {
  return connect({
    servers: url,
    authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
    reconnect: false,
  });
}

/** What each server's resolver holds for the account: claims hashes, "" where it has none. */
async function held(urls: string[], sysCreds: string, account: string): Promise<string[]> {
  const out: string[] = [];
  for (const url of urls) {
    const client = await ResolverClient.connect({ servers: [url], creds: sysCreds, timeoutMs: 2000 });
    try {
      const found = await client.lookup(account);
      out.push(found.found.length ? claimsHash(decodeJwt(found.found[0].jwt)) : "");
    } finally {
      await client.close();
    }
  }
  return out;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

describe("e2e resolver - push, drift, delete against real servers", () => {
  after(async () => closeAllResolvers());

  describe("single server", () => {
    let t: TestStack;
    let server: NatsServer;
    let base: Record<string, { value: unknown }>;
    before(async () => {
      t = await TestStack.create("resolver-single", program);
      base = (await t.up()).outputs;
      server = await NatsServer.start({ body: fullResolverConfig(base) });
      await t.stack.setConfig("servers", { value: JSON.stringify([server.url]) });
    });
    after(async () => {
      await t?.dispose();
      await server?.[Symbol.asyncDispose]();
    });

    it("resolver e2e - up pushes the account and its user connects; a limit change is pushed and enforced", async () => {
      const up = await t.up();
      assert.equal(up.outputs.pushedTo.value, 1);
      const creds = String(up.outputs.userCreds.value);
      const first = await connectAs(server.url, creds);
      const second = await connectAs(server.url, creds);
      await second.close();

      await t.stack.setConfig("conn", { value: "1" });
      const planned = await t.preview();
      assert.deepEqual(
        Object.fromEntries(Object.entries(planned.changeSummary).filter(([op]) => op !== "same")),
        { update: 1 },
        "the preview shows only the account, not its user",
      );
      const up2 = await t.up();
      assert.equal(up2.summary.resourceChanges?.update, 1, "only the account is updated");
      // The server refuses the connection; depending on timing the client sees the -ERR or the reset.
      await assert.rejects(
        connectAs(server.url, creds),
        /maximum account active connections|ECONNRESET|EPIPE/i,
      );
      assert.match(server.logs(), /maximum account active connections exceeded/i, "refused for the limit");
      await first.close();

      const preview = await t.preview();
      assert.equal(changeCount(preview.changeSummary), 0, "no redundant push: nothing to do");
      const refresh = await t.refresh();
      assert.equal(
        changeCount(refresh.summary.resourceChanges ?? {}),
        0,
        "refresh without drift changes nothing",
      );
    });

    it("resolver e2e - a JWT deleted behind Pulumi's back shows in refresh and up re-pushes it", async () => {
      const out = await t.outputs();
      const sysCreds = String(out.sysCreds.value);
      const appPub = String(out.appPub.value);
      const client = await ResolverClient.connect({ servers: [server.url], creds: sysCreds });
      const del = await client.deleteAccounts([appPub], fromSeed(String(out.operatorSigningSeed.value)));
      await client.close();
      assert.equal(del.accepted, 1);
      assert.deepEqual(await held([server.url], sysCreds, appPub), [""]);

      const refresh = await t.refresh();
      assert.equal(refresh.summary.resourceChanges?.update, 1, `refresh shows the drift: ${refresh.stdout}`);
      const up = await t.up();
      assert.equal(up.summary.resourceChanges?.update, 1, "up repairs it");
      const want = claimsHash(decodeJwt(String(out.appJwt.value)));
      assert.deepEqual(await held([server.url], sysCreds, appPub), [want]);
      assert.equal(changeCount((await t.preview()).changeSummary), 0);
    });

    it("resolver e2e - a JWT replaced out of band (nsc-style push) is drift too, repaired by up", async () => {
      const out = await t.outputs();
      const sysCreds = String(out.sysCreds.value);
      const appPub = String(out.appPub.value);
      const signer = fromSeed(String(out.operatorSigningSeed.value));
      const foreign = await sign(
        accountClaims("APP", appPub, signer.getPublicKey(), { limits: { conn: 99 } }),
        signer,
      );
      const client = await ResolverClient.connect({ servers: [server.url], creds: sysCreds });
      assert.equal((await client.push(foreign)).accepted, 1);
      await client.close();

      const refresh = await t.refresh();
      assert.equal(refresh.summary.resourceChanges?.update, 1);
      await t.up();
      const want = claimsHash(decodeJwt(String(out.appJwt.value)));
      assert.deepEqual(await held([server.url], sysCreds, appPub), [want]);
      assert.equal(changeCount((await t.preview()).changeSummary), 0);
    });

    it("resolver e2e - server down during up: an error naming the account and server, nothing recorded, rerun converges", async () => {
      await server.stop();
      await t.stack.setConfig("conn", { value: "3" });
      let message = "";
      try {
        await t.up();
        assert.fail("up should fail while the server is down");
      } catch (e) {
        message = errorText(e);
      }
      assert.match(message, /Account "APP"/);
      assert.match(message, new RegExp(server.url.replace(/[.]/g, "\\.")));
      const resources = JSON.parse(await t.exportText()).deployment.resources as {
        type: string;
        outputs?: Record<string, unknown>;
      }[];
      const recorded = resources.find(
        (r) => r.type.endsWith(":Account") && r.outputs?.name === "APP",
      )?.outputs;
      assert.equal(recorded?.pushedTo, 0, "the failed push is not recorded as pushed");
      assert.equal(recorded?.pushedHash, "");

      await server.restart();
      const up = await t.up();
      assert.equal(up.outputs.pushedTo.value, 1);
      const sysCreds = String(up.outputs.sysCreds.value);
      const want = claimsHash(decodeJwt(String(up.outputs.appJwt.value)));
      assert.deepEqual(await held([server.url], sysCreds, String(up.outputs.appPub.value)), [want]);
      assert.equal(changeCount((await t.preview()).changeSummary), 0);
    });

    it("resolver e2e - destroy removes the account from the resolver", async () => {
      const out = await t.outputs();
      await t.destroy();
      assert.deepEqual(await held([server.url], String(out.sysCreds.value), String(out.appPub.value)), [""]);
    });
  });

  describe("3-server cluster", () => {
    let t: TestStack;
    let cluster: Cluster;
    before(async () => {
      t = await TestStack.create("resolver-cluster", program);
      const base = (await t.up()).outputs;
      cluster = await startCluster(3, { body: fullResolverConfig(base) });
      await t.stack.setConfig("servers", { value: JSON.stringify(cluster.urls) });
      await t.stack.setConfig("expectedServers", { value: "3" });
    });
    after(async () => {
      await t?.dispose();
      await cluster?.[Symbol.asyncDispose]();
    });

    it("resolver e2e - all three servers take the push; with one down up fails 2/3; after restart up converges; destroy clears all", async () => {
      const up = await t.up();
      assert.equal(up.outputs.pushedTo.value, 3);
      const sysCreds = String(up.outputs.sysCreds.value);
      const appPub = String(up.outputs.appPub.value);
      const first = claimsHash(decodeJwt(String(up.outputs.appJwt.value)));
      assert.deepEqual(await held(cluster.urls, sysCreds, appPub), [first, first, first]);

      const down = cluster.servers[2];
      await down.stop();
      await t.stack.setConfig("conn", { value: "7" });
      let message = "";
      try {
        await t.up();
        assert.fail("up should fail with a server of the cluster down");
      } catch (e) {
        message = errorText(e);
      }
      assert.match(
        message,
        /Account "APP": push of account \S+ not confirmed by every server: .*only 2 of 3 servers stored it \(resolver\.expectedServers\)/,
      );

      await down.restart();
      const up2 = await t.up();
      assert.equal(up2.outputs.pushedTo.value, 3);
      const second = claimsHash(decodeJwt(String(up2.outputs.appJwt.value)));
      assert.notEqual(second, first);
      assert.deepEqual(await held(cluster.urls, sysCreds, appPub), [second, second, second]);
      assert.equal(changeCount((await t.preview()).changeSummary), 0);

      await t.destroy();
      assert.deepEqual(await held(cluster.urls, sysCreds, appPub), ["", "", ""]);
    });
  });

  describe("servers that refuse deletes", () => {
    let t: TestStack;
    let server: NatsServer;
    before(async () => {
      t = await TestStack.create("resolver-nodelete", program);
      const base = (await t.up()).outputs;
      server = await NatsServer.start({ body: fullResolverConfig(base, false) });
      await t.stack.setConfig("servers", { value: JSON.stringify([server.url]) });
    });
    after(async () => {
      await t?.stack.setConfig("onDelete", { value: "retain" });
      await t?.dispose();
      await server?.[Symbol.asyncDispose]();
    });

    it("resolver e2e - destroy fails clearly without allow_delete; onDelete retain leaves the JWT and drops it from state", async () => {
      const up = await t.up();
      const sysCreds = String(up.outputs.sysCreds.value);
      const appPub = String(up.outputs.appPub.value);
      let message = "";
      try {
        await t.destroy();
        assert.fail("destroy should fail while the servers refuse deletes");
      } catch (e) {
        message = errorText(e);
      }
      assert.match(message, /Account "APP": the resolver refused to delete the account/);
      assert.match(message, /delete must be enabled in server config/);
      assert.match(message, /onDelete = "retain"/);
      const want = claimsHash(decodeJwt(String(up.outputs.appJwt.value)));
      assert.deepEqual(await held([server.url], sysCreds, appPub), [want], "still on the server");

      await t.stack.setConfig("onDelete", { value: "retain" });
      await t.up();
      const destroyed = await t.destroy();
      assert.equal(destroyed.summary.result, "succeeded");
      assert.deepEqual(await held([server.url], sysCreds, appPub), [want], "retained on the server");
    });
  });
});
