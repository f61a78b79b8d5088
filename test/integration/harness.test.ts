import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { describe, it } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { accountClaims, operatorClaims } from "../../core/claims";
import { sign } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import { renderServerConfig } from "../../core/serverConfig";
import { freePort, NatsServer, startCluster, startHubAndLeaf } from "../harness/natsServer";

/** Every pid a test saw, checked at the end: none may outlive the tests. */
const pids: number[] = [];
function remember(...servers: NatsServer[]): void {
  for (const s of servers) if (s.pid !== undefined) pids.push(s.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

async function withConnections<T>(urls: string[], fn: (ncs: NatsConnection[]) => Promise<T>): Promise<T> {
  const ncs: NatsConnection[] = await Promise.all(urls.map((servers) => connect({ servers })));
  try {
    return await fn(ncs);
  } finally {
    await Promise.all(ncs.map((nc) => nc.close()));
  }
}

/**
 * Subscribes on `sub`, then publishes on `pub` until the message arrives (interest crosses routes
 * and leaf connections asynchronously) or 5 s pass; returns what arrived.
 */
async function deliver(
  sub: NatsConnection,
  pub: NatsConnection,
  subject: string,
): Promise<string | undefined> {
  const subscription = sub.subscribe(subject, { max: 1 });
  await sub.flush();
  const received = (async () => {
    for await (const m of subscription) return m.string();
    return undefined;
  })();
  const send = () => pub.publish(subject, "hello");
  send();
  const timer = setInterval(send, 50);
  const timeout = setTimeout(() => subscription.unsubscribe(), 5000);
  try {
    return await received;
  } finally {
    clearInterval(timer);
    clearTimeout(timeout);
  }
}

describe("nats-server harness", () => {
  it("harness - a single server delivers messages and stop() frees its port", async () => {
    await using server = await NatsServer.start();
    remember(server);
    assert.equal(server.url, `nats://127.0.0.1:${server.port}`);
    const varz = await server.varz();
    assert.equal(varz.host, "127.0.0.1");
    assert.equal(varz.http_host, "127.0.0.1");
    assert.equal(varz.port, server.port);
    await withConnections([server.url], async ([nc]) => {
      assert.equal(await deliver(nc, nc, "single.test"), "hello");
    });
    const pid = server.pid!;
    await server.stop();
    await server.stop();
    assert.equal(isAlive(pid), false);
    assert.equal(server.pid, undefined);
    assert.equal(await portIsFree(server.port), true);
    assert.equal(await portIsFree(server.httpPort!), true);
    assert.match(server.logs(), /Server is ready/);
  });

  it("harness - restart() keeps the port, the config and the directory", async () => {
    await using server = await NatsServer.start({ leafPort: true });
    remember(server);
    const { port, leafPort, configText, dir } = server;
    const firstPid = server.pid;
    assert.doesNotMatch(configText, /:-1"/, "the config has the ports the server took");
    await server.restart();
    remember(server);
    assert.notEqual(server.pid, firstPid);
    assert.equal(server.port, port);
    assert.equal(((await server.varz()) as { leaf: { port: number } }).leaf.port, leafPort);
    assert.equal(server.configText, configText);
    assert.equal(server.dir, dir);
    await withConnections([server.url], async ([nc]) => {
      assert.equal(await deliver(nc, nc, "restart.test"), "hello");
    });
    assert.equal(server.logs().match(/Server is ready/g)?.length, 2);
  });

  it("harness - a 3-server cluster routes a message from server 1 to server 3", async () => {
    await using cluster = await startCluster(3);
    remember(...cluster.servers);
    assert.equal(cluster.urls.length, 3);
    for (const s of cluster.servers)
      assert.match(s.configText, /routes: \[ "nats-route:\/\/127\.0\.0\.1:\d+", /);
    await withConnections([cluster.urls[0], cluster.urls[2]], async ([first, third]) => {
      assert.equal(await deliver(third, first, "cluster.test"), "hello");
    });
  });

  it("harness - a hub subscriber receives a message published on its leaf", async () => {
    await using pair = await startHubAndLeaf();
    remember(pair.hub, pair.leaf);
    assert.match(pair.hub.leafUrl!, /^nats-leaf:\/\/127\.0\.0\.1:\d+$/);
    await withConnections([pair.hub.url, pair.leaf.url], async ([hub, leaf]) => {
      assert.equal(await deliver(hub, leaf, "leaf.test"), "hello");
    });
  });

  it("harness - fromConfig runs a rendered config from its own directory", async () => {
    const op = createKeyPair("operator");
    const sys = createKeyPair("account");
    const port = await freePort();
    const text = renderServerConfig({
      serverName: "rendered",
      host: "127.0.0.1",
      port,
      operator: await sign(
        operatorClaims("op", op.getPublicKey(), { systemAccount: sys.getPublicKey() }),
        op,
      ),
      systemAccount: sys.getPublicKey(),
      resolver: { type: "full", dir: "./jwt" },
      preload: {
        [sys.getPublicKey()]: await sign(accountClaims("SYS", sys.getPublicKey(), op.getPublicKey(), {}), op),
      },
    });
    await using server = await NatsServer.fromConfig(text, { port, name: "rendered" });
    remember(server);
    assert.equal(server.configText, text);
    assert.equal(fs.readFileSync(server.configPath, "utf8"), text);
    assert.ok(
      fs.statSync(path.join(server.dir, "jwt")).isDirectory(),
      "./jwt resolves from the server's dir",
    );
    assert.match(server.logs(), /Managing all jwt in exclusive directory/);
  });

  it("harness - a bad config makes start() reject with the server's error", async () => {
    await assert.rejects(NatsServer.start({ body: "no_such_option: 1" }), (err: Error) => {
      assert.match(err.message, /exited \(1\) before it was ready/);
      assert.match(err.message, /unknown field "no_such_option"/);
      return true;
    });
  });

  it("harness - dispose removes the temp dir it created", async () => {
    let dir: string;
    {
      await using server = await NatsServer.start();
      remember(server);
      dir = server.dir;
      assert.ok(fs.existsSync(dir));
    }
    assert.equal(fs.existsSync(dir), false);
  });

  it("harness - no server process is left running", () => {
    assert.ok(pids.length >= 10, `saw ${pids.length} pids`);
    assert.deepEqual(
      pids.filter((pid) => isAlive(pid)),
      [],
    );
  });
});
