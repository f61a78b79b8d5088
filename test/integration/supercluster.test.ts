/**
 * A supercluster rendered by ServerConfig and judged by real nats-servers: clusters "east" (3
 * servers) and "west" (2) joined by gateways, JetStream domain "hub", an operator-mode full resolver
 * on every server, and a plain leaf (JetStream domain "leaf") on east's leaf node listeners whose
 * remote binds APP. Every config passes `nats-server -t`; the gateways connect, the system account
 * sees the five hub servers, one push reaches them all, and a request from the leaf crosses the
 * gateway to a service in west.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { renderServerConfig, type ServerConfigSpec } from "../../core/serverConfig";
import { ResolverClient } from "../../io/resolverClient";
import { closeAllResolvers } from "../../io/resolverPool";
import { type Outs, type UserOuts, type World, world } from "../harness/identities";
import { NatsServer, type PortAttempt, withFreshPorts } from "../harness/natsServer";
import { toolPath } from "../harness/paths";

const HOST = "127.0.0.1";
const WAIT_MS = 20_000;
const te = new TextEncoder();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`);
    await sleep(50);
  }
}

interface Node {
  name: string;
  cluster: "east" | "west";
  port: number;
  httpPort: number;
  clusterPort: number;
  gatewayPort: number;
  leafPort?: number;
}

async function node(
  ports: PortAttempt,
  name: string,
  cluster: "east" | "west",
  leaf: boolean,
): Promise<Node> {
  return {
    name,
    cluster,
    port: await ports.port(),
    httpPort: await ports.port(),
    clusterPort: await ports.port(),
    gatewayPort: await ports.port(),
    leafPort: leaf ? await ports.port() : undefined,
  };
}

/** One hub server's config: its cluster's routes, the one gateway list every server shares. */
function hubSpec(w: World, n: Node, all: Node[]): ServerConfigSpec {
  const gatewayUrls = (c: string) =>
    all.filter((o) => o.cluster === c).map((o) => `nats://${HOST}:${o.gatewayPort}`);
  return {
    serverName: n.name,
    host: HOST,
    port: n.port,
    httpPort: n.httpPort,
    operator: w.operator.jwt,
    systemAccount: w.sys.publicKey,
    resolver: { type: "full", dir: "jwt", interval: "2m" },
    preload: { [w.sys.publicKey]: w.sys.jwt },
    jetstream: { storeDir: "js", domain: "hub" },
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
      rejectUnknownCluster: true,
      gateways: [
        { name: "east", urls: gatewayUrls("east") },
        { name: "west", urls: gatewayUrls("west") },
      ],
    },
    leafnodes: n.leafPort === undefined ? undefined : { host: HOST, port: n.leafPort },
  };
}

