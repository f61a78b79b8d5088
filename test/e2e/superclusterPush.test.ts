/**
 * A supercluster through the real pulumi CLI: two clusters (3 + 2 servers) joined by gateways and a
 * leaf node with a JetStream domain whose remote binds the system account, every server running the
 * full resolver, every config rendered by ServerConfig (renderServerConfig) and accepted by
 * `nats-server -t`. One start of the servers serves every case (CI cost): a push confirmed by each
 * server's identity, a server of the second cluster down and back, and an out-of-band JWT with a
 * later `iat` on one server, named by refresh and repaired by `up` for good (past a sync interval).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import * as pulumi from "@pulumi/pulumi";
import { decodeJwt, sign } from "../../core/jwt";
import { fromSeed } from "../../core/nkeys";
import { claimsHash } from "../../core/normalize";
import { renderServerConfig, type ServerConfigSpec } from "../../core/serverConfig";
import { ResolverClient } from "../../io/resolverClient";
import { closeAllResolvers } from "../../io/resolverPool";
import { Account, OperatorWithSystemAccount, SigningKey, User } from "../../sdk";
import { NatsServer, type PortAttempt, withFreshPorts } from "../harness/natsServer";
import { toolPath } from "../harness/paths";
import { TestStack } from "../harness/pulumi";

/** The resolvers' sync interval: short, so the test can outlast one. */
const SYNC_INTERVAL_S = 2;

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
      timeoutMs: 2000,
      waitMs: cfg.getNumber("waitMs"),
    },
  });
  const user = new User("u", { account: app, signer: sk });
  return {
    ...base,
    appPub: app.publicKey,
    appJwt: app.jwt,
    pushedTo: app.pushedTo,
    pushedServers: app.pushedServers,
    userCreds: user.creds,
  };
};

const HOST = "127.0.0.1";

/** One server of the supercluster: its name, cluster and ports (chosen up front: configs list each other's). */
interface Node {
  name: string;
  cluster: "a" | "b";
  port: number;
  httpPort: number;
  clusterPort: number;
  gatewayPort: number;
  /** The leaf node listener (a-1 only: the hub of the leaf). */
  leafPort?: number;
}

async function node(ports: PortAttempt, name: string, cluster: "a" | "b", leaf = false): Promise<Node> {
  return {
    name,
    cluster,
    port: await ports.port(),
    httpPort: await ports.port(),
    clusterPort: await ports.port(),
    gatewayPort: await ports.port(),
    ...(leaf ? { leafPort: await ports.port() } : {}),
  };
}

/** What every server of this test shares: operator mode and a full resolver with a short sync interval. */
function operatorMode(out: Record<string, { value: unknown }>): ServerConfigSpec {
  return {
    host: HOST,
    operator: String(out.operatorJwt.value),
    systemAccount: String(out.sysPub.value),
    resolver: {
      type: "full",
      dir: "jwt",
      allowDelete: true,
      interval: `${SYNC_INTERVAL_S}s`,
      timeout: "1.9s",
    },
    preload: { [String(out.sysPub.value)]: String(out.sysJwt.value) },
  };
}

/** One server of a or b, rendered by ServerConfig: routes in its cluster, a gateway to the other. */
function hubConfig(out: Record<string, { value: unknown }>, n: Node, all: Node[]): string {
  const gatewayUrls = (c: string) =>
    all.filter((o) => o.cluster === c).map((o) => `nats://${HOST}:${o.gatewayPort}`);
  return renderServerConfig({
    ...operatorMode(out),
    serverName: n.name,
    port: n.port,
    httpPort: n.httpPort,
    cluster: {
      name: n.cluster,
      host: HOST,
      port: n.clusterPort,
      routes: all
        .filter((o) => o.cluster === n.cluster && o !== n)
        .map((o) => `nats-route://${HOST}:${o.clusterPort}`),
    },
    gateway: {
      name: n.cluster,
      host: HOST,
      port: n.gatewayPort,
      gateways: [
        { name: "a", urls: gatewayUrls("a") },
        { name: "b", urls: gatewayUrls("b") },
      ],
    },
    leafnodes: n.leafPort === undefined ? undefined : { host: HOST, port: n.leafPort },
  });
}

