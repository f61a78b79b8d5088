/**
 * The native plugin from YAML, through the real pulumi CLI and the YAML language host, against real
 * nats-servers. examples/yaml/leafnode runs as its README says (`npm run plugin`, then `pulumi up` in
 * the folder): the configs it writes start a main and a leaf server, APP is pushed, a request from a
 * leaf client with no credentials is answered by a service holding the user's creds, a preview after
 * that shows 0 changes and a limit change exactly one update. A second small program shows
 * revoke-on-delete from YAML (an Account's `members`). Both stacks are scanned for seeds in the open
 * (export, backend, logs, written files) when disposed.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { decodeJwt } from "../../core/jwt";
import { renderServerConfig } from "../../core/serverConfig";
import { connectAs, droppedWithin, requestUntilAnswered } from "../harness/clients";
import { upWithLeafServers } from "../harness/leafExample";
import { NatsServer } from "../harness/natsServer";
import { REPO_ROOT, toolPath } from "../harness/paths";
import { changeCount, changesOf, SEED_RE, TestStack } from "../harness/pulumi";
import { assertReadmeSteps } from "./fixtures/nativeSeed";

const EXAMPLE = path.join(REPO_ROOT, "examples", "yaml", "leafnode");
const PLUGIN_DIR = path.join(REPO_ROOT, "dist", "native");

before(() => {
  toolPath("pulumi-language-yaml");
  // The README's build step, as written: the plugin the examples' `plugins:` section points at.
  execFileSync("npm", ["run", "plugin"], { cwd: REPO_ROOT, stdio: "pipe" });
  assert.ok(fs.existsSync(path.join(PLUGIN_DIR, "pulumi-resource-nats-auth")));
});

describe("e2e yaml - the README's install steps are the ones these tests run", () => {
  it("yaml README - npm run plugin, the tarball install line and the example's plugins path", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const { version } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    assert.ok(readme.includes("npm ci && npm run plugin"));
    const install = `pulumi plugin install resource nats-auth ${version} --file dist/pulumi-resource-nats-auth-v${version}-linux-amd64.tar.gz`;
    assert.ok(readme.includes(install), `the README says: ${install}`);
    const pathLine = "      path: ../../../dist/native";
    // How a project points at the built plugin instead of installing it: docs/languages.md.
    const languages = fs.readFileSync(path.join(REPO_ROOT, "docs", "languages.md"), "utf8");
    assert.ok(languages.includes(pathLine));
    assert.ok(languages.includes(install));
    assert.ok(fs.readFileSync(path.join(EXAMPLE, "Pulumi.yaml"), "utf8").includes(pathLine));
    assert.ok(fs.existsSync(path.resolve(EXAMPLE, "../../../dist/native/pulumi-resource-nats-auth")));
    // The steps the seed scenario test below runs, as the example's README says them.
    assertReadmeSteps(EXAMPLE, [
      "npm ci && npm run plugin",
      "cd examples/yaml/leafnode",
      "pulumi up --yes ",
      "nats-server -c out/main.conf &",
      "nats-server -c out/leaf.conf &",
      "pulumi config set --path 'pushTo[0]' nats://127.0.0.1:4222",
      "pulumi config set appConnections 100 && pulumi preview",
    ]);
  });
});

describe("e2e yaml - the seed scenario from YAML on the native plugin", () => {
  let t: TestStack;
  let outputDir: string;
  const servers: NatsServer[] = [];
  const conns: NatsConnection[] = [];

  before(async () => {
    outputDir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-yaml-"));
    t = await TestStack.fromFolder(EXAMPLE, "e2e", { outputDir: { value: outputDir } });
    t.scanAlso(outputDir);
  });
  after(async () => {
    await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
    // The servers stop even when the secrets scan of dispose fails (they would keep the test file open).
    try {
      await t?.dispose();
    } finally {
      await Promise.all(servers.map((s) => s[Symbol.asyncDispose]()));
      fs.rmSync(outputDir, { recursive: true, force: true });
    }
  });

  it("yaml e2e - up, the leaf request answered, 0-change preview, one limit change, seeds only encrypted", async () => {
    // The stack renders the ports into the configs before the servers bind them: if another file's
    // server takes one first, the ports change and the stack renders them again.
    const { first, main, leaf } = await upWithLeafServers(t, "yaml e2e", {
      main: "yaml-main",
      leaf: "yaml-leaf",
    });
    servers.push(main, leaf);
    const out = first.outputs;
    assert.equal(out.userCreds.secret, true, "creds are a secret output");
    assert.equal(out.appPushedTo.value, 0, "nothing pushed before the servers run");
    assert.equal(fs.readFileSync(path.join(outputDir, "main.conf"), "utf8"), out.mainServerConfig.value);
    assert.equal(fs.statSync(path.join(outputDir, "user.creds")).mode & 0o777, 0o600);

    await t.stack.setConfig("pushTo[0]", { value: main.url }, true);
    const pushed = await t.up();
    assert.equal(pushed.outputs.appPushedTo.value, 1, "APP pushed to the main server");
    assert.deepEqual(changesOf(pushed.summary.resourceChanges ?? {}), { update: 1 }, "only APP changed");

    const service = await connectAs(main.url, String(pushed.outputs.userCreds.value));
    conns.push(service);
    service.subscribe("greet", {
      callback: (_e, m) => {
        m.respond("hello");
      },
    });
    await service.flush();
    const client = await connect({ servers: leaf.url });
    conns.push(client);
    assert.equal(await requestUntilAnswered(client, "greet", 15_000), "hello");

    assert.equal(changeCount((await t.preview()).changeSummary), 0, "a preview after up shows 0 changes");

    await t.stack.setConfig("appConnections", { value: "100" });
    assert.deepEqual(changesOf((await t.preview()).changeSummary), { update: 1 }, "one limit: one update");
    const limited = await t.up();
    assert.deepEqual(changesOf(limited.summary.resourceChanges ?? {}), { update: 1 });
    assert.equal(limited.outputs.appPushedTo.value, 1);
    assert.equal(changeCount((await t.preview()).changeSummary), 0);
    // Refresh reads the servers and files through the same handlers: nothing drifted, nothing to do.
    await t.refresh();
    assert.equal(changeCount((await t.preview()).changeSummary), 0, "0 changes after refresh");

    // The inputs `check` returns are stored as the resources' inputs: a seed there must be encrypted.
    const exported = await t.exportText();
    assert.doesNotMatch(exported, SEED_RE);
    const state = JSON.parse(exported) as {
      deployment: {
        resources: { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[];
      };
    };
    const user = state.deployment.resources.find(
      (r) => r.type === "nats-auth:index:User" && r.outputs?.name === "user",
    );
    assert.ok(user, "the user is in state");
    for (const where of [
      user.inputs?.seed,
      user.inputs?.signerSeed,
      user.outputs?.seed,
      user.outputs?.creds,
    ]) {
      assert.equal(typeof where, "object", "stored as a secret");
      assert.ok((where as Record<string, unknown>).ciphertext, "encrypted");
    }
  });
});

/**
 * A small YAML program: the OperatorWithSystemAccount component, and APP with the users `names`, each
 * listed in APP's `members`.
 */
