/**
 * Leaf node topologies judged by real nats-servers: an operator-mode hub (a 3-server cluster with a
 * full resolver, or one server with a MEMORY resolver) and a plain leaf whose remote authenticates
 * with an account user's creds. Every config comes from the product's renderer.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  connect,
  credsAuthenticator,
  type NatsConnection,
  RequestError,
  TimeoutError,
} from "@nats-io/transport-node";
import { renderServerConfig } from "../../core/serverConfig";
import { ResolverClient } from "../../io/resolverClient";
import { closeAllResolvers } from "../../io/resolverPool";
import { requestUntilAnswered } from "../harness/clients";
import { type Outs, type UserOuts, type World, world } from "../harness/identities";
import { type Cluster, NatsServer, startCluster, startHubAndLeaf } from "../harness/natsServer";

const te = new TextEncoder();
const POLL_MS = 25;
const WAIT_MS = 15_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; fails naming `what` after `ms`. */
async function until(what: string, check: () => Promise<boolean>, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

function tmpDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `topology-${label}-`));
}

/** Writes creds where only the owner can read them, as a real leaf deployment must. */
function writeCreds(file: string, creds: string): void {
  fs.writeFileSync(file, creds, { mode: 0o600 });
  // The mode option applies only when the file is created; a rewrite keeps whatever mode it had.
  fs.chmodSync(file, 0o600);
}

function connectWithCreds(server: NatsServer, creds: string): Promise<NatsConnection> {
  return connect({
    servers: server.url,
    authenticator: credsAuthenticator(te.encode(creds)),
    reconnect: false,
  });
}

/** Answers every request on `subject` with `reply`; resolves once the server has the subscription. */
async function serve(nc: NatsConnection, subject: string, reply: string): Promise<void> {
  nc.subscribe(subject, {
    callback: (err, msg) => {
      if (!err) msg.respond(reply);
    },
  });
  await nc.flush();
}

/** How many leaf connections each server currently lists in `/leafz`. */
async function leafCounts(servers: NatsServer[]): Promise<number[]> {
  return Promise.all(servers.map(async (s) => ((await s.leafz()) as { leafnodes?: number }).leafnodes ?? 0));
}

interface DisconnectEvent {
  client?: { acc?: string; user?: string; kind?: string };
  reason?: string;
}

/**
 * Listens, as a system account user on `hub`, for the `$SYS.ACCOUNT.<account>.DISCONNECT` event the
 * hub sends when a leaf connection authenticated as `userKey` closes. The hub emits no per-user
 * CONNECT event for an accepted leaf and `/leafz` shows no user, so the disconnect event is where the
 * server says which user a leaf connection was. Subscribed on the hub holding the leaf connection, so
 * no route propagation can make the event miss the subscription.
 */
async function leafDisconnect(
  hub: NatsServer,
  sysCreds: string,
  account: string,
  userKey: string,
): Promise<{ event: Promise<DisconnectEvent>; close: () => Promise<void> }> {
  const nc = await connectWithCreds(hub, sysCreds);
  const sub = nc.subscribe(`$SYS.ACCOUNT.${account}.DISCONNECT`);
  await nc.flush();
  const event = (async () => {
    const timer = setTimeout(() => sub.unsubscribe(), WAIT_MS);
    try {
      for await (const m of sub) {
        const e = m.json<DisconnectEvent>();
        if (e.client?.kind === "Leafnode" && e.client.user === userKey) return e;
      }
    } finally {
      clearTimeout(timer);
    }
    throw new Error(`no leaf node DISCONNECT event for user ${userKey} on ${hub.name}`);
  })();
  // Keeps an abandoned wait (a failed test) from surfacing as an unhandled rejection.
  event.catch(() => undefined);
  return { event, close: () => nc.close() };
}

after(async () => {
  await closeAllResolvers();
});

