import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { accountClaims, operatorClaims } from "../../core/claims";
import { toConf } from "../../core/confSyntax";
import { ConfigError } from "../../core/errors";
import { sign } from "../../core/jwt";
import { createKeyPair, encodePublicKey } from "../../core/nkeys";
import {
  buildServerConfig,
  leafUrlProblems,
  renderServerConfig,
  type ServerConfigSpec,
} from "../../core/serverConfig";
import { toolPath } from "../harness/paths";

// Fixed keys keep the snapshots stable; they are valid account keys, which the builder checks.
const SYS = encodePublicKey("account", new Uint8Array(32).fill(1));
const APP = encodePublicKey("account", new Uint8Array(32).fill(2));

function throwsField(spec: ServerConfigSpec, field: string, reason: RegExp): void {
  assert.throws(
    () => buildServerConfig(spec),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
      assert.equal(err.field, field);
      assert.match(err.message, reason);
      assert.ok(err.message.startsWith(`${field}: `));
      return true;
    },
  );
}

describe("toConf", () => {
  it("toConf - renders blocks, arrays and scalars with two-space indent", () => {
    const text = toConf({
      a: 1,
      b: true,
      c: "x",
      skipped: undefined,
      block: { inner: { deep: -1 }, list: [1, 2], empty: [] },
      objs: [{ k: "v" }, { k: "w", n: [[1], ["a"]] }],
      nothing: {},
    });
    assert.equal(
      text,
      `a: 1
b: true
c: "x"
block {
  inner {
    deep: -1
  }
  list: [ 1, 2 ]
  empty: []
}
objs: [
  {
    k: "v"
  }
  {
    k: "w"
    n: [
      [ 1 ]
      [ "a" ]
    ]
  }
]
nothing {}
`,
    );
  });

  it("toConf - always quotes strings and escapes what the lexer would read", () => {
    assert.equal(
      toConf({ s: 'a"b\\c\nd\te\u0001', v: "$NOT_A_VAR", b: "yes", n: "1k" }),
      `s: "a\\"b\\\\c\\nd\\te\\x01"\nv: "$NOT_A_VAR"\nb: "yes"\nn: "1k"\n`,
    );
  });

  it("toConf - quotes keys that are not simple identifiers", () => {
    assert.equal(
      toConf({ "a.b": 1, "with space": 2, 'say "hi"': 3, include: 4, [SYS]: "jwt" }),
      `"a.b": 1\n"with space": 2\n'say "hi"': 3\n"include": 4\n${SYS}: "jwt"\n`,
    );
  });

  it("toConf - refuses keys and numbers it cannot write", () => {
    assert.throws(() => toConf({ "a\nb": 1 }), ConfigError);
    const bothQuotes = `'"`;
    assert.throws(() => toConf({ [bothQuotes]: 1 }), ConfigError);
    assert.throws(() => toConf({ n: Number.NaN }), ConfigError);
    assert.throws(() => toConf({ n: Number.POSITIVE_INFINITY }), ConfigError);
  });

  it("toConf - an empty object is empty text", () => {
    assert.equal(toConf({}), "");
  });
});

