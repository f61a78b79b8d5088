/**
 * The claims newer servers read, judged by the servers and by nsc: an operator's
 * `assert_server_version` stops an older server from starting (2.9.10 refuses 2.10.0, 2.14.9 runs
 * it); a `proxy_required` user is refused by 2.14.9 without a trusted proxy and (the claim unknown
 * to it) admitted by 2.9.10; an account with `cluster_traffic: "owner"` serves its users; nsc 2.12
 * keeps all three when it reads the JWTs (`nsc describe jwt --json`).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { accountClaims, operatorClaims, userClaims } from "../../core/claims";
import { formatCreds } from "../../core/creds";
import { sign } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import { renderServerConfig } from "../../core/serverConfig";
import { connectAs } from "../harness/clients";
import { NatsServer } from "../harness/natsServer";
import { toolPath } from "../harness/paths";

const run = promisify(execFile);

describe("newer claims - judged by nats-server 2.14.9, 2.9.10 and nsc", () => {
  let dir: string;
  const op = createKeyPair("operator");
  const sys = createKeyPair("account");
  const app = createKeyPair("account");
  const user = createKeyPair("user");
  const proxied = createKeyPair("user");
  let sysJwt: string;
  let appJwt: string;
  let userCreds: string;
  let proxiedCreds: string;
  let proxiedJwt: string;

  const operatorJwt = (assertServerVersion?: string) =>
    sign(
      operatorClaims("OP", op.getPublicKey(), { systemAccount: sys.getPublicKey(), assertServerVersion }),
      op,
    );

  async function config(assertServerVersion?: string): Promise<string> {
    return renderServerConfig({
      operator: await operatorJwt(assertServerVersion),
      systemAccount: sys.getPublicKey(),
      resolver: { type: "memory" },
      preload: { [sys.getPublicKey()]: sysJwt, [app.getPublicKey()]: appJwt },
    });
  }

  /** What a server says when it starts on a config: "ready", or why it exited. */
  async function start(binary: string, text: string): Promise<string> {
    try {
      await using _server = await NatsServer.start({ name: `asv-${binary}`, binary, body: text });
      return "ready";
    } catch (e) {
      return (e as Error).message;
    }
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "newer-claims-"));
    sysJwt = await sign(accountClaims("SYS", sys.getPublicKey(), op.getPublicKey(), {}), op);
    appJwt = await sign(
      accountClaims("APP", app.getPublicKey(), op.getPublicKey(), { clusterTraffic: "owner" }),
      op,
    );
    const userJwt = await sign(userClaims("u", user.getPublicKey(), app.getPublicKey(), {}, {}), app);
    userCreds = formatCreds(userJwt, new TextDecoder().decode(user.getSeed()));
    proxiedJwt = await sign(
      userClaims("p", proxied.getPublicKey(), app.getPublicKey(), { proxyRequired: true }, {}),
      app,
    );
    proxiedCreds = formatCreds(proxiedJwt, new TextDecoder().decode(proxied.getSeed()));
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("assert_server_version - 2.9.10 refuses to start for an operator asserting 2.10.0; 2.14.9 starts, refuses 99.0.0", async () => {
    // `nats-server -t` accepts all of these: the version is checked when the server starts.
    assert.equal(await start("nats-server", await config("2.10.0")), "ready");
    assert.match(
      await start("nats-server-old", await config("2.10.0")),
      /expected minor version 10 > server minor version 9/,
    );
    assert.equal(await start("nats-server-old", await config("2.9.0")), "ready");
    assert.match(
      await start("nats-server", await config("99.0.0")),
      /expected major version 99 > server major version 2/,
    );
  });

  it("proxy_required - 2.14.9 refuses the user without a trusted proxy, 2.9.10 admits it; cluster_traffic owner serves users", async () => {
    const text = await config();
    for (const binary of ["nats-server", "nats-server-old"]) {
      await using server = await NatsServer.start({ name: `claims-${binary}`, binary, body: text });
      const nc = await connectAs(server.url, userCreds);
      await nc.flush();
      await nc.close();
      const attempt = connectAs(server.url, proxiedCreds).then(async (c) => {
        await c.close();
        return "admitted";
      });
      if (binary === "nats-server") await assert.rejects(attempt, /authorization|proxy/i);
      else assert.equal(await attempt, "admitted", "2.9.10 does not know proxy_required");
    }
  });

  it("nsc describe jwt --json - nsc 2.12 keeps proxy_required, cluster_traffic and assert_server_version", async () => {
    const read = async (name: string, jwt: string) => {
      const file = path.join(dir, `${name}.jwt`);
      fs.writeFileSync(file, jwt);
      const env = { ...process.env, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir, HOME: dir };
      const { stdout } = await run(toolPath("nsc"), ["describe", "jwt", "-f", file, "--json"], { env });
      return JSON.parse(stdout) as { nats: Record<string, unknown> };
    };
    assert.equal((await read("user", proxiedJwt)).nats.proxy_required, true);
    assert.equal((await read("account", appJwt)).nats.cluster_traffic, "owner");
    assert.equal((await read("operator", await operatorJwt("2.10.0"))).nats.assert_server_version, "2.10.0");
  });
});
