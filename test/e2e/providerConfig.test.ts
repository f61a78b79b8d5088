/**
 * Provider configuration through the real pulumi CLI, the YAML language host and the native plugin,
 * against two real nats-server resolver setups (two operators, each with its own full-resolver
 * server): one program serves both environments through two explicit providers; a third account
 * uses the default provider configured by `nats-auth:*` stack config; a fourth, on provider A, gives
 * its own resolver (B's) and goes there. Then what a change of provider config does: a creds rotation
 * changes no resource, a server added to the list is pushed to by the next `up`; a bad key is refused
 * at preview naming it. The secrets scan (export, backend, PULUMI_HOME logs) also looks for the system
 * users' JWTs.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { parseCreds } from "../../core/creds";
import { renderServerConfig } from "../../core/serverConfig";
import { ResolverClient } from "../../io/resolverClient";
import { closeAllResolvers } from "../../io/resolverPool";
import { Account, Operator } from "../../sdk";
import { type World, world } from "../harness/identities";
import { NatsServer } from "../harness/natsServer";
import { REPO_ROOT, toolPath } from "../harness/paths";
import { filesHolding, TestStack } from "../harness/pulumi";

const PROGRAM = path.join(REPO_ROOT, "test", "e2e", "fixtures", "provider-config");

function serverConfig(w: World): string {
  return renderServerConfig({
    operator: w.operator.jwt,
    systemAccount: w.sys.publicKey,
    resolver: { type: "full", dir: "jwt", allowDelete: true, interval: "2m", timeout: "1.9s" },
    preload: { [w.sys.publicKey]: w.sys.jwt },
  });
}

/** Whether the server at `url` holds a JWT of `account`. */
async function holds(url: string, creds: string, account: string): Promise<boolean> {
  const client = await ResolverClient.connect({ servers: [url], creds, timeoutMs: 2000 });
  try {
    return (await client.lookup(account)).found.length > 0;
  } finally {
    await client.close();
  }
}

/** Resource operations other than "same" of the nats-auth resources (not the providers) in the CLI's JSON preview. */
function resourceChanges(previewJson: string): string[] {
  const steps = (JSON.parse(previewJson) as { steps?: { op: string; urn: string }[] }).steps ?? [];
  return steps
    .filter((s) => s.op !== "same" && s.urn.includes("::nats-auth:index:"))
    .map((s) => `${s.op} ${s.urn.split("::").pop()}`);
}

