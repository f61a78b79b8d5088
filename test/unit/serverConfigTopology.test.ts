/**
 * ServerConfig's supercluster topology: gateways, route and gateway authorization and TLS, the leaf
 * node listener's TLS, advertise / no_advertise, compression, remote deny lists and `hub`, the
 * JetStream domain, lame-duck settings, and `extra` keys inside the blocks the builder writes. Each
 * rendered config is judged by `nats-server -t` (2.14.9, and 2.9.10 for what it knows); each refusal
 * is one nats-server makes (server/opts.go, server.go, gateway.go, jetstream.go of 2.14.9).
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { accountClaims, operatorClaims } from "../../core/claims";
import { sign } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import { renderServerConfig, type ServerConfigSpec } from "../../core/serverConfig";
import { nativeProvider } from "../../plugin/provider";
import { handler as leafRemote } from "../../provider/leafRemote";
import { handler as serverConfig } from "../../provider/serverConfigFile";
import { toolPath } from "../harness/paths";

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

const east: ServerConfigSpec = {
  serverName: "east-1",
  port: 4222,
  cluster: { name: "east", port: 6222, routes: ["nats-route://10.0.0.2:6222"] },
  gateway: {
    name: "east",
    port: 7222,
    gateways: [
      { name: "east", urls: ["nats://10.0.0.1:7222"] },
      { name: "west", urls: ["nats://10.0.1.1:7222", "nats://10.0.1.2:7222"] },
    ],
  },
};

describe("ServerConfig topology - rendering", () => {
  it("gateway - name, listen, advertise, authorization, TLS, reject_unknown_cluster and the gateways list", () => {
    const text = renderServerConfig({
      port: 4222,
      cluster: { name: "east", host: "127.0.0.1", port: 6222 },
      gateway: {
        name: "east",
        host: "127.0.0.1",
        port: 7222,
        advertise: "gw.east.example:7222",
        authorization: { user: "gw", password: "pw", timeout: 2 },
        tls: { certFile: "/tls/gw.pem", keyFile: "/tls/gw.key", caFile: "/tls/ca.pem", verify: true },
        rejectUnknownCluster: true,
        gateways: [
          { name: "east", urls: ["nats://127.0.0.1:7222"] },
          { name: "west", urls: ["tls://west.example:7222"], tls: { caFile: "/tls/west-ca.pem" } },
        ],
      },
    });
    assert.equal(
      text,
      `port: 4222
cluster {
  name: "east"
  listen: "127.0.0.1:6222"
}
gateway {
  name: "east"
  listen: "127.0.0.1:7222"
  advertise: "gw.east.example:7222"
  authorization {
    user: "gw"
    password: "pw"
    timeout: 2
  }
  tls {
    cert_file: "/tls/gw.pem"
    key_file: "/tls/gw.key"
    ca_file: "/tls/ca.pem"
    verify: true
  }
  reject_unknown_cluster: true
  gateways: [
    {
      name: "east"
      urls: [ "nats://127.0.0.1:7222" ]
    }
    {
      name: "west"
      urls: [ "tls://west.example:7222" ]
      tls {
        ca_file: "/tls/west-ca.pem"
      }
    }
  ]
}
`,
    );
  });

  it("cluster, leafnodes, remotes, jetstream, lame duck - every typed topology field in its block", () => {
    const text = renderServerConfig({
      lameDuckDuration: "45s",
      lameDuckGracePeriod: "5s",
      jetstream: { storeDir: "/js", domain: "hub" },
      cluster: {
        name: "c",
        port: 6222,
        advertise: "c.example:6222",
        noAdvertise: true,
        authorization: { user: "route", password: "pw" },
        tls: { certFile: "/r.pem", keyFile: "/r.key", timeout: 3 },
        compression: "s2_fast",
      },
      leafnodes: {
        port: 7422,
        advertise: "leaf.example:7422",
        noAdvertise: true,
        tls: { certFile: "/l.pem", keyFile: "/l.key", handshakeFirst: true },
        compression: "s2_auto",
        reconnectInterval: "2s",
        remotes: [
          {
            urls: ["nats-leaf://hub.example:7422"],
            hub: true,
            denyImports: ["private.>"],
            denyExports: ["secret.*"],
            compression: "off",
          },
        ],
      },
    });
    assert.equal(
      text,
      `lame_duck_duration: "45s"
lame_duck_grace_period: "5s"
jetstream {
  store_dir: "/js"
  domain: "hub"
}
cluster {
  name: "c"
  listen: "0.0.0.0:6222"
  advertise: "c.example:6222"
  no_advertise: true
  authorization {
    user: "route"
    password: "pw"
  }
  tls {
    cert_file: "/r.pem"
    key_file: "/r.key"
    timeout: 3
  }
  compression: "s2_fast"
}
leafnodes {
  port: 7422
  advertise: "leaf.example:7422"
  no_advertise: true
  tls {
    handshake_first: true
    cert_file: "/l.pem"
    key_file: "/l.key"
  }
  compression: "s2_auto"
  reconnect_interval: "2s"
  remotes: [
    {
      urls: [ "nats-leaf://hub.example:7422" ]
      hub: true
      deny_imports: [ "private.>" ]
      deny_exports: [ "secret.*" ]
      compression: "off"
    }
  ]
}
`,
    );
  });

  it("extra - keys inside a block the builder writes are added to that block", () => {
    const text = renderServerConfig({
      ...east,
      extra: {
        cluster: { pool_size: 5, tls: undefined },
        gateway: { connect_retries: 3 },
        write_deadline: "10s",
      },
    });
    assert.match(text, /cluster \{\n {2}name: "east"\n[\s\S]*\n {2}pool_size: 5\n\}/);
    assert.match(text, /gateway \{[\s\S]*\n {2}connect_retries: 3\n\}/);
    assert.match(text, /\nwrite_deadline: "10s"\n$/);
  });
});

describe("ServerConfig topology - refused at preview as nats-server refuses it", () => {
  it("gateway - its name must equal the cluster's (cluster name conflicts between cluster and gateway definitions)", async () => {
    await refused(
      { ...east, gateway: { ...east.gateway!, name: "west" } },
      "gateway.name",
      /cluster\.name "east".*conflicts/,
    );
    await refused({ gateway: { name: "a b", port: 7222 } }, "gateway.name", /spaces/);
    await refused({ gateway: { name: "", port: 7222 } }, "gateway.name", /name/);
    await refused({ gateway: { name: "g" } as never }, "gateway.port", /port/);
  });

  it("gateway - each listed gateway has a name, URLs, and is listed once", async () => {
    const gw = (gateways: unknown) => ({ gateway: { name: "g", port: 7222, gateways } }) as ServerConfigSpec;
    await refused(gw([{ name: "", urls: ["nats://a:7222"] }]), "gateway.gateways[0].name", /name/);
    await refused(gw([{ name: "w", urls: [] }]), "gateway.gateways[0].urls", /at least one/);
    await refused(gw([{ name: "w", urls: ["http://a:7222"] }]), "gateway.gateways[0].urls[0]", /http/);
    await refused(
      gw([
        { name: "w", urls: ["nats://a:7222"] },
        { name: "W", urls: ["nats://b:7222"] },
        { name: "w", urls: ["nats://c:7222"] },
      ]),
      "gateway.gateways[2].name",
      /gateways\[0\]/,
    );
    await refused(
      gw([{ name: "w", urls: ["nats://a:7222", "nats://A:7222/"] }]),
      "gateway.gateways[0].urls[1]",
      /same server/,
    );
    // Listing its own cluster is how one list serves every server: nats-server skips that entry.
    await accepted(gw([{ name: "g", urls: ["nats://a:7222"] }]));
  });

  it("ports - the gateway listener clashes with another listener like any other", async () => {
    await refused(
      { cluster: { name: "g", port: 7222 }, gateway: { name: "g", port: 7222 } },
      "gateway.port",
      /cluster\.port/,
    );
    await refused({ port: 7222, gateway: { name: "g", port: 7222 } }, "gateway.port", /port/);
  });

  it("tls - a key without a certificate (or the reverse), a bad timeout, handshake_first outside leaf nodes", async () => {
    await refused(
      { cluster: { name: "c", port: 6222, tls: { keyFile: "/k" } } },
      "cluster.tls.certFile",
      /missing 'cert_file'/,
    );
    await refused(
      { gateway: { name: "g", port: 7222, tls: { certFile: "/c" } } },
      "gateway.tls.keyFile",
      /missing 'key_file'/,
    );
    await refused(
      { leafnodes: { port: 7422, tls: { certFile: "/c", keyFile: "/k", timeout: -1 } } },
      "leafnodes.tls.timeout",
      /positive/,
    );
    await refused(
      { leafnodes: { remotes: [{ urls: ["tls://h:7422"], tls: { keyFile: "/k" } }] } },
      "leafnodes.remotes[0].tls.certFile",
      /cert_file/,
    );
    await refused(
      {
        gateway: {
          name: "g",
          port: 7222,
          gateways: [{ name: "w", urls: ["nats://a:1"], tls: { keyFile: "/k" } }],
        },
      },
      "gateway.gateways[0].tls.certFile",
      /cert_file/,
    );
    await refused(
      {
        cluster: {
          name: "c",
          port: 6222,
          tls: { certFile: "/c", keyFile: "/k", handshakeFirst: true } as never,
        },
      },
      "cluster.tls.handshakeFirst",
      /leaf node connections only/,
    );
  });

  it("compression, durations, domain, deny lists, authorization - values nats-server cannot read", async () => {
    await refused(
      { cluster: { name: "c", port: 6222, compression: "zip" as never } },
      "cluster.compression",
      /s2_auto/,
    );
    await refused(
      { leafnodes: { remotes: [{ urls: ["nats-leaf://h"], compression: "on" as never }] } },
      "leafnodes.remotes[0].compression",
      /one of/,
    );
    await refused({ lameDuckDuration: "10s" }, "lameDuckDuration", /at least 30s/);
    await refused({ lameDuckDuration: "soon" }, "lameDuckDuration", /duration/);
    await refused({ lameDuckGracePeriod: "-1s" }, "lameDuckGracePeriod", /duration/);
    await refused({ leafnodes: { reconnectInterval: "0s" } }, "leafnodes.reconnectInterval", /positive/);
    await refused({ jetstream: { storeDir: "/js", domain: "a.b" } }, "jetstream.domain", /\., \*, >/);
    await refused({ jetstream: { storeDir: "/js", domain: "" } }, "jetstream.domain", /empty/);
    await refused(
      { leafnodes: { remotes: [{ urls: ["nats-leaf://h"], denyImports: ["a..b"] }] } },
      "leafnodes.remotes[0].denyImports[0]",
      /empty token/,
    );
    await refused(
      { cluster: { name: "c", port: 6222, authorization: { user: "u", timeout: 0 } } },
      "cluster.authorization.timeout",
      /positive/,
    );
    await refused({ cluster: { name: "c", port: 6222, advertise: "" } }, "cluster.advertise", /host:port/);
  });

  it("extra - a key inside a built block that sets what the builder writes is refused, naming both", async () => {
    await refused(
      { ...east, extra: { cluster: { listen: "0.0.0.0:9999" } } },
      "extra.cluster.listen",
      /cluster\.listen/,
    );
    await refused(
      {
        ...east,
        gateway: { ...east.gateway!, rejectUnknownCluster: true },
        extra: { gateway: { reject_unknown: false } },
      },
      "extra.gateway.reject_unknown",
      /gateway\.reject_unknown_cluster/,
    );
    await refused(
      { jetstream: { storeDir: "/js", domain: "d" }, extra: { JetStream: { Store: "/other" } } },
      "extra.JetStream.Store",
      /jetstream\.store_dir/,
    );
    await refused(
      {
        cluster: { name: "c", port: 6222, tls: { certFile: "/c", keyFile: "/k" } },
        extra: { cluster: { tls: { cert_file: "/other" } } },
      },
      "extra.cluster.tls.cert_file",
      /cluster\.tls\.cert_file/,
    );
    // A list the builder writes is not merged into.
    await refused(
      { ...east, extra: { gateway: { gateways: [] } } },
      "extra.gateway.gateways",
      /gateway\.gateways/,
    );
    // Keys the builder does not write in that block are added.
    await accepted({
      cluster: { name: "c", port: 6222, tls: { certFile: "/c", keyFile: "/k" } },
      extra: { cluster: { tls: { cipher_suites: ["TLS_AES_128_GCM_SHA256"] }, pool_size: 3 } },
    });
  });
});

describe("ServerConfig topology - nats-server -t judges every rendered config", () => {
  let dir: string;
  let operatorJwt: string;
  let sysJwt: string;
  let sysPub: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-topology-conf-"));
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=ca");
    openssl("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=server");
    fs.writeFileSync(path.join(dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    openssl(
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.pem",
      "-days",
      "1",
      "-extfile",
      "ext.cnf",
    );
    const op = createKeyPair("operator");
    const sys = createKeyPair("account");
    sysPub = sys.getPublicKey();
    operatorJwt = await sign(operatorClaims("op", op.getPublicKey(), { systemAccount: sysPub }), op);
    sysJwt = await sign(accountClaims("SYS", sysPub, op.getPublicKey(), {}), op);
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const tls = () => ({
    certFile: path.join(dir, "server.pem"),
    keyFile: path.join(dir, "server.key"),
    caFile: path.join(dir, "ca.pem"),
  });

  /** A hub of cluster "east" with every topology block 2.9.10 knows too. */
  const portable = (): ServerConfigSpec => ({
    serverName: "east-1",
    host: "127.0.0.1",
    port: -1,
    httpPort: -1,
    operator: operatorJwt,
    systemAccount: sysPub,
    resolver: { type: "full", dir: "./jwt", interval: "2m" },
    preload: { [sysPub]: sysJwt },
    lameDuckDuration: "30s",
    lameDuckGracePeriod: "5s",
    jetstream: { storeDir: "./js", domain: "hub" },
    cluster: {
      name: "east",
      host: "127.0.0.1",
      port: -1,
      advertise: "127.0.0.1:6222",
      noAdvertise: true,
      authorization: { user: "route", password: "pw", timeout: 2 },
      tls: { ...tls(), verify: true, timeout: 2 },
      routes: ["nats-route://route:pw@127.0.0.1:16222"],
    },
    gateway: {
      name: "east",
      host: "127.0.0.1",
      port: -1,
      advertise: "127.0.0.1:7222",
      authorization: { user: "gw", password: "pw" },
      tls: { ...tls(), verify: true },
      rejectUnknownCluster: true,
      gateways: [
        { name: "east", urls: ["nats://127.0.0.1:17222"] },
        { name: "west", urls: ["nats://gw:pw@127.0.0.1:17223"], tls: tls() },
      ],
    },
    leafnodes: {
      host: "127.0.0.1",
      port: -1,
      advertise: "127.0.0.1:7422",
      noAdvertise: true,
      tls: { ...tls(), verify: false, timeout: 2 },
      remotes: [
        {
          urls: ["tls://127.0.0.1:17422"],
          account: sysPub,
          hub: true,
          denyImports: ["private.>"],
          denyExports: ["secret.*"],
          tls: tls(),
        },
      ],
    },
    // 2.9.10 reads a reconnect interval as a number of seconds only: added inside the block by extra.
    extra: { leafnodes: { reconnect: 2 }, gateway: { connect_retries: 3 } },
  });

  /**
   * The same with what only newer servers read: compression, TLS handshake first, a reconnect
   * interval as a duration, route pool size.
   */
  const modern = (): ServerConfigSpec => {
    const s = portable();
    return {
      ...s,
      cluster: { ...s.cluster!, compression: "s2_auto" },
      extra: { cluster: { pool_size: 3 }, gateway: { connect_retries: 3 } },
      leafnodes: {
        ...s.leafnodes!,
        reconnectInterval: "2s",
        compression: "s2_best",
        tls: { ...s.leafnodes!.tls, handshakeFirst: true },
        remotes: [
          { ...s.leafnodes!.remotes![0], compression: "accept", tls: { ...tls(), handshakeFirst: true } },
        ],
      },
    };
  };

  async function judge(binary: string, file: string, spec: ServerConfigSpec): Promise<string | undefined> {
    const configPath = path.join(dir, file);
    fs.writeFileSync(configPath, renderServerConfig(spec));
    try {
      await promisify(execFile)(toolPath(binary), ["-t", "-c", configPath], { cwd: dir });
      return undefined;
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string };
      return `${e.stderr ?? ""}${e.stdout ?? ""}`;
    }
  }

  it("nats-server -t - 2.14.9 accepts the supercluster hub with every topology block, compression and handshake_first", async () => {
    const problem = await judge("nats-server", "modern.conf", modern());
    assert.equal(problem, undefined, `${problem}\n${renderServerConfig(modern())}`);
  });

  it("nats-server -t - 2.9.10 accepts every topology block it knows (no compression, no handshake_first)", async () => {
    const problem = await judge("nats-server-old", "portable.conf", portable());
    assert.equal(problem, undefined, `${problem}\n${renderServerConfig(portable())}`);
  });

  it("nats-server -t - 2.9.10 refuses compression (cluster, leafnodes, remotes), TLS handshake_first and a reconnect interval as text", async () => {
    const s = portable();
    const cases: [string, ServerConfigSpec, RegExp][] = [
      [
        "leaf-reconnect-text",
        { ...s, leafnodes: { ...s.leafnodes!, reconnectInterval: "2s" }, extra: {} },
        /string, not int64/,
      ],
      ["cluster-compression", { ...s, cluster: { ...s.cluster!, compression: "s2_fast" } }, /compression/],
      ["leaf-compression", { ...s, leafnodes: { ...s.leafnodes!, compression: "s2_auto" } }, /compression/],
      [
        "remote-compression",
        {
          ...s,
          leafnodes: { ...s.leafnodes!, remotes: [{ ...s.leafnodes!.remotes![0], compression: "off" }] },
        },
        /compression/,
      ],
      [
        "leaf-handshake-first",
        { ...s, leafnodes: { ...s.leafnodes!, tls: { ...tls(), handshakeFirst: true } } },
        /handshake_first/,
      ],
    ];
    for (const [file, spec, why] of cases) {
      const problem = await judge("nats-server-old", `${file}.conf`, spec);
      assert.ok(problem, `2.9.10 accepted ${file}`);
      assert.match(problem, why);
    }
  });
});