async function judged(file: string, text: string): Promise<void> {
  fs.writeFileSync(file, text);
  await promisify(execFile)(toolPath("nats-server"), ["-t", "-c", file], { cwd: path.dirname(file) }).catch(
    (e) => assert.fail(`nats-server -t refused ${path.basename(file)}: ${(e as { stderr?: string }).stderr}`),
  );
}

/** Polls `check` until it holds, or fails naming `what` after 20 s. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after 20 s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function connectAs(url: string, creds: string): Promise<NatsConnection> {
  return connect({
    servers: url,
    authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
    reconnect: false,
  });
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

interface StateResource {
  type: string;
  outputs?: Record<string, unknown>;
}

describe("e2e supercluster - pushes confirmed per server across gateways and a leaf node", () => {
  let t: TestStack;
  let dir: string;
  let servers: NatsServer[] = [];
  let sc: { a: NatsServer[]; b: NatsServer[] };
  let leaf: NatsServer;
  let base: Record<string, { value: unknown }>;
  let all: NatsServer[];

  /** The accounts each server's resolver lists (`CLAIMS.LIST`, one reply per server, named). */
  async function listed(): Promise<Map<string, string[]>> {
    const client = await ResolverClient.connect({
      servers: [servers[0].url],
      creds: String(base.sysCreds.value),
      timeoutMs: 3000,
    });
    try {
      return new Map((await client.list()).map((l) => [l.server, l.accounts]));
    } finally {
      await client.close();
    }
  }

  /** The distinct claims hashes the servers hold for the account (lookup replies). */
  async function heldHashes(account: string): Promise<{ hashes: string[]; answered: number }> {
    const client = await ResolverClient.connect({
      servers: [servers[0].url],
      creds: String(base.sysCreds.value),
      timeoutMs: 3000,
    });
    try {
      const found = await client.lookup(account);
      return {
        hashes: [...new Set(found.found.map((f) => claimsHash(decodeJwt(f.jwt))))],
        answered: found.found.length,
      };
    } finally {
      await client.close();
    }
  }

  async function appState(): Promise<Record<string, unknown>> {
    const resources = JSON.parse(await t.exportText()).deployment.resources as StateResource[];
    const app = resources.find((r) => r.type.endsWith(":Account") && r.outputs?.name === "APP");
    assert.ok(app?.outputs, "APP is in state");
    return app.outputs;
  }

  before(async () => {
    t = await TestStack.create("supercluster", program);
    base = (await t.up()).outputs;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-supercluster-"));
    // Every config lists the others' ports before any server binds them (routes, gateways, the
    // leaf's remote): if another file's server takes one first, all start again on other ports.
    [servers, leaf] = await withFreshPorts("supercluster push e2e", async (ports) => {
      const hubs: NatsServer[] = [];
      const nodes = [
        await node(ports, "a-1", "a", true),
        await node(ports, "a-2", "a"),
        await node(ports, "a-3", "a"),
        await node(ports, "b-1", "b"),
        await node(ports, "b-2", "b"),
      ];
      // The leaf's remote binds the system account: $SYS crosses, so its resolver is reached too.
      const sysCredsFile = path.join(dir, "sys.creds");
      fs.writeFileSync(sysCredsFile, String(base.sysCreds.value), { mode: 0o600 });
      const leafPort = await ports.port();
      const leafHttp = await ports.port();
      const leafText = renderServerConfig({
        ...operatorMode(base),
        serverName: "leaf",
        port: leafPort,
        httpPort: leafHttp,
        jetstream: { storeDir: "js", domain: "edge" },
        leafnodes: {
          reconnectInterval: "1s",
          remotes: [
            {
              urls: [`nats-leaf://${HOST}:${nodes[0].leafPort}`],
              credentials: sysCredsFile,
              account: String(base.sysPub.value),
            },
          ],
        },
      });
      const texts = nodes.map((n) => hubConfig(base, n, nodes));
      for (const [i, text] of [...texts, leafText].entries()) await judged(path.join(dir, `${i}.conf`), text);
      const started = await Promise.allSettled(
        nodes.map((n, i) =>
          NatsServer.fromConfig(texts[i], { port: n.port, httpPort: n.httpPort, name: n.name }),
        ),
      );
      for (const r of started) if (r.status === "fulfilled") hubs.push(ports.own(r.value));
      for (const r of started) if (r.status === "rejected") throw r.reason;
      await until("routes in each cluster and a gateway to the other cluster on every server", async () => {
        const ok = await Promise.all(
          hubs.map(async (s, i) => {
            const gz = (await s.gatewayz()) as { outbound_gateways?: Record<string, unknown> };
            const rz = (await s.routez()) as { routes?: { remote_id?: string }[] };
            const peers = new Set((rz.routes ?? []).map((r) => r.remote_id)).size;
            const other = nodes[i].cluster === "a" ? "b" : "a";
            return gz.outbound_gateways?.[other] !== undefined && peers >= (nodes[i].cluster === "a" ? 2 : 1);
          }),
        );
        return ok.every(Boolean);
      });
      const edge = ports.own(
        await NatsServer.fromConfig(leafText, { port: leafPort, httpPort: leafHttp, name: "leaf" }),
      );
      await until("the leaf node to connect to a-1", async () => {
        const leafz = (await hubs[0].leafz()) as { leafnodes?: number };
        return (leafz.leafnodes ?? 0) > 0;
      });
      return [hubs, edge] as const;
    });

    sc = {
      a: servers.slice(0, 3),
      b: servers.slice(3),
    };
    all = [...servers, leaf];
    // One URL: the fleet learns every server of both clusters and the leaf from it.
    await t.stack.setConfig("servers", { value: JSON.stringify([servers[0].url]) });
  });
  after(async () => {
    await closeAllResolvers();
    await t?.dispose();
    await Promise.all([...servers, leaf].map((s) => s?.[Symbol.asyncDispose]()));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("supercluster e2e - one up pushes once and every server of both clusters and the leaf holds it; a request crosses the gateway", async () => {
    const up = await t.up();
    assert.equal(up.outputs.pushedTo.value, 6, "3 + 2 servers and the leaf stored it");
    const pushed = (up.outputs.pushedServers.value as { name: string; cluster?: string }[])
      .map((s) => `${s.name}/${s.cluster ?? "-"}`)
      .sort();
    // The leaf runs JetStream, which names a cluster of its own (its server name) in its replies.
    assert.deepEqual(pushed, ["a-1/a", "a-2/a", "a-3/a", "b-1/b", "b-2/b", "leaf/leaf"]);
    const appPub = String(up.outputs.appPub.value);
    const lists = await listed();
    for (const s of all) assert.ok(lists.get(s.name)?.includes(appPub), `${s.name} lists the account`);

    const creds = String(up.outputs.userCreds.value);
    const inA = await connectAs(sc.a[1].url, creds);
    const inB = await connectAs(sc.b[0].url, creds);
    try {
      inA.subscribe("svc.echo", {
        callback: (_e, m) => {
          m.respond(`from a: ${m.string()}`);
        },
      });
      await inA.flush();
      // Interest crosses the gateway shortly after the subscription: a bounded retry, no sleep.
      let answer = "";
      for (let i = 0; i < 20 && !answer; i++) {
        answer = await inB
          .request("svc.echo", "hi", { timeout: 500 })
          .then((m) => m.string())
          .catch(() => "");
      }
      assert.equal(answer, "from a: hi", "a request from cluster b is answered in cluster a");
    } finally {
      await inA.close();
      await inB.close();
    }
  });

  it("supercluster e2e - one server of the second cluster down: the error names it and its cluster; back up, a rerun converges and it holds the JWT", async () => {
    const down = sc.b[1];
    await down.stop();
    await t.stack.setConfig("conn", { value: "50" });
    // A short wait: the push waits for the server the last push reached, and says so while it waits.
    await t.stack.setConfig("waitMs", { value: "1500" });
    let message = "";
    const logsBefore = t.logs.length;
    try {
      await t.up();
      assert.fail("up should fail while b-2 is down");
    } catch (e) {
      message = errorText(e);
    }
    assert.match(message, /Account "APP"/);
    assert.match(message, /b-2 \(cluster b\) did not answer/, message);
    assert.doesNotMatch(message, /a-1 \(cluster a\) did not answer/);
    const progress = t.logs.slice(logsBefore).join("");
    assert.match(
      progress,
      /waiting for servers .*awaited b-2 \(cluster b\)/,
      "progress names the awaited server",
    );
    const recorded = await appState();
    assert.equal(recorded.pushedHash, "", "the unconfirmed push is not recorded as pushed");

    await down.restart();
    await t.stack.setConfig("waitMs", { value: "15000" });
    const up = await t.up();
    assert.equal(up.outputs.pushedTo.value, 6);
    const appPub = String(up.outputs.appPub.value);
    assert.ok((await listed()).get("b-2")?.includes(appPub), "b-2 lists the account again");
    const want = claimsHash(decodeJwt(String(up.outputs.appJwt.value)));
    const held = await heldHashes(appPub);
    assert.deepEqual(held.hashes, [want], "every server holds the program's claims");
    assert.equal(held.answered, 6);
  });

  it("supercluster e2e - an out-of-band JWT with a later iat on one server: refresh names it; up re-signs, and the repair outlasts a sync interval", async () => {
    const out = await t.outputs();
    const appPub = String(out.appPub.value);
    const stackJwt = String(out.appJwt.value);
    const stackIat = decodeJwt(stackJwt).iat ?? 0;
    // What `nsc edit` then a push to one server would leave: the same account, a raised limit,
    // issued later than the stack's JWT.
    const claims = decodeJwt(stackJwt);
    claims.nats.limits = { ...(claims.nats.limits as object), conn: 99 };
    const signer = fromSeed(String(out.operatorSigningSeed.value));
    const forged = await sign(claims, signer, { minIat: stackIat + 1 });
    const forgedIat = decodeJwt(forged).iat ?? 0;
    const target = sc.b[0];
    await target.stop();
    fs.writeFileSync(path.join(target.dir, "jwt", `${appPub}.jwt`), forged);
    await target.restart();
    // A client of the account on b-1 loads it there (so ACCOUNTZ can say which copy b-1 uses).
    const onTarget = await connectAs(target.url, String(out.userCreds.value));
    try {
      await t.refresh();
      const drift = (await appState()).drift as Record<string, string> | undefined;
      assert.ok(drift, "refresh records drift");
      assert.match(drift.servers ?? "", /b-1 \(cluster b\) holds a JWT issued at \S+ signed by O/);
      assert.match(drift.iat ?? "", /up signs the account again/);
    } finally {
      await onTarget.close();
    }

    const logsBefore = t.logs.length;
    const up = await t.up();
    const repaired = String(up.outputs.appJwt.value);
    assert.ok((decodeJwt(repaired).iat ?? 0) > forgedIat, "re-signed later than the out-of-band copy");
    assert.match(t.logs.slice(logsBefore).join(""), /re-signed: a server holds a JWT/);
    const want = claimsHash(decodeJwt(repaired));
    assert.deepEqual((await heldHashes(appPub)).hashes, [want]);
    // Past the resolvers' next sync: the repair holds on every server.
    await new Promise((resolve) => setTimeout(resolve, (SYNC_INTERVAL_S * 2 + 1) * 1000));
    const after = await heldHashes(appPub);
    assert.deepEqual(after.hashes, [want], "no server reverted to the out-of-band copy");
    assert.equal(after.answered, 6);
  });
});
