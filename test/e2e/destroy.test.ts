/**
 * `pulumi destroy` with the defaults, through the real CLI against a running nats-server whose
 * config the stack wrote: the account is deleted from the server before anything the server needs
 * (its config file) goes, servers that refuse deletes leave everything they need in place, and an
 * account no server ever got is destroyed while its servers are down.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { ResolverClient } from "../../io/resolverClient";
import { closeAllResolvers } from "../../io/resolverPool";
import { Account, CredsFile, OperatorWithSystemAccount, ServerConfig, User } from "../../sdk";
import { deadPort, NatsServer, withFreshPorts } from "../harness/natsServer";
import { TestStack } from "../harness/pulumi";

/**
 * The README's pattern: one ServerConfig written where the server reads it, and the Account that is
 * pushed to that server depending on it, so destroy deletes the account before the config.
 */
const program = (dir: string) => async () => {
  const cfg = new pulumi.Config();
  const port = cfg.requireNumber("port");
  const ops = new OperatorWithSystemAccount("op", { generateSigningKey: true });
  const allowDelete = cfg.getBoolean("allowDelete");
  const server = new ServerConfig("server", {
    path: path.join(dir, "server.conf"),
    host: "127.0.0.1",
    port,
    operator: ops.operator.jwt,
    systemAccount: ops.systemAccount.publicKey,
    // No allowDelete: the default is what is tested (unless the test sets it).
    resolver: {
      type: "full",
      dir: path.join(dir, "jwt"),
      ...(allowDelete === undefined ? {} : { allowDelete }),
    },
    preload: [ops.systemAccount],
  });
  const servers = cfg.getObject<string[]>("servers") ?? [];
  const app = new Account(
    "APP",
    {
      operator: ops.operator,
      signer: ops.signingKey,
      resolver: {
        servers,
        creds: ops.systemUser.creds,
        timeoutMs: 2000,
        onDelete: cfg.get("onDelete") as "delete" | "retain" | undefined,
      },
    },
    { dependsOn: [server] },
  );
  const user = new User("u", { account: app });
  new CredsFile("u-creds", { creds: user.creds, path: path.join(dir, "u.creds") });
  return { appPub: app.publicKey, sysCreds: ops.systemUser.creds };
};

/** Whether the server's resolver holds the account. */
async function holds(url: string, sysCreds: string, account: string): Promise<boolean> {
  const client = await ResolverClient.connect({ servers: [url], creds: sysCreds, timeoutMs: 2000 });
  try {
    return (await client.lookup(account)).found.length > 0;
  } finally {
    await client.close();
  }
}

/** A stack whose first `up` (no servers) writes the config, then a server started from that file. */
async function stackWithServer(label: string, config: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pna-${label}-`));
  const t = await TestStack.create(label, program(dir));
  for (const [k, v] of Object.entries(config)) await t.stack.setConfig(k, { value: v });
  const conf = path.join(dir, "server.conf");
  // The config names the port before the server binds it: if another file's server takes it first,
  // the stack writes the config again with another port.
  const server = await withFreshPorts(label, async (ports) => {
    const port = await ports.port();
    await t.stack.setConfig("port", { value: String(port) });
    await t.up();
    return ports.own(await NatsServer.fromConfig(fs.readFileSync(conf, "utf8"), { port, dir }));
  });
  await t.stack.setConfig("servers", { value: JSON.stringify([server.url]) });
  const up = await t.up();
  return {
    t,
    dir,
    conf,
    server,
    sysCreds: String(up.outputs.sysCreds.value),
    appPub: String(up.outputs.appPub.value),
  };
}

describe("e2e destroy - safe with the defaults", () => {
  after(async () => closeAllResolvers());

  it("destroy e2e - with the defaults the account is deleted from the running server before its config file goes", async () => {
    const s = await stackWithServer("destroy-defaults");
    try {
      assert.equal(await holds(s.server.url, s.sysCreds, s.appPub), true, "pushed");
      const deleted: string[] = [];
      const onEvent = (e: EngineEvent) => {
        const m = e.resOutputsEvent?.metadata;
        if (m?.op === "delete") deleted.push(m.type.split(":").pop() ?? m.type);
      };
      const result = await s.t.stack.destroy({ onEvent, onOutput: (l) => s.t.logs.push(l) });
      assert.equal(result.summary.result, "succeeded", s.t.logs.join(""));
      assert.equal(await holds(s.server.url, s.sysCreds, s.appPub), false, "deleted from the server");
      assert.ok(s.server.pid, "the server still runs");
      assert.ok(
        deleted.indexOf("Account") < deleted.indexOf("ServerConfig"),
        `the account goes before the server's config: ${deleted.join(", ")}`,
      );
      assert.equal(fs.existsSync(s.conf), false, "destroy removed the config it wrote");
    } finally {
      await s.t.dispose();
      await s.server[Symbol.asyncDispose]();
      fs.rmSync(s.dir, { recursive: true, force: true });
    }
  });

  it("destroy e2e - servers that refuse deletes keep everything they need: config on disk, system account in state", async () => {
    const s = await stackWithServer("destroy-refused", { allowDelete: "false" });
    const text = fs.readFileSync(s.conf, "utf8");
    try {
      const message = await s.t.destroy().then(
        () => assert.fail("destroy must fail while the server refuses deletes"),
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
      assert.match(message, /Account "APP": the resolver refused to delete the account/);
      assert.match(message, /allow_delete/);
      assert.equal(fs.readFileSync(s.conf, "utf8"), text, "the server's config is still on disk");
      const left = JSON.parse(await s.t.exportText()) as { deployment: { resources?: { type: string }[] } };
      const types = (left.deployment.resources ?? []).map((r) => r.type.split(":").pop());
      for (const kind of ["ServerConfig", "Account", "User", "Operator"]) {
        assert.ok(types.includes(kind), `${kind} is still in state: ${types.join(", ")}`);
      }
      assert.equal(await holds(s.server.url, s.sysCreds, s.appPub), true, "still on the server");
    } finally {
      await s.t.stack.setConfig("onDelete", { value: "retain" });
      await s.t.up();
      await s.t.dispose();
      await s.server[Symbol.asyncDispose]();
      fs.rmSync(s.dir, { recursive: true, force: true });
    }
  });

  it("destroy e2e - an account whose servers were never reached is destroyed while they are down", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-destroy-down-"));
    const port = await deadPort();
    const t = await TestStack.create("destroy-down", program(dir));
    try {
      // Nothing listens on the port, nor can while the test runs: the push fails, the account is
      // recorded unpushed.
      await t.stack.setConfig("port", { value: String(port) });
      await t.stack.setConfig("servers", { value: JSON.stringify([`nats://127.0.0.1:${port}`]) });
      await assert.rejects(t.up(), /Account "APP": push to the resolver failed/);
      const result = await t.destroy();
      assert.equal(result.summary.result, "succeeded");
    } finally {
      await t.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