function revocationProgram(names: string[]): string {
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
        `        - urn: \${${n}.urn}\n          publicKey: \${${n}Key.publicKey}\n          name: ${n}\n`,
    )
    .join("");
  return `name: yaml-revocation
runtime: yaml
config:
  pushTo:
    type: array
    items:
      type: string
    default: []
resources:
  # The component (construct): operator, SYS with its key from a KeyPair, the sys user and the
  # least-privilege resolver user, whose creds push APP.
  op:
    type: nats-auth:index:OperatorWithSystemAccount
    properties:
      name: op
      generateSigningKey: true
      resolverUser: true
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
      members:
${members}      resolver:
        servers: \${pushTo}
        creds: \${op.resolverUserCreds}
outputs:
  resolverCreds: \${op.resolverUserCreds}
  operatorJwt: \${op.operatorJwt}
  sysPub: \${op.systemAccountPublicKey}
  sysJwt: \${op.systemAccountJwt}
  appJwt: \${app.jwt}
${names.map((n) => `  ${n}Creds: \${${n}.creds}\n`).join("")}`;
}

describe("e2e yaml - revoke on delete from YAML", () => {
  let t: TestStack;
  let dir: string;
  let server: NatsServer;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-yaml-revoke-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), revocationProgram(["alice", "bob"]));
    // This program has no `plugins:` section: the plugin is installed from the tarball, as the README says.
    const environment = TestStack.environment("yaml-revoke");
    const { version } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    const tarball = path.join(REPO_ROOT, "dist", `pulumi-resource-nats-auth-v${version}-linux-amd64.tar.gz`);
    execFileSync(
      toolPath("pulumi"),
      ["plugin", "install", "resource", "nats-auth", version, "--file", tarball],
      {
        env: { ...process.env, ...environment.envVars },
        stdio: "pipe",
      },
    );
    t = await TestStack.fromFolder(dir, "e2e", {}, environment);
  });
  after(async () => {
    try {
      await t?.dispose();
    } finally {
      await server?.[Symbol.asyncDispose]();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("yaml e2e - removing a User (and its members entry) revokes it in the same up: dropped, refused, others kept", async () => {
    const signed = (await t.up()).outputs;
    // The component's resources are its children in state (constructed by the plugin, not the program).
    const resources = (await t.stack.exportStack()).deployment.resources as {
      type: string;
      parent?: string;
      urn: string;
    }[];
    const component = resources.find((r) => r.type === "nats-auth:index:OperatorWithSystemAccount");
    assert.ok(component, "the component is in state");
    assert.deepEqual(
      resources
        .filter((r) => r.parent === component.urn)
        .map((r) => r.type)
        .sort(),
      [
        "nats-auth:index:Account",
        // The system account's key and the operator's (`<op>-key`, as the TypeScript SDK keeps it).
        "nats-auth:index:KeyPair",
        "nats-auth:index:KeyPair",
        "nats-auth:index:Operator",
        "nats-auth:index:SigningKey",
        "nats-auth:index:SigningKey",
        "nats-auth:index:User",
        "nats-auth:index:User",
      ],
    );
    server = await NatsServer.start({
      body: renderServerConfig({
        operator: String(signed.operatorJwt.value),
        systemAccount: String(signed.sysPub.value),
        resolver: { type: "full", dir: "jwt", allowDelete: true },
        preload: { [String(signed.sysPub.value)]: String(signed.sysJwt.value) },
      }),
    });
    await t.stack.setConfig("pushTo[0]", { value: server.url }, true);
    const pushed = (await t.up()).outputs;
    const alice = await connectAs(server.url, String(pushed.aliceCreds.value));
    const bob = await connectAs(server.url, String(pushed.bobCreds.value));
    await alice.flush();

    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), revocationProgram(["bob"]));
    const planned = await t.preview();
    assert.deepEqual(
      changesOf(planned.changeSummary),
      { delete: 2, update: 1 },
      "alice and her key go, APP is re-signed",
    );
    const up = await t.up();
    const alicePub = decodeJwt(String(pushed.aliceCreds.value).split("\n")[1]).sub;
    const appClaims = decodeJwt(String(up.outputs.appJwt.value));
    const operatorKey = decodeJwt(String(signed.operatorJwt.value)).sub;
    assert.notEqual(appClaims.iss, operatorKey, "APP is signed by the operator's signing key");
    const revocations = appClaims.nats.revocations as Record<string, number>;
    assert.ok(revocations?.[alicePub] > 0, `the account JWT revokes ${alicePub}`);
    assert.match(await droppedWithin(alice, 5000), /User Authentication Revoked/);
    await assert.rejects(
      connectAs(server.url, String(pushed.aliceCreds.value)),
      /revoked|authorization|ECONNRESET|EPIPE/i,
    );
    await bob.flush();
    await bob.close();
    // Both pushes above went with the resolver user's creds; anything else of SYS is refused to it.
    const resolverUser = await connectAs(server.url, String(pushed.resolverCreds.value));
    const violations: string[] = [];
    void (async () => {
      for await (const s of resolverUser.status()) if (s.type === "error") violations.push(String(s.error));
    })();
    resolverUser.publish("$SYS.REQ.SERVER.PING.CONNZ", "");
    // The server answers the PUB before the PING of the flush: its -ERR has arrived when flush resolves.
    await resolverUser.flush();
    await new Promise(setImmediate);
    assert.equal(violations.length, 1, `violations: ${violations.join("; ")}`);
    assert.match(violations[0], /Permissions Violation for Publish to "\$SYS\.REQ\.SERVER\.PING\.CONNZ"/);
    await resolverUser.close();
    assert.equal(changeCount((await t.preview()).changeSummary), 0);
  });
});