describe("renderServerConfig snapshots", () => {
  it("renderServerConfig - full resolver hub", () => {
    const text = renderServerConfig({
      serverName: "hub",
      host: "127.0.0.1",
      port: 4222,
      httpPort: 8222,
      operator: "OPERATOR.JWT",
      systemAccount: SYS,
      resolver: {
        type: "full",
        dir: "./jwt",
        allowDelete: true,
        hardDelete: false,
        interval: "2m",
        timeout: "1.9s",
      },
      preload: { [SYS]: "SYS.JWT" },
      leafnodes: { port: 7422 },
      jetstream: { storeDir: "./js", maxMemory: "1G", maxFile: "10G" },
    });
    assert.equal(
      text,
      `server_name: "hub"
host: "127.0.0.1"
port: 4222
http_port: 8222
operator: "OPERATOR.JWT"
system_account: "${SYS}"
resolver {
  type: "full"
  dir: "./jwt"
  allow_delete: true
  hard_delete: false
  interval: "2m"
  timeout: "1.9s"
}
resolver_preload {
  ${SYS}: "SYS.JWT"
}
jetstream {
  store_dir: "./js"
  max_memory_store: "1G"
  max_file_store: "10G"
}
leafnodes {
  port: 7422
}
`,
    );
  });

  it("renderServerConfig - memory resolver with preload", () => {
    const text = renderServerConfig({
      operator: "/etc/nats/op.jwt",
      systemAccount: SYS,
      resolver: { type: "memory" },
      preload: { [SYS]: "SYS.JWT", [APP]: "APP.JWT" },
    });
    assert.equal(
      text,
      `operator: "/etc/nats/op.jwt"
system_account: "${SYS}"
resolver: "MEMORY"
resolver_preload {
  ${SYS}: "SYS.JWT"
  ${APP}: "APP.JWT"
}
`,
    );
  });

  it("renderServerConfig - cache resolver", () => {
    const text = renderServerConfig({
      operator: "OP",
      systemAccount: SYS,
      resolver: { type: "cache", dir: "/var/jwt", ttl: "2m", limit: 100 },
    });
    assert.equal(
      text,
      `operator: "OP"
system_account: "${SYS}"
resolver {
  type: "cache"
  dir: "/var/jwt"
  ttl: "2m"
  limit: 100
}
`,
    );
  });

  it("renderServerConfig - leaf with two remotes and tls", () => {
    const text = renderServerConfig({
      serverName: "leaf",
      port: -1,
      leafnodes: {
        remotes: [
          {
            urls: ["tls://hub1:7422", "nats-leaf://hub2:7422"],
            account: APP,
            credentials: "/creds/app.creds",
            tls: { handshakeFirst: true, certFile: "c.pem", keyFile: "k.pem", caFile: "ca.pem" },
          },
          {
            urls: ["wss://hub:443"],
            credentials: "/creds/sys.creds",
            wsCompression: true,
            wsNoMasking: false,
          },
        ],
      },
    });
    assert.equal(
      text,
      `server_name: "leaf"
port: -1
leafnodes {
  remotes: [
    {
      urls: [ "tls://hub1:7422", "nats-leaf://hub2:7422" ]
      account: "${APP}"
      credentials: "/creds/app.creds"
      tls {
        handshake_first: true
        cert_file: "c.pem"
        key_file: "k.pem"
        ca_file: "ca.pem"
      }
    }
    {
      urls: [ "wss://hub:443" ]
      credentials: "/creds/sys.creds"
      ws_compression: true
      ws_no_masking: false
    }
  ]
}
`,
    );
  });

  it("renderServerConfig - cluster, leaf authorization and extra keys", () => {
    const text = renderServerConfig({
      serverName: "s1",
      cluster: {
        name: "c1",
        host: "127.0.0.1",
        port: 6222,
        routes: ["nats-route://s2:6222", "nats-route://s3:6222"],
      },
      leafnodes: {
        host: "127.0.0.1",
        port: 7422,
        authorization: { user: "leaf", password: "pw", account: APP },
      },
      extra: { max_payload: 2097152, debug: false },
    });
    assert.equal(
      text,
      `server_name: "s1"
cluster {
  name: "c1"
  listen: "127.0.0.1:6222"
  routes: [ "nats-route://s2:6222", "nats-route://s3:6222" ]
}
leafnodes {
  host: "127.0.0.1"
  port: 7422
  authorization {
    user: "leaf"
    password: "pw"
    account: "${APP}"
  }
}
max_payload: 2097152
debug: false
`,
    );
  });

  it("renderServerConfig - an empty spec is an empty config", () => {
    assert.equal(renderServerConfig({}), "");
  });
});