describe("e2e provider config - one program, two environments, switched by provider", () => {
  let t: TestStack;
  let a: World;
  let b: World;
  const servers: NatsServer[] = [];
  let serverA: NatsServer;
  let serverB: NatsServer;
  let out: Record<string, string> = {};

  before(async () => {
    toolPath("pulumi-language-yaml");
    execFileSync("npm", ["run", "plugin"], { cwd: REPO_ROOT, stdio: "pipe" });
    a = await world({ strict: false });
    b = await world({ strict: false });
    serverA = await NatsServer.start({ name: "env-a", body: serverConfig(a) });
    servers.push(serverA);
    serverB = await NatsServer.start({ name: "env-b", body: serverConfig(b) });
    servers.push(serverB);
    t = await TestStack.fromFolder(PROGRAM, "e2e", {
      operatorA: { value: a.operator.publicKey },
      operatorB: { value: b.operator.publicKey },
      signerA: { value: a.operator.seed, secret: true },
      signerB: { value: b.operator.seed, secret: true },
      credsA: { value: a.sysUser.creds, secret: true },
      credsB: { value: b.sysUser.creds, secret: true },
      // The default provider: environment B, as `pulumi config set` writes it.
      "nats-auth:creds": { value: b.sysUser.creds, secret: true },
      "nats-auth:timeoutMs": { value: "3000" },
    });
    await t.stack.setConfig("serversA[0]", { value: serverA.url }, true);
    await t.stack.setConfig("serversB[0]", { value: serverB.url }, true);
    await t.cli(["config", "set", "--path", "nats-auth:servers[0]", serverB.url]);
  });

  after(async () => {
    try {
      await closeAllResolvers();
      // The system users' JWTs (the creds' other half) are nowhere in the open either.
      const jwts = [a.sysUser, b.sysUser].map((u) => parseCreds(u.creds).jwt);
      const found: string[] = [];
      const look = (where: string, text: string) => {
        if (jwts.some((j) => text.includes(j))) found.push(where);
      };
      if (t) {
        look("pulumi stack export", await t.exportText());
        look("CLI output", t.logs.join("\n"));
        found.push(
          ...filesHolding(t.dir, jwts),
          ...filesHolding(path.join(PROGRAM, "Pulumi.e2e.yaml"), jwts),
        );
      }
      await t?.dispose();
      assert.deepEqual(found, [], "a system user's JWT is in the open");
    } finally {
      await Promise.all(servers.map((s) => s[Symbol.asyncDispose]()));
    }
  });

  it("provider config e2e - each account goes to its provider's servers, the override to its own, the default provider's from stack config", async () => {
    const up = await t.up();
    out = Object.fromEntries(Object.entries(up.outputs).map(([k, v]) => [k, String(v.value)]));
    const where = async (account: string) => [
      await holds(serverA.url, a.sysUser.creds, account),
      await holds(serverB.url, b.sysUser.creds, account),
    ];
    assert.deepEqual(await where(out.appA), [true, false], "APPA through envA: on A only");
    assert.deepEqual(await where(out.appB), [false, true], "APPB through envB: on B only");
    assert.deepEqual(await where(out.appDefault), [false, true], "the default provider: stack config, B");
    assert.deepEqual(await where(out.appOverride), [false, true], "its own resolver wins over envA");
    assert.equal(out.appDefaultPushedTo, "1");

    const again = await t.cli(["preview", "--json"]);
    assert.deepEqual(resourceChanges(again.stdout), [], "a second preview changes nothing");
  });

  it("provider config e2e - a creds rotation changes no resource; a server added to the list gets the next up's push", async () => {
    const rotated = await b.newUser(b.sys, "sys2");
    await t.stack.setConfig("nats-auth:creds", { value: rotated.creds, secret: true });
    const afterRotation = await t.cli(["preview", "--json"]);
    assert.deepEqual(resourceChanges(afterRotation.stdout), [], "new creds: no account changes");
    await t.up();

    const serverB2 = await NatsServer.start({ name: "env-b2", body: serverConfig(b) });
    servers.push(serverB2);
    await t.cli(["config", "set", "--path", "nats-auth:servers[1]", serverB2.url]);
    const preview = await t.cli(["preview", "--json"]);
    assert.deepEqual(
      resourceChanges(preview.stdout),
      ["update appDefault"],
      "only the default provider's account",
    );
    const up = await t.up();
    assert.equal(up.outputs.appDefaultPushedTo.value, 2);
    assert.equal(
      await holds(serverB2.url, rotated.creds, out.appDefault),
      true,
      "pushed to the added server",
    );
    assert.equal(
      await holds(serverB2.url, rotated.creds, out.appB),
      false,
      "envB's account stays where it was",
    );
  });

  it("provider config e2e - a bad key is refused at preview, naming it, the reason and what to do", async () => {
    await t.stack.setConfig("nats-auth:sevrers", { value: "nats://127.0.0.1:4222" });
    await t.stack.setConfig("nats-auth:waitMs", { value: "soon" });
    try {
      await assert.rejects(t.cli(["preview"]), (e: Error & { stdout?: string; stderr?: string }) => {
        const text = `${e.stdout}\n${e.stderr}`;
        assert.match(
          text,
          /nats-auth:sevrers is not a setting of the nats-auth provider \(did you mean nats-auth:servers\?\)/,
        );
        assert.match(text, /nats-auth:waitMs: must be a whole number of milliseconds, 0 or more, got "soon"/);
        return true;
      });
    } finally {
      await t.stack.removeAllConfig(["nats-auth:sevrers", "nats-auth:waitMs"]);
    }
  });
});

/** A TypeScript program on the dynamic SDK: an adopted operator and an Account with no resolver. */
const dynamicProgram = async () => {
  const cfg = new pulumi.Config();
  const op = new Operator("op", {
    name: "test-op",
    seed: cfg.requireSecret("operatorSeed"),
    systemAccount: cfg.require("systemAccount"),
  });
  const app = new Account("APP", { operator: op });
  return { app: app.publicKey, pushedTo: app.pushedTo };
};

describe("e2e provider config - the TypeScript dynamic SDK reads nats-auth:* stack config too", () => {
  let t: TestStack;
  let w: World;
  let server: NatsServer;

  before(async () => {
    w = await world({ strict: false });
    server = await NatsServer.start({ name: "env-dyn", body: serverConfig(w) });
    t = await TestStack.create("provider-config-dynamic", dynamicProgram, {
      operatorSeed: { value: w.operator.seed, secret: true },
      systemAccount: { value: w.sys.publicKey },
      "nats-auth:servers": { value: JSON.stringify([server.url]) },
      "nats-auth:creds": { value: w.sysUser.creds, secret: true },
    });
  });
  after(async () => {
    try {
      await closeAllResolvers();
      const jwt = parseCreds(w.sysUser.creds).jwt;
      const found = t ? filesHolding(t.dir, [jwt]) : [];
      if (t && (await t.exportText()).includes(jwt)) found.push("pulumi stack export");
      await t?.dispose();
      assert.deepEqual(found, [], "the system user's JWT is in the open");
    } finally {
      await server?.[Symbol.asyncDispose]();
    }
  });

  it("provider config e2e - a dynamic Account without a resolver is pushed to nats-auth:servers with nats-auth:creds", async () => {
    const up = await t.up();
    assert.equal(up.outputs.pushedTo.value, 1);
    assert.equal(await holds(server.url, w.sysUser.creds, String(up.outputs.app.value)), true);
  });
});
