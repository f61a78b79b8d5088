/**
 * What nats-server rejects in a config (or accepts but cannot work with), ServerConfig's preview
 * rejects: listeners that share a port, `extra` keys nats-server reads as an option the builder
 * already writes (keys are case-insensitive, with aliases such as `system` for `system_account`),
 * URLs listed twice, and negative or malformed durations and numbers.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodePublicKey } from "../../core/nkeys";
import { renderServerConfig, type ServerConfigSpec } from "../../core/serverConfig";
import { handler as account } from "../../provider/account";
import { UNKNOWN } from "../../provider/kit/unknown";
import { handler as natsContext } from "../../provider/natsContext";
import { handler as serverConfig } from "../../provider/serverConfigFile";

const SYS = encodePublicKey("account", new Uint8Array(32).fill(1));
const OTHER = encodePublicKey("account", new Uint8Array(32).fill(3));
const full = (r: Record<string, unknown> = {}) =>
  ({
    operator: "op.jwt",
    systemAccount: SYS,
    resolver: { type: "full", dir: "/x", ...r },
  }) as ServerConfigSpec;

async function failures(spec: ServerConfigSpec): Promise<{ property: string; reason: string }[]> {
  return (await serverConfig.check({}, spec)).failures;
}

async function refused(spec: ServerConfigSpec, property: string, reason: RegExp): Promise<void> {
  const f = await failures(spec);
  const hit = f.find((x) => x.property === property);
  assert.ok(hit, `expected a failure on ${property}, got ${JSON.stringify(f)}`);
  assert.match(hit.reason, reason);
}

async function accepted(spec: ServerConfigSpec): Promise<void> {
  assert.deepEqual(await failures(spec), []);
}

describe("ServerConfig preview rules", () => {
  it("ports - two listeners on one port are refused, naming both fields", async () => {
    await refused({ port: 4222, httpPort: 4222 }, "httpPort", /4222.*port/);
    await refused({ port: 5000, leafnodes: { port: 5000 } }, "leafnodes.port", /5000.*port/);
    await refused(
      { cluster: { name: "c", port: 7422 }, leafnodes: { port: 7422 } },
      "leafnodes.port",
      /cluster\.port/,
    );
    // No port means nats-server's default 4222.
    await refused({ leafnodes: { port: 4222 } }, "leafnodes.port", /4222/);
    await refused(
      { port: 4222, extra: { websocket: { port: 4222, no_tls: true } } },
      "extra.websocket.port",
      /4222/,
    );
    await refused(
      { httpPort: 8222, extra: { MQTT: { listen: "0.0.0.0:8222" } } },
      "extra.MQTT.listen",
      /8222/,
    );
  });

  it("ports - random ports, disabled listeners and separate hosts do not clash", async () => {
    await accepted({ port: -1, httpPort: -1, leafnodes: { port: -1 }, cluster: { name: "c", port: -1 } });
    await accepted({ port: 4222, httpPort: 0 });
    await accepted({ host: "127.0.0.1", port: 4222, leafnodes: { host: "127.0.0.2", port: 4222 } });
    await accepted({ port: UNKNOWN as unknown as number, httpPort: 8222 });
  });

  it("extra - a key nats-server reads as an option the builder writes is refused, whatever its case or alias", async () => {
    await refused({ port: 4222, extra: { Port: 5000 } }, "extra.Port", /typed field/);
    await refused({ ...full(), extra: { system: OTHER } }, "extra.system", /system_account/);
    await refused({ ...full(), extra: { SYSTEM_ACCOUNT: OTHER } }, "extra.SYSTEM_ACCOUNT", /system_account/);
    await refused({ ...full(), extra: { account_resolver: "MEMORY" } }, "extra.account_resolver", /resolver/);
    await refused({ ...full(), extra: { operators: "other.jwt" } }, "extra.operators", /operator/);
    await refused({ ...full(), extra: { trusted_keys: ["O..."] } }, "extra.trusted_keys", /operator/);
    await refused({ port: 4222, extra: { listen: "0.0.0.0:4333" } }, "extra.listen", /port/);
    await refused({ host: "127.0.0.1", extra: { net: "0.0.0.0" } }, "extra.net", /host/);
    await refused({ httpPort: 8222, extra: { monitor_port: 8333 } }, "extra.monitor_port", /http_port/);
    // `leaf` is nats-server's alias of the leafnodes block: its keys go inside it, and `port` there clashes.
    await refused(
      { leafnodes: { port: 7422 }, extra: { leaf: { port: 7433 } } },
      "extra.leaf.port",
      /leafnodes\.port/,
    );
    await refused(
      { jetstream: { storeDir: "/js" }, extra: { store_dir: "/other" } },
      "extra.store_dir",
      /store_dir/,
    );
  });

  it("extra - two extra keys that are one option to nats-server are refused", async () => {
    await refused({ extra: { debug: true, DEBUG: false } }, "extra.DEBUG", /extra\.debug/);
    await refused({ extra: { system: OTHER, system_account: SYS } }, "extra.system_account", /extra\.system/);
    await accepted({ port: 4222, extra: { debug: true, max_payload: 1048576, websocket: { port: 8080 } } });
  });

  it("durations and numbers - negative or malformed resolver timings are refused", async () => {
    await refused(full({ interval: "-1s" }), "resolver.interval", /positive duration/);
    await refused(full({ timeout: "-2s" }), "resolver.timeout", /positive duration/);
    await refused(full({ interval: "2 minutes" }), "resolver.interval", /duration/);
    await refused(full({ timeout: 2 }), "resolver.timeout", /duration/);
    await refused(full({ limit: -5 }), "resolver.limit", /positive/);
    await refused(
      { ...full(), resolver: { type: "cache", dir: "/x", ttl: "-1m" } } as ServerConfigSpec,
      "resolver.ttl",
      /positive duration/,
    );
    await refused(
      { leafnodes: { port: 7422, authorization: { timeout: -1 } } },
      "leafnodes.authorization.timeout",
      /positive/,
    );
    await accepted(full({ interval: "2m", timeout: "1.9s", limit: 1000 }));
  });

  it("urls - a route or a leaf url listed twice is refused", async () => {
    await refused(
      { cluster: { name: "c", port: 6222, routes: ["nats-route://a:6222", "nats-route://A:6222"] } },
      "cluster.routes[1]",
      /cluster\.routes\[0\]/,
    );
    await refused(
      { leafnodes: { remotes: [{ urls: ["nats-leaf://hub:7422", "nats-leaf://hub:7422"] }] } },
      "leafnodes.remotes[0].urls[1]",
      /urls\[0\]/,
    );
    await refused(
      {
        leafnodes: {
          remotes: [
            { urls: ["nats-leaf://hub:7422"], account: SYS, credentials: "/c" },
            { urls: ["nats-leaf://hub:7422"], account: SYS, credentials: "/c" },
          ],
        },
      },
      "leafnodes.remotes[1]",
      /remotes\[0\]/,
    );
    // The same hub for two local accounts is two connections, not a duplicate.
    await accepted({
      leafnodes: {
        remotes: [
          { urls: ["nats-leaf://hub:7422"], account: SYS, credentials: "/a" },
          { urls: ["nats-leaf://hub:7422"], account: OTHER, credentials: "/b" },
        ],
      },
    });
  });

  it("durations - an Account's resolver.timeoutMs must be a positive whole number of milliseconds", async () => {
    for (const timeoutMs of [-1, 0, 1.5]) {
      const r = await account.check({}, {
        name: "A",
        signing: { operatorPublicKey: encodePublicKey("operator", new Uint8Array(32).fill(9)) },
        resolver: { servers: ["nats://h:4222"], creds: UNKNOWN, timeoutMs },
      } as never);
      assert.ok(
        r.failures.some((f) => f.property === "resolver.timeoutMs" && /positive whole number/.test(f.reason)),
        `${timeoutMs}: ${JSON.stringify(r.failures)}`,
      );
    }
  });

  it("urls - resolver servers and context servers listed twice are refused", async () => {
    const acct = await account.check({}, {
      name: "A",
      signing: { operatorPublicKey: encodePublicKey("operator", new Uint8Array(32).fill(9)) },
      resolver: { servers: ["nats://h:4222", "nats://H:4222/"], creds: UNKNOWN },
    } as never);
    const hit = acct.failures.find((f) => f.property === "resolver.servers[1]");
    assert.ok(hit, JSON.stringify(acct.failures));
    assert.match(hit.reason, /resolver\.servers\[0\]/);
    const ctx = await natsContext.check(
      {},
      {
        name: "dup",
        configHome: "/nonexistent-home",
        servers: ["nats://h:4222", "nats://h"],
      },
    );
    const c = ctx.failures.find((f) => f.property === "servers[1]");
    assert.ok(c, JSON.stringify(ctx.failures));
  });
});

describe("ServerConfig defaults agree with Account's", () => {
  it("destroy defaults - a full resolver allows deletes unless told not to (Accounts delete their JWT on destroy by default)", () => {
    assert.match(renderServerConfig(full()), /allow_delete: true/);
    assert.match(renderServerConfig(full({ allowDelete: false })), /allow_delete: false/);
    // A cache resolver cannot delete: nothing is added there.
    const cache = { ...full(), resolver: { type: "cache", dir: "/x" } } as ServerConfigSpec;
    assert.doesNotMatch(renderServerConfig(cache), /allow_delete/);
  });
});