describe("buildServerConfig validation", () => {
  const base = { operator: "OP", systemAccount: SYS } as const;

  it("buildServerConfig - memory resolver needs a preload", () => {
    throwsField({ ...base, resolver: { type: "memory" } }, "preload", /preload at least one/);
    throwsField({ ...base, resolver: { type: "memory" }, preload: {} }, "preload", /preload at least one/);
  });

  it("buildServerConfig - memory resolver refuses a dir", () => {
    const resolver = { type: "memory", dir: "./jwt" } as unknown as ServerConfigSpec["resolver"];
    throwsField({ ...base, resolver, preload: { [SYS]: "J" } }, "resolver.dir", /no directory/);
  });

  it("buildServerConfig - full and cache resolvers need a dir", () => {
    throwsField({ ...base, resolver: { type: "full", dir: "" } }, "resolver.dir", /needs a directory/);
    throwsField({ ...base, resolver: { type: "cache", dir: " " } }, "resolver.dir", /needs a directory/);
  });

  it("buildServerConfig - cache resolver refuses allowDelete and hardDelete", () => {
    for (const f of ["allowDelete", "hardDelete"]) {
      const resolver = { type: "cache", dir: "./jwt", [f]: true } as unknown as ServerConfigSpec["resolver"];
      throwsField({ ...base, resolver }, `resolver.${f}`, /cannot delete/);
    }
  });

  it("buildServerConfig - unknown resolver type", () => {
    const resolver = { type: "url" } as unknown as ServerConfigSpec["resolver"];
    throwsField({ ...base, resolver }, "resolver.type", /unknown resolver type "url"/);
  });

  it("buildServerConfig - a resolver needs the operator and the system account", () => {
    throwsField(
      { systemAccount: SYS, resolver: { type: "full", dir: "d" } },
      "operator",
      /operator is not set/,
    );
    throwsField(
      { operator: "OP", resolver: { type: "full", dir: "d" } },
      "systemAccount",
      /system account is not set/,
    );
  });

  it("buildServerConfig - system account must be an account public key", () => {
    throwsField({ systemAccount: "SYS" }, "systemAccount", /not an account public key/);
    throwsField({ systemAccount: createKeyPair("user").getPublicKey() }, "systemAccount", /not an account/);
  });

  it("buildServerConfig - preload needs a resolver, account keys and JWTs", () => {
    throwsField({ ...base, preload: { [SYS]: "J" } }, "preload", /need a resolver/);
    const resolver = { type: "memory" } as const;
    throwsField(
      { ...base, resolver, preload: { NOTAKEY: "J" } },
      "preload.NOTAKEY",
      /not an account public key/,
    );
    throwsField({ ...base, resolver, preload: { [SYS]: "" } }, `preload.${SYS}`, /JWT is empty/);
  });

  it("buildServerConfig - a leaf remote needs at least one url", () => {
    throwsField({ leafnodes: { remotes: [{ urls: [] }] } }, "leafnodes.remotes[0].urls", /at least one url/);
  });

  it("buildServerConfig - a leaf remote cannot mix ws with other schemes", () => {
    const remotes = [{ urls: ["nats://a:7422"] }, { urls: ["wss://a:443", "tls://b:7422"] }];
    throwsField({ leafnodes: { remotes } }, "leafnodes.remotes[1].urls", /cannot be mixed/);
  });

  it("buildServerConfig - leaf url schemes are checked", () => {
    throwsField(
      { leafnodes: { remotes: [{ urls: ["http://a:7422"] }] } },
      "leafnodes.remotes[0].urls",
      /must start/,
    );
    throwsField(
      { leafnodes: { remotes: [{ urls: ["a:7422"] }] } },
      "leafnodes.remotes[0].urls",
      /must start/,
    );
    for (const scheme of ["nats-leaf", "tls", "ws", "wss", "nats", "NATS"]) {
      buildServerConfig({ leafnodes: { remotes: [{ urls: [`${scheme}://a:1`] }] } });
    }
  });

  it("leafUrlProblems - lists every problem of one remote's urls", () => {
    assert.deepEqual(leafUrlProblems(["nats-leaf://a:7422", "tls://b:7422"]), []);
    assert.deepEqual(leafUrlProblems(undefined), ["a remote needs at least one url"]);
    assert.deepEqual(leafUrlProblems(["ws://a:80", "ftp://b", 3]), [
      '"ftp://b" must start with one of nats-leaf, tls, ws, wss, nats://',
      "3 must start with one of nats-leaf, tls, ws, wss, nats://",
      "ws:// and wss:// urls cannot be mixed with other schemes in one remote",
    ]);
  });

  it("buildServerConfig - ports are 0..65535 or -1", () => {
    throwsField({ port: 65536 }, "port", /not an integer in 0\.\.65535/);
    throwsField({ httpPort: -2 }, "httpPort", /port -2/);
    throwsField({ leafnodes: { port: 1.5 } }, "leafnodes.port", /port 1\.5/);
    throwsField({ cluster: { name: "c", port: 70000 } }, "cluster.port", /port 70000/);
    buildServerConfig({
      port: -1,
      httpPort: 0,
      leafnodes: { port: 65535 },
      cluster: { name: "c", port: -1 },
    });
  });

  it("buildServerConfig - cluster needs a name, jetstream a store dir", () => {
    throwsField({ cluster: { name: "", port: 6222 } }, "cluster.name", /needs a name/);
    throwsField({ jetstream: { storeDir: "" } }, "jetstream.storeDir", /store directory/);
  });

  it("buildServerConfig - extra may not repeat a built key", () => {
    throwsField({ port: 4222, extra: { port: 1 } }, "extra.port", /typed field/);
  });
});

