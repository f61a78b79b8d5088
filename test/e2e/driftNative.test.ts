/**
 * `pulumi-nats-auth drift` (cli/drift.ts) on a stack of the native plugin: a YAML program (the YAML
 * language host, the plugin `npm run plugin` builds) whose account is pushed to a real nats-server
 * full resolver. The check exits 0 while the server agrees; a JWT of the same account with a limit
 * lowered and its revocations wiped, a later iat, pushed with the stack's system user, exits 1 with
 * the changes in words (the revoked key named by the user the program removed) and the server named;
 * `--json` gives the same findings; `--repair` brings the server back and a second check exits 0.
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

const PLUGIN_DIR = path.join(REPO_ROOT, "dist", "native");
const BIN = path.join(REPO_ROOT, "dist", "cli", "main.js");

/** APP (conn 10) with the users `names`, each in its `members` (alice's entry without a `name`), pushed to `pushTo` with the system user. */
function program(names: string[]): string {
  const users = names
    .map(
      (n) => `  ${n}Key:
    type: nats-auth:index:KeyPair
    properties:
      kind: user
  ${n}:
    type: nats-auth:index:User
    properties:
      name: ${n}
      seed: \${${n}Key.seed}
      accountPublicKey: \${appKey.publicKey}
      signerSeed: \${appKey.seed}
`,
    )
    .join("");
  const members = names
    .map(
      (n) =>
        // alice's entry gives no name (YAML/Go/Python may omit it): the report still names her.
        `        - urn: \${${n}.urn}\n          publicKey: \${${n}Key.publicKey}\n${n === "alice" ? "" : `          name: ${n}\n`}`,
    )
    .join("");
  return `name: drift-native
runtime: yaml
plugins:
  providers:
    - name: nats-auth
      path: ${PLUGIN_DIR}
config:
  pushTo:
    type: array
    items:
      type: string
    default: []
resources:
  op:
    type: nats-auth:index:OperatorWithSystemAccount
    properties:
      name: op
      generateSigningKey: true
  appKey:
    type: nats-auth:index:KeyPair
    properties:
      kind: account
${users}  app:
    type: nats-auth:index:Account
    properties:
      name: APP
      seed: \${appKey.seed}
      operatorPublicKey: \${op.operatorPublicKey}
      operatorSigningKeys:
        - \${op.signingKeyPublicKey}
      signerSeed: \${op.signingKeySeed}
      limits:
        conn: 10
      members:
${members}      resolver:
        servers: \${pushTo}
        creds: \${op.systemUserCreds}
        timeoutMs: 2000
outputs:
  operatorJwt: \${op.operatorJwt}
  operatorSigningSeed: \${op.signingKeySeed}
  sysPub: \${op.systemAccountPublicKey}
  sysJwt: \${op.systemAccountJwt}
  sysCreds: \${op.systemUserCreds}
  appPub: \${app.publicKey}
  appJwt: \${app.jwt}
${names.map((n) => `  ${n}Pub: \${${n}Key.publicKey}\n`).join("")}`;
}

type Outputs = Record<string, { value: unknown }>;
const v = (o: Outputs, k: string) => String(o[k].value);