describe("supercluster - two clusters joined by gateways and a leaf, every config from ServerConfig", () => {
  let dir: string;
  let w: World;
  let app: Outs;
  let svc: UserOuts;
  let nodes: Node[];
  const servers: NatsServer[] = [];
  const conns: NatsConnection[] = [];
  let leaf: NatsServer;
  const configs: Record<string, string> = {};

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "supercluster-"));
    w = await world();
    app = await w.newAccount("APP");
    svc = await w.newUser(app, "svc");
    const leafUser = await w.newUser(app, "leaf");
    // Every config names every port before any server binds it (routes, gateways, leaf remotes).
    leaf = await withFreshPorts("supercluster", async (ports) => {
      nodes = [
        await node(ports, "east-1", "east", true),
        await node(ports, "east-2", "east", true),
        await node(ports, "east-3", "east", true),
        await node(ports, "west-1", "west", false),
        await node(ports, "west-2", "west", false),
      ];
      for (const n of nodes) configs[n.name] = renderServerConfig(hubSpec(w, n, nodes));
      const credsPath = path.join(dir, "leaf.creds");
      fs.writeFileSync(credsPath, leafUser.creds, { mode: 0o600 });
      const leafPort = await ports.port();
      const leafHttp = await ports.port();
      configs.leaf = renderServerConfig({
        serverName: "leaf",
        host: HOST,
        port: leafPort,
        httpPort: leafHttp,
        jetstream: { storeDir: "js", domain: "leaf" },
        leafnodes: {
          reconnectInterval: "1s",
          remotes: [
            {
              urls: nodes.filter((n) => n.leafPort).map((n) => `nats-leaf://${HOST}:${n.leafPort}`),
              credentials: credsPath,
            },
          ],
        },
      });
      const started = await Promise.allSettled(
        nodes.map((n) =>
          NatsServer.fromConfig(configs[n.name], { port: n.port, httpPort: n.httpPort, name: n.name }),
        ),
      );
      for (const s of started) if (s.status === "fulfilled") ports.own(s.value);
      for (const s of started) if (s.status === "rejected") throw s.reason;
      const leafServer = ports.own(
        await NatsServer.fromConfig(configs.leaf, { port: leafPort, httpPort: leafHttp, name: "leaf" }),
      );
      servers.push(...started.map((s) => (s as PromiseFulfilledResult<NatsServer>).value), leafServer);
      return leafServer;
    });
  });

  after(async () => {
    await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
    await closeAllResolvers();
    await Promise.all(servers.map((s) => s[Symbol.asyncDispose]()));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("supercluster - nats-server -t accepts every rendered config", async () => {
    for (const [name, text] of Object.entries(configs)) {
      const file = path.join(dir, `${name}.conf`);
      fs.writeFileSync(file, text);
      await promisify(execFile)(toolPath("nats-server"), ["-t", "-c", file], { cwd: dir }).catch((e) => {
        assert.fail(`nats-server -t refused ${name}: ${(e as { stderr?: string }).stderr}\n${text}`);
      });
    }
  });

  it("supercluster - gateways connect, $SYS sees 5 hub servers, one push reaches all, a leaf request crosses the gateway", async () => {
    const hub = servers.slice(0, 5);
    await until("every hub server's gateway to reach the other cluster", async () => {
      const gz = await Promise.all(
        hub.map(async (_s, i) => {
          const res = await fetch(`http://${HOST}:${nodes[i].httpPort}/gatewayz`);
          return (await res.json()) as { outbound_gateways?: Record<string, unknown> };
        }),
      );
      return gz.every((g, i) => {
        const other = nodes[i].cluster === "east" ? "west" : "east";
        return g.outbound_gateways?.[other] !== undefined;
      });
    });

    // The system account's view: every server of both clusters answers one ping sent in west.
    const sys = await connect({
      servers: servers[3].url,
      authenticator: credsAuthenticator(te.encode(w.sysUser.creds)),
    });
    conns.push(sys);
    const seen = new Map<string, string>();
    await until("5 hub servers to answer $SYS.REQ.SERVER.PING", async () => {
      const inbox = sys.subscribe("_INBOX.ping.>");
      sys.publish("$SYS.REQ.SERVER.PING", "", { reply: `_INBOX.ping.${Date.now()}` });
      const timer = setTimeout(() => inbox.unsubscribe(), 500);
      for await (const m of inbox) {
        const r = m.json<{ server: { id: string; cluster: string } }>();
        seen.set(r.server.id, r.server.cluster);
        if (seen.size === 5) break;
      }
      clearTimeout(timer);
      inbox.unsubscribe();
      return seen.size === 5;
    });
    assert.deepEqual([...seen.values()].sort(), ["east", "east", "east", "west", "west"]);

    // One UPDATE published through east-1 only reaches every full resolver of both clusters.
    const resolver = await ResolverClient.connect({ servers: [servers[0].url], creds: w.sysUser.creds });
    try {
      const pushed = await resolver.push(app.jwt);
      assert.equal(pushed.accepted, 5, `replies: ${JSON.stringify(pushed.replies)}`);
    } finally {
      await resolver.close();
    }

    // A service of APP in west answers a client of the leaf (no credentials: its remote binds APP).
    const service = await connect({
      servers: servers[4].url,
      authenticator: credsAuthenticator(te.encode(svc.creds)),
    });
    conns.push(service);
    service.subscribe("greet", {
      callback: (_e, m) => {
        m.respond(`hello from ${nodes[4].name}`);
      },
    });
    await service.flush();
    const client = await connect({ servers: leaf.url });
    conns.push(client);
    let answer = "";
    await until("a request from the leaf to be answered in west", async () => {
      try {
        answer = (await client.request("greet", "", { timeout: 500 })).string();
        return true;
      } catch {
        return false;
      }
    });
    assert.equal(answer, "hello from west-2");

    // The JetStream domains the configs name are the servers' own.
    const domain = async (s: NatsServer) =>
      ((await s.varz()) as { jetstream?: { config?: { domain?: string } } }).jetstream?.config?.domain;
    assert.equal(await domain(servers[3]), "hub");
    assert.equal(await domain(leaf), "leaf");
  });
});