describe("renderServerConfig with nats-server -t", () => {
  let dir: string;
  let operatorJwt: string;
  let sysJwt: string;
  let appJwt: string;
  let sysPub: string;
  let appPub: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-serverconfig-"));
    const op = createKeyPair("operator");
    const sys = createKeyPair("account");
    const app = createKeyPair("account");
    sysPub = sys.getPublicKey();
    appPub = app.getPublicKey();
    operatorJwt = await sign(operatorClaims("op", op.getPublicKey(), { systemAccount: sysPub }), op);
    sysJwt = await sign(accountClaims("SYS", sysPub, op.getPublicKey(), {}), op);
    appJwt = await sign(accountClaims("APP", appPub, op.getPublicKey(), {}), op);
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function serverAccepts(file: string, spec: ServerConfigSpec): Promise<void> {
    const configPath = path.join(dir, file);
    fs.writeFileSync(configPath, renderServerConfig(spec));
    try {
      await promisify(execFile)(toolPath("nats-server"), ["-t", "-c", configPath], { cwd: dir });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string };
      assert.fail(
        `nats-server rejected ${file}: ${e.stderr ?? ""}${e.stdout ?? ""}\n${renderServerConfig(spec)}`,
      );
    }
  }

  it("nats-server -t - accepts a full resolver hub with cluster, leafnodes and jetstream", async () => {
    await serverAccepts("hub.conf", {
      serverName: "hub",
      host: "127.0.0.1",
      port: -1,
      httpPort: -1,
      operator: operatorJwt,
      systemAccount: sysPub,
      resolver: {
        type: "full",
        dir: "./jwt",
        allowDelete: true,
        hardDelete: true,
        interval: "2m",
        timeout: "1.9s",
      },
      preload: { [sysPub]: sysJwt },
      jetstream: { storeDir: "./js", maxMemory: "64M", maxFile: "1G" },
      cluster: { name: "c1", host: "127.0.0.1", port: -1, routes: ["nats-route://127.0.0.1:6222"] },
      leafnodes: { host: "127.0.0.1", port: -1, authorization: { user: "leaf", password: "pw", timeout: 2 } },
    });
  });

  it("nats-server -t - accepts a memory resolver with preloaded accounts", async () => {
    await serverAccepts("memory.conf", {
      port: -1,
      operator: operatorJwt,
      systemAccount: sysPub,
      resolver: { type: "memory" },
      preload: { [sysPub]: sysJwt, [appPub]: appJwt },
    });
  });

  it("nats-server -t - accepts a cache resolver", async () => {
    await serverAccepts("cache.conf", {
      port: -1,
      operator: operatorJwt,
      systemAccount: sysPub,
      resolver: { type: "cache", dir: "./jwt", ttl: "2m", timeout: "1s", limit: 100 },
    });
  });

  it("nats-server -t - accepts a leaf with two remotes", async () => {
    await serverAccepts("leaf.conf", {
      serverName: "leaf",
      port: -1,
      operator: operatorJwt,
      systemAccount: sysPub,
      resolver: { type: "memory" },
      preload: { [sysPub]: sysJwt, [appPub]: appJwt },
      leafnodes: {
        remotes: [
          {
            urls: ["nats-leaf://127.0.0.1:7422", "tls://127.0.0.1:7423"],
            account: appPub,
            tls: { handshakeFirst: true },
          },
          { urls: ["ws://127.0.0.1:8080"], account: sysPub, wsCompression: true, wsNoMasking: true },
        ],
      },
    });
  });
});
