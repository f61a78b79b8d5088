/**
 * examples/yaml/supercluster through the real pulumi CLI and the YAML language host on the native
 * plugin: one `up` renders the five hub configs (clusters east and west joined by gateways) and the
 * leaf's, each accepted by `nats-server -t` and started as written; a second `up` pushes APP once,
 * to east-1, and all five full resolvers store it; a client of the leaf (no credentials) reaches a
 * service in west across the gateway; a preview after that shows 0 changes.
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { NatsServer, withFreshPorts } from "../harness/natsServer";
import { REPO_ROOT, toolPath } from "../harness/paths";
import { changeCount, TestStack } from "../harness/pulumi";

const EXAMPLE = path.join(REPO_ROOT, "examples", "yaml", "supercluster");
const HUB = ["east1", "east2", "east3", "west1", "west2"] as const;

before(() => {
  toolPath("pulumi-language-yaml");
  // The README's build step: the plugin the example's `plugins:` section points at.
  execFileSync("npm", ["run", "plugin"], { cwd: REPO_ROOT, stdio: "pipe" });
});

describe("e2e supercluster - the YAML example renders, forms and serves a supercluster", () => {
  let t: TestStack;
  let outputDir: string;
  const servers: NatsServer[] = [];
  const conns: NatsConnection[] = [];
  const ports: Record<string, number> = {};

  before(async () => {
    outputDir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-supercluster-"));
    t = await TestStack.fromFolder(EXAMPLE, "e2e", { outputDir: { value: outputDir } });
    t.scanAlso(outputDir);
  });
  after(async () => {
    await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
    try {
      await t?.dispose();
    } finally {
      await Promise.all(servers.map((s) => s[Symbol.asyncDispose]()));
      fs.rmSync(outputDir, { recursive: true, force: true });
    }
  });

  it("supercluster e2e - configs accepted by nats-server -t, gateways up, one push stored by 5 servers, a leaf request answered in west", async () => {
    const names = [...HUB, "leaf"].map((s) => (s === "leaf" ? "leaf" : s.replace(/(\d)$/, "-$1")));
    // The stack renders every port (routes, gateways, leaf remotes) before the servers bind them: if
    // another file's server takes one first, the ports change and the stack renders them again.
    const leaf = await withFreshPorts("supercluster e2e", async (attempt) => {
      for (const s of HUB) {
        for (const kind of ["Port", "ClusterPort", "GatewayPort", "HttpPort"])
          ports[`${s}${kind}`] = await attempt.port();
      }
      for (const s of ["east1", "east2", "east3"]) ports[`${s}LeafnodePort`] = await attempt.port();
      ports.leafPort = await attempt.port();
      await t.stack.setAllConfig(
        Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, { value: String(v) }])),
      );
      const out = (await t.up()).outputs;
      assert.equal(out.appPushedTo.value, 0, "nothing pushed before the servers run");
      for (const name of names) {
        await promisify(execFile)(toolPath("nats-server"), [
          "-t",
          "-c",
          path.join(outputDir, `${name}.conf`),
        ]).catch((e) =>
          assert.fail(`nats-server -t refused ${name}.conf: ${(e as { stderr?: string }).stderr}`),
        );
      }
      const started = await Promise.allSettled(
        HUB.map((s, i) =>
          NatsServer.fromConfig(fs.readFileSync(path.join(outputDir, `${names[i]}.conf`), "utf8"), {
            port: ports[`${s}Port`],
            httpPort: ports[`${s}HttpPort`],
            name: names[i],
          }),
        ),
      );
      for (const s of started) if (s.status === "fulfilled") attempt.own(s.value);
      for (const s of started) if (s.status === "rejected") throw s.reason;
      const leaf = attempt.own(
        await NatsServer.fromConfig(fs.readFileSync(path.join(outputDir, "leaf.conf"), "utf8"), {
          port: ports.leafPort,
          name: "leaf",
        }),
      );
      servers.push(...started.map((s) => (s as PromiseFulfilledResult<NatsServer>).value), leaf);
      return leaf;
    });

    // Every server's gateway reaches the other cluster before the push, which relies on it.
    const deadline = Date.now() + 20_000;
    for (const [i, s] of HUB.entries()) {
      const other = s.startsWith("east") ? "west" : "east";
      for (;;) {
        const gz = (await (await fetch(`http://127.0.0.1:${ports[`${s}HttpPort`]}/gatewayz`)).json()) as {
          outbound_gateways?: Record<string, unknown>;
        };
        if (gz.outbound_gateways?.[other]) break;
        assert.ok(Date.now() < deadline, `${names[i]}'s gateway to ${other} did not connect`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    await t.stack.setConfig("pushTo[0]", { value: servers[0].url }, true);
    const pushed = await t.up();
    assert.equal(pushed.outputs.appPushedTo.value, 5, "APP pushed to east-1 only, stored by all 5 servers");

    const creds = new TextEncoder().encode(String(pushed.outputs.leafCreds.value));
    const service = await connect({ servers: servers[4].url, authenticator: credsAuthenticator(creds) });
    conns.push(service);
    service.subscribe("greet", {
      callback: (_e, m) => {
        m.respond("hello from west-2");
      },
    });
    await service.flush();
    const client = await connect({ servers: leaf.url });
    conns.push(client);
    let answer = "";
    for (const until = Date.now() + 20_000; !answer; ) {
      try {
        answer = (await client.request("greet", "", { timeout: 500 })).string();
      } catch (e) {
        if (Date.now() > until) throw e;
      }
    }
    assert.equal(answer, "hello from west-2");
    assert.equal(changeCount((await t.preview()).changeSummary), 0, "a preview after up shows 0 changes");
  });
});

describe("e2e supercluster - check warnings of the native plugin reach the user", () => {
  let t: TestStack;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-ackwarn-"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      `name: ackwarn
runtime: yaml
plugins:
  providers:
    - name: nats-auth
      path: ${path.join(REPO_ROOT, "dist", "native")}
resources:
  op:
    type: nats-auth:index:Operator
    properties:
      name: op
  app:
    type: nats-auth:index:Account
    properties:
      name: APP
      operatorPublicKey: \${op.publicKey}
      signerSeed: \${op.seed}
      exports:
        - subject: "$JS.ACK.ORDERS.>"
          type: service
`,
    );
    t = await TestStack.fromFolder(dir, "e2e", {});
  });
  after(async () => {
    try {
      await t?.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("supercluster e2e - a v1 $JS.ACK export shows a warning on the Account at preview, with the fix", async () => {
    const { stdout } = await t.preview();
    assert.match(stdout, /warning: exports\[0\]\.subject: export subject "\$JS\.ACK\.ORDERS\.>"/);
    assert.match(stdout, /"\$JS\.ACK\.\*\.\*\.ORDERS\.>"/);
  });
});