describe("e2e drift command on a native-plugin stack (YAML)", () => {
  let t: TestStack;
  let dir: string;
  let server: NatsServer;
  let o: Outputs;
  let alicePub: string;

  function run(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, "drift", "--stack", "e2e", "--dir", dir, ...args], {
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

  async function withServer<T>(f: (c: ResolverClient) => Promise<T>): Promise<T> {
    const c = await ResolverClient.connect({
      servers: [server.url],
      creds: v(o, "sysCreds"),
      timeoutMs: 2000,
    });
    try {
      return await f(c);
    } finally {
      await c.close();
    }
  }

  before(async () => {
    toolPath("pulumi-language-yaml");
    execFileSync("npm", ["run", "plugin"], { cwd: REPO_ROOT, stdio: "pipe" });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-drift-native-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), program(["alice", "bob"]));
    t = await TestStack.fromFolder(dir, "e2e", {});
    const signed = (await t.up()).outputs;
    alicePub = v(signed, "alicePub");
    server = await NatsServer.start({
      name: "drift-native-s1",
      body: renderServerConfig({
        operator: v(signed, "operatorJwt"),
        systemAccount: v(signed, "sysPub"),
        resolver: { type: "full", dir: "jwt", allowDelete: true },
        preload: { [v(signed, "sysPub")]: v(signed, "sysJwt") },
      }),
    });
    // alice leaves the program: APP revokes her key (its removedUsers keeps her name) and is pushed.
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), program(["bob"]));
    await t.stack.setConfig("pushTo[0]", { value: server.url }, true);
    o = (await t.up()).outputs;
    const revocations = decodeJwt(v(o, "appJwt")).nats.revocations as Record<string, number>;
    assert.ok(revocations?.[alicePub] > 0, "APP revokes alice's key");
  });
  after(async () => {
    try {
      await t?.dispose();
    } finally {
      await server?.[Symbol.asyncDispose]();
      await closeAllResolvers();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("drift native - agree: exit 0; a forged JWT: exit 1 in words naming the server, --json the same; --repair: exit 0, then 0 again", async () => {
    const agree = await run();
    assert.equal(agree.code, 0, agree.stdout + agree.stderr);
    assert.match(agree.stdout, /stack e2e: the servers hold the program's JWTs \(2 accounts checked\)/);

    // Out of band: the stack's JWT with conn lowered and the revocations wiped, re-signed a second
    // later (a later iat: the server takes it) by the operator signing key, pushed with the sys user.
    const claims = decodeJwt(v(o, "appJwt"));
    (claims.nats.limits as Record<string, unknown>).conn = 7;
    delete claims.nats.revocations;
    const { iat: _i, jti: _j, ...body } = claims;
    await new Promise((r) => setTimeout(r, 1100));
    const forged = await sign(body, fromSeed(v(o, "operatorSigningSeed")));
    await withServer(async (c) => assert.equal((await c.push(forged)).accepted, 1));

    const found = await run();
    console.log(`native drift:\n${found.stdout}${found.stderr}`);
    assert.equal(found.code, 1, found.stdout + found.stderr);
    const expected = [
      new RegExp(
        `\\[critical\\] a revoked user was re-admitted: user "alice, removed from the program" \\(${alicePub}\\), revoked by the program at \\S+Z, is not revoked on all servers`,
      ),
      /\[medium\] limit lowered out of band: conn 10 → 7 on all servers/,
      new RegExp(`\\[medium\\] per server: .*${server.name} \\(no cluster\\) holds a JWT issued at \\S+`),
    ];
    for (const re of expected) assert.match(found.stdout, re);
    assert.match(found.stdout, new RegExp(`account app \\(${v(o, "appPub")}\\):\\n {2}\\[critical\\]`));

    const json = await run("--json");
    assert.equal(json.code, 1, json.stdout + json.stderr);
    const report = JSON.parse(json.stdout) as {
      status: string;
      accounts: { name: string; findings: { severity: string; text: string }[] }[];
    };
    assert.equal(report.status, "drift");
    assert.deepEqual(
      report.accounts.map((a) => a.name),
      ["app"],
    );
    const lines = report.accounts[0].findings.map((f) => `[${f.severity}] ${f.text}`);
    for (const re of expected)
      assert.ok(
        lines.some((l) => re.test(l)),
        `--json names ${re}`,
      );
    assert.deepEqual(
      lines,
      found.stdout
        .split("\n")
        .filter((l) => l.startsWith("  ["))
        .map((l) => l.trim()),
      "--json gives the same findings as the text report",
    );

    const repaired = await run("--repair");
    assert.equal(repaired.code, 0, repaired.stdout + repaired.stderr);
    const state = (await t.stack.exportStack()).deployment.resources as {
      type: string;
      outputs?: { jwt?: string; publicKey?: string };
    }[];
    const mine = state.find(
      (r) => r.type === "nats-auth:index:Account" && r.outputs?.publicKey === v(o, "appPub"),
    )?.outputs?.jwt;
    assert.ok(mine, "the state holds APP's JWT");
    assert.equal(
      await withServer(async (c) => (await c.lookup(v(o, "appPub"))).found[0]?.jwt),
      mine,
      "the server holds the program's JWT",
    );
    assert.ok(
      (decodeJwt(mine).nats.revocations as Record<string, number>)[alicePub] > 0,
      "alice is revoked again",
    );
    const again = await run();
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /the servers hold the program's JWTs \(2 accounts checked\)/);
  });
});
