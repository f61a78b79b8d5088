/**
 * `npm run demo`: the root Pulumi project (examples/leafnode-jwt) end to end on this machine.
 *
 *   1. pulumi up: operator, SYS, APP and user; main.conf, leaf.conf and user.creds are written
 *   2. nats-server main.conf and nats-server leaf.conf start from those files
 *   3. pulumi up again with push=true: APP's JWT is pushed to the main server's resolver
 *   4. a service on the main server (APP user creds) answers "hello" on greet; a client of the leaf
 *      server, with no credentials, sends a request on greet and prints the reply
 *   5. pulumi destroy (APP is deleted from the resolver), servers stopped, files removed
 *
 * Ports: DEMO_MAIN_PORT (4222), DEMO_LEAF_PORT (4223), DEMO_LEAFNODE_PORT (7422). Set DEMO_KEEP=1
 * to keep the stack, the files and print the commands to start the servers yourself.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { connect, credsAuthenticator } from "@nats-io/transport-node";
import { closeAllResolvers } from "../io/resolverPool";
import { NatsServer } from "../test/harness/natsServer";
import { REPO_ROOT } from "../test/harness/paths";
import { TestStack } from "../test/harness/pulumi";

const step = (text: string): void => {
  process.stdout.write(`[demo] ${text}\n`);
};

async function main(): Promise<void> {
  const ports = {
    mainPort: Number(process.env.DEMO_MAIN_PORT ?? 4222),
    leafPort: Number(process.env.DEMO_LEAF_PORT ?? 4223),
    leafnodePort: Number(process.env.DEMO_LEAFNODE_PORT ?? 7422),
  };
  const keep = process.env.DEMO_KEEP === "1";
  const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), "nats-auth-demo-"));
  step(
    `files go to ${outputDir}; ports main ${ports.mainPort}, leaf ${ports.leafPort}, leafnode ${ports.leafnodePort}`,
  );
  // The root Pulumi project (Pulumi.yaml: the compiled examples/leafnode-jwt), run by the CLI.
  const stack = await TestStack.fromFolder(REPO_ROOT, "demo", {
    mainPort: { value: String(ports.mainPort) },
    leafPort: { value: String(ports.leafPort) },
    leafnodePort: { value: String(ports.leafnodePort) },
    outputDir: { value: outputDir },
    push: { value: "false" },
  });
  const servers: NatsServer[] = [];
  try {
    step("pulumi up: operator 'local' (strict signing keys), SYS + sys, APP + user, server configs");
    const first = await stack.up();
    step(`  ${JSON.stringify(first.summary.resourceChanges)}`);
    const out = first.outputs;
    step(
      `operator JWT issued; system account ${out.systemAccountPublicKey.value}; APP ${out.appAccountPublicKey.value}`,
    );

    step("starting nats-server -c main.conf and nats-server -c leaf.conf");
    servers.push(
      await NatsServer.fromConfig(String(out.mainServerConfig.value), { port: ports.mainPort, name: "main" }),
    );
    servers.push(
      await NatsServer.fromConfig(String(out.leafServerConfig.value), { port: ports.leafPort, name: "leaf" }),
    );

    step("pulumi up with push=true: pushing APP to the main server's resolver");
    await stack.stack.setConfig("push", { value: "true" });
    const second = await stack.up();
    step(
      `  ${JSON.stringify(second.summary.resourceChanges)}; APP held by ${second.outputs.appPushedTo.value} server(s)`,
    );

    const creds = new TextEncoder().encode(String(second.outputs.userCreds.value));
    const service = await connect({ servers: servers[0].url, authenticator: credsAuthenticator(creds) });
    service.subscribe("greet", {
      callback: (_e, m) => {
        m.respond("hello");
      },
    });
    await service.flush();
    step("service on the main server (APP/user creds) answers on 'greet'");
    const client = await connect({ servers: servers[1].url });
    step("client on the leaf server, no credentials: request 'greet' …");
    const deadline = Date.now() + 20_000;
    let reply = "";
    while (!reply) {
      try {
        reply = (await client.request("greet", "hi", { timeout: 500 })).string();
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`no reply through the leaf: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    step(`reply through the leaf: ${reply}`);
    await client.close();
    await service.close();

    if (keep) {
      step(
        `kept: configs in ${outputDir}; start them with nats-server -c ${outputDir}/main.conf (and leaf.conf)`,
      );
      return;
    }
    step("pulumi destroy (deletes APP from the resolver)");
    const destroyed = await stack.destroy();
    step(`  ${JSON.stringify(destroyed.summary.resourceChanges)}`);
  } finally {
    await closeAllResolvers();
    await Promise.all(servers.map((s) => s[Symbol.asyncDispose]()));
    if (!keep) {
      await stack.dispose();
      fs.rmSync(outputDir, { recursive: true, force: true });
    }
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`[demo] failed: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
