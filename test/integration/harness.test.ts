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
import {
  deadPort,
  isPortClash,
  NatsServer,
  PORT_ATTEMPTS,
  startCluster,
  startHubAndLeaf,
  withFreshPorts,
} from "../harness/natsServer";

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

function listenOn(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(port, "127.0.0.1", () => resolve(s));
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
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
    const operator = await sign(
      operatorClaims("op", op.getPublicKey(), { systemAccount: sys.getPublicKey() }),
      op,
    );
    const sysJwt = await sign(accountClaims("SYS", sys.getPublicKey(), op.getPublicKey(), {}), op);
    let text = "";
    await using server = await withFreshPorts("harness fromConfig", async (ports) => {
      const port = await ports.port();
      text = renderServerConfig({
        serverName: "rendered",
        host: "127.0.0.1",
        port,
        operator,
        systemAccount: sys.getPublicKey(),
        resolver: { type: "full", dir: "./jwt" },
        preload: { [sys.getPublicKey()]: sysJwt },
      });
      return NatsServer.fromConfig(text, { port, name: "rendered" });
    });
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

  it("harness - withFreshPorts starts again on fresh ports when the first attempt's port is taken before its server binds it", async () => {
    // What another test file does between freePort() and the bind: it listens on that port.
    const blockers: net.Server[] = [];
    const tried: number[] = [];
    const logged: string[] = [];
    let firstPid: number | undefined;
    const log = console.log;
    console.log = (...args: unknown[]) => logged.push(args.join(" "));
    try {
      await using server = await withFreshPorts("harness retry", async (ports) => {
        const port = await ports.port();
        tried.push(port);
        if (ports.attempt === 1) {
          blockers.push(await listenOn(port));
          // Started by the attempt that fails: withFreshPorts stops it before the retry.
          const first = ports.own(await NatsServer.start({ name: "retry-first" }));
          remember(first);
          firstPid = first.pid;
        }
        const s = await NatsServer.fromConfig(`listen: "127.0.0.1:${port}"\n`, { port, name: "retry" });
        remember(s);
        return s;
      });
      console.log = log;
      assert.equal(tried.length, 2, `one retry: ${tried.join(", ")}`);
      assert.notEqual(tried[1], tried[0], "the retry renders a fresh port");
      assert.equal(server.port, tried[1]);
      await withConnections([server.url], async ([nc]) => {
        assert.equal(await deliver(nc, nc, "retry.test"), "hello");
      });
      assert.equal(logged.length, 1, logged.join("\n"));
      assert.match(
        logged[0],
        /^harness retry: attempt 1 of 3: a port was taken before its server bound it \(.*address already in use.*\); starting again on fresh ports$/,
      );
      assert.ok(
        firstPid !== undefined && !isAlive(firstPid),
        "the failed attempt's own()ed server was stopped",
      );
    } finally {
      console.log = log;
      await Promise.all(blockers.map((b) => new Promise((r) => b.close(r))));
    }
  });

  it("harness - withFreshPorts gives up after PORT_ATTEMPTS clashes, and never retries another failure", async () => {
    const blockers: net.Server[] = [];
    const log = console.log;
    console.log = () => undefined;
    let runs = 0;
    try {
      await assert.rejects(
        withFreshPorts("harness clash", async (ports) => {
          runs++;
          const port = await ports.port();
          blockers.push(await listenOn(port));
          return NatsServer.fromConfig(`listen: "127.0.0.1:${port}"\n`, { port, name: "clash" });
        }),
        (err: Error) => isPortClash(err) && /exited \(1\) before it was ready/.test(err.message),
      );
      assert.equal(runs, PORT_ATTEMPTS);
      runs = 0;
      await assert.rejects(
        withFreshPorts("harness other", async () => {
          runs++;
          return NatsServer.start({ body: "no_such_option: 1" });
        }),
        /unknown field "no_such_option"/,
      );
      assert.equal(runs, 1, "a bad config is not retried");
    } finally {
      console.log = log;
      await Promise.all(blockers.map((b) => new Promise((r) => b.close(r))));
    }
  });

  it("harness - restart() tries again while its port is taken for a moment after the stop", async () => {
    await using server = await NatsServer.start({ name: "restart-clash" });
    remember(server);
    await server.stop();
    // An outgoing connection or another file's server holds the port for a moment.
    const blocker = await listenOn(server.port);
    const released = new Promise((resolve) => setTimeout(() => blocker.close(resolve), 300));
    const logged: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => logged.push(args.join(" "));
    try {
      await server.restart();
    } finally {
      console.log = log;
      await released;
    }
    remember(server);
    assert.equal(logged.length, 1, logged.join("\n"));
    assert.match(
      logged[0],
      /restart-clash: restart attempt 1 of 3: .*address already in use.*; trying again/,
    );
    await withConnections([server.url], async ([nc]) => {
      assert.equal(await deliver(nc, nc, "restart.clash"), "hello");
    });
  });

  it("harness - deadPort() is a port that refuses connections", async () => {
    const port = await deadPort();
    assert.ok(port > 0 && port < 1024, String(port));
    assert.equal(await canConnect(port), false);
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