/**
 * A program with no KeyPair: the User takes its account's key and seed from the Account's outputs,
 * the Account its operator's from the Operator's. `tags` and `appConnections` are the claims changed.
 */
function previewProgram(): string {
  return `name: nats-auth-yaml-preview
runtime: yaml
plugins:
  providers:
    - name: nats-auth
      path: ${PLUGIN_DIR}
config:
  appConnections:
    type: integer
    default: -1
  operatorTags:
    type: array
    items:
      type: string
    default: []
resources:
  op:
    type: nats-auth:index:Operator
    properties:
      name: op
      tags: \${operatorTags}
  app:
    type: nats-auth:index:Account
    properties:
      name: APP
      operatorPublicKey: \${op.publicKey}
      signerSeed: \${op.seed}
      limits:
        conn: \${appConnections}
  alice:
    type: nats-auth:index:User
    properties:
      name: alice
      accountPublicKey: \${app.publicKey}
      signerSeed: \${app.seed}
outputs:
  appPublicKey: \${app.publicKey}
  aliceJwt: \${alice.jwt}
  aliceCreds: \${alice.creds}
`;
}

describe("e2e yaml - outputs known during preview (no KeyPair)", () => {
  let t: TestStack;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-yaml-preview-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), previewProgram());
    t = await TestStack.fromFolder(dir, "e2e", {});
  });
  after(async () => {
    try {
      await t?.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("yaml e2e - a limit change on an account whose users read its key previews exactly one update, as up does", async () => {
    // Creates preview with nothing created (the plugin previews Create too).
    const created = await t.preview();
    const first = await t.up();
    assert.deepEqual(changesOf(created.changeSummary), changesOf(first.summary.resourceChanges ?? {}));
    assert.equal(changeCount((await t.preview()).changeSummary), 0);

    await t.stack.setConfig("appConnections", { value: "10" });
    const planned = await t.preview();
    assert.deepEqual(
      changesOf(planned.changeSummary),
      { update: 1 },
      "APP only: alice reads APP's unchanged key",
    );
    const up = await t.up();
    assert.deepEqual(changesOf(up.summary.resourceChanges ?? {}), { update: 1 });
    assert.equal(up.outputs.aliceJwt.value, first.outputs.aliceJwt.value, "alice is not re-signed");
    assert.equal(up.outputs.appPublicKey.value, first.outputs.appPublicKey.value);

    // The operator's update likewise: APP reads its key and seed, unchanged.
    await t.stack.setConfig("operatorTags[0]", { value: "prod" }, true);
    assert.deepEqual(changesOf((await t.preview()).changeSummary), { update: 1 }, "the operator only");
    assert.deepEqual(changesOf((await t.up()).summary.resourceChanges ?? {}), { update: 1 });
    assert.equal(changeCount((await t.preview()).changeSummary), 0);
  });
});