describe("ServerConfig topology - a LeafRemote resource judges its own connection settings", () => {
  it("leafRemote check - TLS key without certificate, a bad deny subject, an unknown compression", async () => {
    const { failures } = await leafRemote.check(
      {},
      {
        urls: ["tls://hub:7422"],
        tls: { keyFile: "/k" },
        denyExports: ["a..b"],
        compression: "fastest" as never,
      },
    );
    const props = failures.map((f) => f.property).sort();
    assert.deepEqual(props, ["compression", "denyExports[0]", "tls.certFile"]);
  });
});

describe("ServerConfig topology - warnings at preview", () => {
  it("cluster.authorization - routes without the user in their URL are warned about (explicit routes send only their URL's credentials)", async () => {
    const r = await serverConfig.check(
      {},
      {
        cluster: {
          name: "c",
          port: 6222,
          authorization: { user: "route", password: "pw" },
          routes: ["nats-route://10.0.0.2:6222", "nats-route://route:pw@10.0.0.3:6222"],
        },
      },
    );
    assert.deepEqual(r.failures, []);
    assert.equal(r.warnings?.length, 1);
    assert.match(
      r.warnings![0],
      /^cluster\.routes\[0\]: .*cluster\.authorization.*nats-route:\/\/<user>:<password>@/,
    );
    const clean = await serverConfig.check(
      {},
      { cluster: { name: "c", port: 6222, routes: ["nats-route://a:6222"] } },
    );
    assert.deepEqual(clean.warnings ?? [], []);
  });
});

describe("ServerConfig topology - passwords stay secret on the native plugin", () => {
  it("plugin check - cluster.authorization and gateway.authorization come back as secrets", async () => {
    const p = nativeProvider("0.0.0-test");
    const r = await p.check!(
      "urn:pulumi:dev::proj::nats-auth:index:ServerConfig::east-1",
      {},
      {
        cluster: { name: "east", port: 6222, authorization: { user: "route", password: "route-pw" } },
        gateway: { name: "east", port: 7222, authorization: { user: "gw", password: "gw-pw" } },
      },
    );
    assert.deepEqual(r.failures, []);
    const sig = "4dabf18193072939515e22adb298388d";
    for (const block of ["cluster", "gateway"]) {
      const auth = (r.inputs[block] as Record<string, Record<string, unknown>>).authorization;
      assert.equal(auth[sig], "1b47061264138c4ac30d75fd1eb44270", `${block}.authorization is a secret`);
    }
  });
});
