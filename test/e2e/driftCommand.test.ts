/**
 * `pulumi-nats-auth drift` (cli/drift.ts) as cron or CI runs it: the built bin, run in a project
 * folder (fixtures/drift-project) against three real nats-servers and the real pulumi CLI. An nsc
 * edit pushed with nsc (named per server), a forged JWT with a later iat, wiped revocations and a deleted account each exit 1 naming the change in
 * words; `--repair` exits 0 and leaves every server holding the program's JWT; a server down exits 2
 * naming it.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeJwt, sign } from "../../core/jwt";
import { fromSeed } from "../../core/nkeys";
import { renderServerConfig } from "../../core/serverConfig";
import { ResolverClient } from "../../io/resolverClient";
import { closeAllResolvers } from "../../io/resolverPool";
import { NatsServer } from "../harness/natsServer";
import { REPO_ROOT, toolPath } from "../harness/paths";
import { TestStack } from "../harness/pulumi";

type Outputs = Record<string, { value: unknown }>;
const v = (o: Outputs, k: string) => String(o[k].value);
const PROJECT = path.join(REPO_ROOT, "test", "e2e", "fixtures", "drift-project");
const BIN = path.join(REPO_ROOT, "dist", "cli", "main.js");

describe("e2e drift command - unattended checks with readable reports", () => {
  let t: TestStack;
  const servers: NatsServer[] = [];
  let o: Outputs;
  let urls: string[];

  /** Runs the bin as a user would: `pulumi-nats-auth drift --stack e2e --dir <project> …`. */
  function run(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, "drift", "--stack", "e2e", "--dir", PROJECT, ...args], {
        env: { ...process.env, ...t.env },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      child.on("error", reject);
      child.on("close", (code) => {
        t.logs.push(stdout, stderr);
        resolve({ code, stdout, stderr });
      });
    });
  }

  async function push(jwt: string): Promise<void> {
    for (const url of urls) {
      const client = await ResolverClient.connect({
        servers: [url],
        creds: v(o, "sysCreds"),
        timeoutMs: 2000,
      });
      try {
        assert.equal((await client.push(jwt)).accepted, 1);
      } finally {
        await client.close();
      }
    }
  }

  /** The stack's account JWT with `edit` applied, re-signed now (a later iat) by the operator signing key. */
  async function forged(edit: (nats: Record<string, unknown>) => void): Promise<string> {
    const claims = decodeJwt(v(o, "appJwt"));
    edit(claims.nats);
    const { iat: _i, jti: _j, ...body } = claims;
    // iat is in seconds: a second later guarantees the servers take it as the newer JWT.
    await new Promise((r) => setTimeout(r, 1100));
    return sign(body, fromSeed(v(o, "operatorSigningSeed")));
  }

  /** What each server holds for the account (one JWT per server, asked one by one). */
  async function held(): Promise<string[]> {
    const out: string[] = [];
    for (const url of urls) {
      const client = await ResolverClient.connect({
        servers: [url],
        creds: v(o, "sysCreds"),
        timeoutMs: 2000,
      });
      try {
        const found = await client.lookup(v(o, "appPub"));
        out.push(found.found[0]?.jwt ?? "absent");
      } finally {
        await client.close();
      }
    }
    return out;
  }

  /** The Account's JWT as the stack's state holds it (the program's). */
  async function programJwt(): Promise<string> {
    const resources = (await t.stack.exportStack()).deployment.resources as {
      type: string;
      outputs?: { jwt?: string; publicKey?: string };
    }[];
    const jwt = resources.find((r) => r.type.endsWith(":Account") && r.outputs?.publicKey === v(o, "appPub"))
      ?.outputs?.jwt;
    assert.ok(jwt, "the state holds the account's JWT");
    return jwt;
  }

  /** `drift` exits 1 naming `expected`; `drift --repair` exits 0 and every server holds the program's JWT. */
  async function detectAndRepair(expected: RegExp, label: string): Promise<void> {
    const found = await run();
    console.log(`${label}:\n${found.stdout}${found.stderr}`);
    assert.equal(found.code, 1, `${label}: exit 1 on drift\n${found.stdout}${found.stderr}`);
    assert.match(found.stdout, expected, `${label}: the report names the change`);
    const json = await run("--json");
    assert.equal(json.code, 1, `${label}: --json exits 1 too`);
    const report = JSON.parse(json.stdout) as {
      status: string;
      accounts: { findings: { severity: string; text: string }[] }[];
    };
    assert.equal(report.status, "drift");
    assert.ok(
      report.accounts[0].findings.some((f) => expected.test(`[${f.severity}] ${f.text}`)),
      `${label}: --json names it`,
    );
    const repaired = await run("--repair");
    assert.equal(repaired.code, 0, `${label}: --repair exits 0\n${repaired.stdout}${repaired.stderr}`);
    assert.match(repaired.stdout, /the servers hold the program's JWTs/);
    const mine = await programJwt();
    assert.deepEqual(await held(), [mine, mine, mine], `${label}: every server holds the program's JWT`);
  }

  before(async () => {
    t = await TestStack.fromFolder(PROJECT, "e2e");
    const signed = (await t.up()).outputs;
    for (let i = 0; i < 3; i++) {
      servers.push(
        await NatsServer.start({
          body: renderServerConfig({
            operator: v(signed, "operatorJwt"),
            systemAccount: v(signed, "sysPub"),
            resolver: { type: "full", dir: "jwt", allowDelete: true },
            preload: { [v(signed, "sysPub")]: v(signed, "sysJwt") },
          }),
        }),
      );
    }
    urls = servers.map((s) => s.url);
    await t.stack.setConfig("servers", { value: JSON.stringify(urls) });
    o = (await t.up()).outputs;
  });
  after(async () => {
    await t?.dispose();
    await Promise.all(servers.map((s) => s[Symbol.asyncDispose]()));
    await closeAllResolvers();
  });

  it("drift command - servers and program agree: exit 0; --help exits 0", async () => {
    const r = await run();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /stack e2e: the servers hold the program's JWTs \(2 accounts checked\)/);
    const help = await new Promise<number | null>((resolve) =>
      spawn(process.execPath, [BIN, "--help"], { stdio: "ignore" }).on("close", resolve),
    );
    assert.equal(help, 0);
  });

  it("drift command - a forged JWT with a later iat (a limit lowered) is named with both values", async () => {
    await push(
      await forged((n) => {
        (n.limits as Record<string, unknown>).conn = 7;
      }),
    );
    await detectAndRepair(/\[medium\] limit lowered out of band: conn 10 → 7 on all servers/, "forged limit");
  });

  it("drift command - an nsc edit (nsc edit account --conns, then pushed) is named in words, with each server", async () => {
    // nsc as an operator team would use it next to the stack: the operator and its signing key
    // imported, the stack's account imported, edited and pushed to every server.
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "pna-drift-nsc-"));
    try {
      const env = {
        ...process.env,
        XDG_CONFIG_HOME: path.join(home, "config"),
        XDG_DATA_HOME: path.join(home, "data"),
        NKEYS_PATH: path.join(home, "nkeys"),
      };
      const nsc = (...args: string[]) =>
        execFileSync(toolPath("nsc"), args, { env, encoding: "utf8", stdio: "pipe", cwd: home });
      fs.writeFileSync(path.join(home, "op.jwt"), v(o, "operatorJwt"));
      nsc("add", "operator", "--url", path.join(home, "op.jwt"));
      fs.mkdirSync(path.join(home, "keys"));
      fs.writeFileSync(path.join(home, "keys", "op-sk.nk"), v(o, "operatorSigningSeed"), { mode: 0o600 });
      nsc("import", "keys", "--dir", path.join(home, "keys"));
      fs.writeFileSync(path.join(home, "app.jwt"), await programJwt());
      nsc("import", "account", "--file", path.join(home, "app.jwt"));
      // nsc signs now: a second later than the stack's JWT, so the servers take nsc's as newer.
      await new Promise((r) => setTimeout(r, 1100));
      nsc("edit", "account", "--name", "APP", "--conns", "12");
      // nsc's JWT as its store holds it, pushed as `nsc push` would (nsc push needs the system
      // account's key to make its own user; the stack's system user pushes it here).
      const stores = path.join(home, "data", "nats", "nsc", "stores");
      const [operatorDir] = fs.readdirSync(stores);
      await push(
        fs.readFileSync(path.join(stores, operatorDir, "accounts", "APP", "APP.jwt"), "utf8").trim(),
      );
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
    const found = await run();
    assert.equal(found.code, 1, found.stdout + found.stderr);
    // Which server holds what: each server by its name (standalone servers: no cluster).
    for (const s of servers) {
      assert.match(
        found.stdout,
        new RegExp(`${s.name} \\(no cluster\\) holds a JWT issued at \\S+ signed by O`),
      );
    }
    await detectAndRepair(/\[high\] limit raised out of band: conn 10 → 12 on all servers/, "nsc edit");
  });

  it("drift command - wiped revocations read as a re-admitted user, critical, with the ISO time", async () => {
    await push(
      await forged((n) => {
        delete n.revocations;
      }),
    );
    const banned = v(o, "bannedPub");
    await detectAndRepair(
      new RegExp(
        `\\[critical\\] a revoked user was re-admitted: ${banned}, revoked by the program at 2023-11-14T22:13:20Z, is not revoked on all servers`,
      ),
      "revocations",
    );
  });

  it("drift command - an account deleted from the resolver", async () => {
    for (const url of urls) {
      const c = await ResolverClient.connect({ servers: [url], creds: v(o, "sysCreds"), timeoutMs: 2000 });
      await c.deleteAccounts([v(o, "appPub")], fromSeed(v(o, "operatorSigningSeed")));
      await c.close();
    }
    await detectAndRepair(/\[high\] the account is missing from all servers/, "deleted");
  });

  it("drift command - a server down exits 2 and names it; back up, exit 0", async () => {
    await servers[1].stop();
    const r = await run();
    console.log(`server down:\n${r.stdout}${r.stderr}`);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /COULD NOT CHECK/);
    assert.match(r.stdout, new RegExp(`could not ask: .*${urls[1].replace(/[.:/]/g, "\\$&")}`));
    await servers[1].restart();
    const back = await run();
    assert.equal(back.code, 0, back.stdout + back.stderr);
  });
});