describe("topology - a plain leaf on a 3-server operator-mode hub cluster", () => {
  let w: World;
  let app: Outs;
  let svc: UserOuts;
  let leafUser: UserOuts;
  let rotatedUser: UserOuts;
  let cluster: Cluster | undefined;
  let leaf: NatsServer | undefined;
  let dir: string;
  let credsFile: string;
  let hubLeafPorts: number[];

  /**
   * Index of the hub server that holds the leaf connection, once both ends list it. Asked of the
   * leaf, whose `/leafz` shows only its live connection (with the hub's leaf port): a hub may still
   * list a connection that just closed.
   */
  async function leafHub(): Promise<number> {
    let index = -1;
    await until("the leaf node to connect to one of the hub servers", async () => {
      const leafz = (await leaf!.leafz()) as { leafs?: { port?: number }[] };
      const ports = (leafz.leafs ?? []).map((l) => l.port);
      index = ports.length === 1 ? hubLeafPorts.indexOf(ports[0] ?? -1) : -1;
      return index >= 0 && (await leafCounts([cluster!.servers[index]]))[0] > 0;
    });
    return index;
  }

  before(async () => {
    dir = tmpDir("cluster");
    w = await world({ strict: true });
    app = await w.newAccount("APP");
    svc = await w.newUser(app, "svc");
    leafUser = await w.newUser(app, "leafuser");
    rotatedUser = await w.newUser(app, "leafuser-rotated");
    const hubBody = renderServerConfig({
      operator: w.operator.jwt,
      systemAccount: w.sys.publicKey,
      // Relative: each server runs from its own directory, so each gets its own JWT store.
      resolver: { type: "full", dir: "jwt", allowDelete: true },
      preload: { [w.sys.publicKey]: w.sys.jwt },
      // -1: each server picks its leaf port, read back from /varz below (no port probing race).
      leafnodes: { host: "127.0.0.1", port: -1 },
    });
    cluster = await startCluster(3, { body: () => hubBody, name: "hub" });
    hubLeafPorts = await Promise.all(
      cluster.servers.map(async (s) => {
        const port = ((await s.varz()) as { leaf?: { port?: number } }).leaf?.port;
        assert.ok(port !== undefined && port > 0, `${s.name} has a leaf node listener`);
        return port;
      }),
    );

    const resolver = await ResolverClient.connect({ servers: cluster.urls, creds: w.sysUser.creds });
    try {
      const pushed = await resolver.push(app.jwt);
      assert.equal(pushed.accepted, 3, `APP stored by every hub server: ${JSON.stringify(pushed.replies)}`);
    } finally {
      await resolver.close();
    }

    credsFile = path.join(dir, "leaf.creds");
    writeCreds(credsFile, leafUser.creds);
    leaf = await NatsServer.start({
      name: "leaf",
      body: renderServerConfig({
        leafnodes: {
          remotes: [{ urls: hubLeafPorts.map((p) => `nats-leaf://127.0.0.1:${p}`), credentials: credsFile }],
        },
      }),
    });
    await leafHub();
  });

  after(async () => {
    await leaf?.[Symbol.asyncDispose]();
    await cluster?.[Symbol.asyncDispose]();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("topology - a leaf's requests reach a service on any server of a 3-server hub cluster", async () => {
    assert.equal(fs.statSync(credsFile).mode & 0o777, 0o600);
    // No credentials: the leaf's $G account is what its remote binds to APP on the hub.
    const client = await connect({ servers: leaf!.url, reconnect: false });
    try {
      for (const [i, hub] of cluster!.servers.entries()) {
        const service = await connectWithCreds(hub, svc.creds);
        try {
          await serve(service, `greet.${i}`, `hello from ${i}`);
          assert.equal(await requestUntilAnswered(client, `greet.${i}`, WAIT_MS), `hello from ${i}`);
        } finally {
          await service.close();
        }
      }
    } finally {
      await client.close();
    }
  });

  it("topology - rotated leaf creds: the leaf reconnects with a new user", async () => {
    const previous = await leafDisconnect(
      cluster!.servers[await leafHub()],
      w.sysUser.creds,
      app.publicKey,
      leafUser.publicKey,
    );
    try {
      writeCreds(credsFile, rotatedUser.creds);
      assert.equal(fs.statSync(credsFile).mode & 0o777, 0o600);
      await leaf!.restart();
      const old = await previous.event;
      assert.equal(old.client?.acc, app.publicKey);
    } finally {
      await previous.close();
    }

    const hub = cluster!.servers[await leafHub()];
    const service = await connectWithCreds(hub, svc.creds);
    const client = await connect({ servers: leaf!.url, reconnect: false });
    try {
      await serve(service, "greet.rotated", "hello again");
      assert.equal(await requestUntilAnswered(client, "greet.rotated", WAIT_MS), "hello again");
    } finally {
      await client.close();
      await service.close();
    }

    // The connection that just carried the request closes as the rotated user: that is who it was.
    const now = await leafDisconnect(hub, w.sysUser.creds, app.publicKey, rotatedUser.publicKey);
    try {
      await leaf!.stop();
      const event = await now.event;
      assert.equal(event.client?.acc, app.publicKey);
      assert.equal(event.client?.user, rotatedUser.publicKey);
    } finally {
      await now.close();
    }
  });
});

describe("topology - leaf remote bound to a local account", () => {
  it("topology - a leaf remote bound to a non-default local account is authorized to a specific hub account", async () => {
    const dir = tmpDir("bound");
    try {
      const w = await world({ strict: true });
      const app = await w.newAccount("APP");
      const other = await w.newAccount("OTHER");
      const appSvc = await w.newUser(app, "svc");
      const leafUser = await w.newUser(app, "leafuser");
      const otherSvc = await w.newUser(other, "svc");
      const otherClient = await w.newUser(other, "client");
      const credsFile = path.join(dir, "leaf.creds");
      writeCreds(credsFile, leafUser.creds);

      await using topo = await startHubAndLeaf({
        hubBody: renderServerConfig({
          operator: w.operator.jwt,
          systemAccount: w.sys.publicKey,
          resolver: { type: "memory" },
          preload: Object.fromEntries([w.sys, app, other].map((a) => [a.publicKey, a.jwt])),
        }),
        leafBody: (hubLeafUrl) =>
          renderServerConfig({
            leafnodes: { remotes: [{ urls: [hubLeafUrl], account: "LOCAL", credentials: credsFile }] },
            extra: {
              accounts: {
                LOCAL: { users: [{ user: "l", password: "p" }] },
                ELSE: { users: [{ user: "e", password: "p" }] },
              },
            },
          }),
      });

      const subject = "svc.echo";
      const appService = await connectWithCreds(topo.hub, appSvc.creds);
      const otherService = await connectWithCreds(topo.hub, otherSvc.creds);
      const onHubOther = await connectWithCreds(topo.hub, otherClient.creds);
      const asL = await connect({ servers: topo.leaf.url, user: "l", pass: "p", reconnect: false });
      const asE = await connect({ servers: topo.leaf.url, user: "e", pass: "p", reconnect: false });
      try {
        await serve(appService, subject, "APP");
        let otherReceived = 0;
        otherService.subscribe(subject, {
          callback: (err, msg) => {
            if (err) return;
            if (msg.string() !== "from OTHER") otherReceived++;
            msg.respond("OTHER");
          },
        });
        await otherService.flush();
        // OTHER's service is live: its own account reaches it, so a zero count below means isolation.
        assert.equal((await onHubOther.request(subject, "from OTHER", { timeout: 2000 })).string(), "OTHER");

        assert.equal(await requestUntilAnswered(asL, subject, WAIT_MS), "APP");
        for (let n = 0; n < 5; n++) {
          assert.equal((await asL.request(subject, "", { timeout: 2000 })).string(), "APP");
        }

        // ELSE is not bound by any remote: nothing on the hub is reachable from it.
        const refused = await asE.request(subject, "", { timeout: 1000 }).then(
          () => undefined,
          (err: unknown) => err,
        );
        console.log(`request from ELSE: ${String(refused)}`);
        assert.ok(
          (refused instanceof RequestError && refused.isNoResponders()) || refused instanceof TimeoutError,
          `no responders or a timeout, got ${String(refused)}`,
        );

        // The hub delivered to APP before answering; a copy for OTHER would have been queued to OTHER's
        // connection no later, so it would arrive before the reply to this PING.
        await otherService.flush();
        assert.equal(otherReceived, 0, "OTHER's service never receives the leaf's requests");
        const leafz = (await topo.hub.leafz()) as { leafs?: { account?: string }[] };
        assert.deepEqual(
          leafz.leafs?.map((l) => l.account),
          [app.publicKey],
          "the one leaf connection is bound to APP",
        );
      } finally {
        await Promise.all([asL, asE, onHubOther, otherService, appService].map((nc) => nc.close()));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
