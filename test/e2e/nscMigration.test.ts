/**
 * Migrating a running nsc deployment: a store built by the real nsc (strict signing keys, SYS, two
 * accounts with an export/import pair, a scoped signing key, JetStream limits, a revocation, users),
 * pushed with `nsc push -A` to a server started from `nsc generate config --nats-resolver`, is turned
 * into a project by `import-nsc` (the README's command line) and run with `pulumi up` through the CLI
 * and the language host: nothing is replaced, re-signed or re-pushed, and nsc's creds keep working.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { decodeJwt } from "../../core/jwt";
import { closeAllResolvers } from "../../io/resolverPool";
import { NatsServer } from "../harness/natsServer";
import { REPO_ROOT, toolPath } from "../harness/paths";
import { changeCount, SEED_RE, TestStack } from "../harness/pulumi";

describe("e2e nsc migration - import-nsc turns an nsc deployment into a Pulumi project", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-nsc-migration-"));
  const nkeys = path.join(dir, "nkeys");
  const stores = path.join(dir, "data", "nats", "nsc", "stores");
  const project = path.join(dir, "nats-auth");
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(dir, "config"),
    XDG_DATA_HOME: path.join(dir, "data"),
    NKEYS_PATH: nkeys,
  };
  const nsc = (...args: string[]) =>
    execFileSync(toolPath("nsc"), args, { env, encoding: "utf8", stdio: "pipe", cwd: dir });
  const storeJwt = (...parts: string[]) => fs.readFileSync(path.join(stores, "OP", ...parts), "utf8").trim();
  const creds = (account: string, user: string) =>
    fs.readFileSync(path.join(nkeys, "creds", "OP", account, `${user}.creds`), "utf8");
  let server: NatsServer | undefined;
  let t: TestStack | undefined;
  let watcher: NatsConnection | undefined;
  const pushes: string[] = [];
  const seen: string[] = [];

  before(async () => {
    nsc("add", "operator", "--name", "OP", "--sys", "--generate-signing-key");
    nsc("edit", "operator", "--require-signing-keys");
    nsc("add", "account", "--name", "SVC");
    nsc("edit", "account", "--name", "SVC", "--sk", "generate");
    nsc("add", "export", "--account", "SVC", "--name", "help", "--subject", "help.>", "--service");
    nsc("add", "account", "--name", "APP");
    nsc(
      "edit",
      "account",
      "--name",
      "APP",
      "--sk",
      "generate",
      "--js-mem-storage",
      "1M",
      "--js-disk-storage",
      "10M",
      "--js-streams",
      "10",
      "--js-consumer",
      "100",
      "--conns",
      "50",
    );
    const svc = decodeJwt(storeJwt("accounts", "SVC", "SVC.jwt")).sub;
    nsc("add", "import", "--account", "APP", "--src-account", svc, "--remote-subject", "help.>", "--service");
    const scoped = String(
      (decodeJwt(storeJwt("accounts", "APP", "APP.jwt")).nats.signing_keys as string[])[0],
    );
    nsc(
      "edit",
      "signing-key",
      "--account",
      "APP",
      "--sk",
      scoped,
      "--role",
      "reader",
      "--allow-sub",
      "orders.>",
    );
    nsc("edit", "account", "--name", "APP", "--sk", "generate");
    const plain = (decodeJwt(storeJwt("accounts", "APP", "APP.jwt")).nats.signing_keys as unknown[]).find(
      (k): k is string => typeof k === "string",
    )!;
    nsc("add", "user", "--account", "APP", "--name", "alice", "-K", plain, "--allow-pub", "orders.>");
    nsc("add", "user", "--account", "APP", "--name", "bob", "-K", "reader");
    nsc("add", "user", "--account", "SVC", "--name", "svc", "--allow-sub", "help.>");
    nsc("add", "user", "--account", "APP", "--name", "mallory", "-K", "reader");
    nsc("revocations", "add-user", "--account", "APP", "--name", "mallory");

    const conf = path.join(dir, "resolver.conf");
    nsc("generate", "config", "--nats-resolver", "--config-file", conf);
    server = await NatsServer.start({ body: fs.readFileSync(conf, "utf8") });
    nsc("push", "-A", "-u", server.url);
    // Every claims update that reaches the servers from here on is seen (the system user sees $SYS.REQ.>).
    watcher = await connect({
      servers: server.url,
      authenticator: credsAuthenticator(new TextEncoder().encode(creds("SYS", "sys"))),
    });
    const sub = watcher.subscribe("$SYS.REQ.>");
    void (async () => {
      for await (const m of sub) {
        seen.push(m.subject);
        if (m.subject.endsWith("CLAIMS.UPDATE")) pushes.push(m.subject);
      }
    })();
    await watcher.flush();
  });

  after(async () => {
    await watcher?.close();
    await t?.dispose();
    await closeAllResolvers();
    await server?.[Symbol.asyncDispose]();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("nsc migration - docs/nsc.md's command line has the options this test runs", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "docs", "nsc.md"), "utf8");
    const command = readme.match(/npx pulumi-nats-auth (import-nsc [^\n]*\\\n[^\n]*)/)?.[1];
    assert.ok(command, "docs/nsc.md shows the import-nsc command");
    assert.deepEqual(
      [...command.matchAll(/--[a-z]+/g)].map((m) => m[0]),
      ["--store", "--keys", "--operator", "--out", "--stack", "--server"],
    );
  });

  it("nsc migration - import, pulumi up: no replace, no re-sign, no re-push; nsc creds connect; then 0 changes", async () => {
    const environment = TestStack.environment("nsc-migration");
    const cliEnv = { ...process.env, ...environment.envVars };
    // The README's command, with the store and keys dirs of this nsc run.
    const printed = execFileSync(
      process.execPath,
      [
        path.join(REPO_ROOT, "dist", "cli", "importNsc.js"),
        "import-nsc",
        "--store",
        stores,
        "--keys",
        nkeys,
        "--operator",
        "OP",
        "--out",
        project,
        "--stack",
        "dev",
        "--server",
        server!.url,
      ],
      { env: cliEnv, encoding: "utf8" },
    );
    assert.doesNotMatch(printed, SEED_RE);
    // The files the importer wrote (vendor/ holds this package's tarball, made by npm pack).
    for (const f of fs.readdirSync(project).filter((f) => f !== "vendor")) {
      assert.doesNotMatch(fs.readFileSync(path.join(project, f), "utf8"), SEED_RE, `${f} holds no seed`);
    }
    const migration = fs.readFileSync(path.join(project, "MIGRATION.md"), "utf8");
    const notes = migration
      .slice(migration.indexOf("## What the importer could not express"))
      .split("\n- ")
      .slice(1);
    assert.equal(notes.length, 1, migration);
    assert.match(notes[0], /user "mallory" of account "APP": revoked in the account/);
    // `npm install` as docs/nsc.md says: the package comes from the tarball the importer copied into
    // vendor/ (it is on no registry), @pulumi/pulumi from the registry (or npm's cache).
    const manifest = JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const spec = manifest.dependencies["pulumi-nats-auth"];
    assert.match(spec, /^file:vendor\/pulumi-nats-auth-[\d.]+\.tgz$/);
    assert.ok(fs.existsSync(path.join(project, spec.slice("file:".length))));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
      cwd: project,
      env: cliEnv,
      stdio: "pipe",
    });
    const installed = path.join(project, "node_modules", "pulumi-nats-auth");
    assert.ok(
      !fs.lstatSync(installed).isSymbolicLink(),
      "installed from the tarball, not linked to this checkout",
    );

    t = await TestStack.fromFolder(project, "dev", {}, environment);
    const up = await t.up();
    assert.equal(up.summary.result, "succeeded");
    const changes = up.summary.resourceChanges ?? {};
    assert.deepEqual(Object.keys(changes).sort(), ["create"], JSON.stringify(changes));

    const accounts = up.outputs.accounts.value as Record<string, { jwt: string; pushedTo: number }>;
    for (const name of ["APP", "SVC"]) {
      assert.equal(
        accounts[name].jwt,
        storeJwt("accounts", name, `${name}.jwt`),
        `${name}: nsc's JWT, byte for byte`,
      );
      assert.equal(accounts[name].pushedTo, 1, `${name}: recorded as held by the server`);
    }
    assert.equal(up.outputs.operatorJwt.value, storeJwt("OP.jwt"));
    await watcher!.flush();
    assert.deepEqual(pushes, [], "no account was pushed again");

    for (const [account, user] of [
      ["APP", "alice"],
      ["APP", "bob"],
      ["SVC", "svc"],
    ]) {
      const nc = await connect({
        servers: server!.url,
        authenticator: credsAuthenticator(new TextEncoder().encode(creds(account, user))),
      });
      await nc.close();
    }
    await assert.rejects(
      connect({
        servers: server!.url,
        authenticator: credsAuthenticator(new TextEncoder().encode(creds("APP", "mallory"))),
        reconnect: false,
      }),
      "the revoked user stays revoked",
    );

    assert.equal(changeCount((await t.preview()).changeSummary), 0);
    assert.doesNotMatch(await t.exportText(), SEED_RE);

    // The watcher does see a push (so the empty list above means something).
    const pushed = nsc("push", "-a", "SVC", "-u", server!.url);
    await watcher!.flush();
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(pushes.length > 0, `nsc's push was seen: ${pushed}; seen: ${seen.join(", ")}`);

    // Someone still runs nsc after the migration: the drift is named by claim, and up repairs it.
    nsc("edit", "account", "--name", "APP", "--conns", "9");
    nsc("push", "-a", "APP", "-u", server!.url);
    const edited = /limits\.conn.*servers: 9, program: 50/;
    assert.match((await t.refresh({ diff: true })).stdout, edited, "refresh --diff names the claim");
    const preview = await t.preview({ diff: true });
    assert.match(preview.stdout, edited, "preview --diff names it too");
    assert.equal(preview.changeSummary.update, 1, "one update: the account");
    await t.up();
    assert.equal(changeCount((await t.preview()).changeSummary), 0, "repaired");
    const held = decodeJwt(String((await t.outputs()).accounts.value.APP.jwt));
    assert.equal((held.nats.limits as Record<string, unknown>).conn, 50, "the program's limit is back");
  });

  it("nsc migration - a system account nsc users changed is imported as plain resources and kept", async () => {
    nsc("add", "operator", "--name", "OP2", "--sys", "--generate-signing-key");
    nsc("edit", "account", "--name", "SYS", "--conns", "1000");
    const out = path.join(dir, "op2");
    const environment = TestStack.environment("nsc-migration-op2");
    execFileSync(
      process.execPath,
      [
        path.join(REPO_ROOT, "dist", "cli", "importNsc.js"),
        "import-nsc",
        "--store",
        stores,
        "--keys",
        nkeys,
        "--operator",
        "OP2",
        "--out",
        out,
        "--stack",
        "dev",
      ],
      { env: { ...process.env, ...environment.envVars }, encoding: "utf8" },
    );
    assert.match(fs.readFileSync(path.join(out, "index.js"), "utf8"), /new Operator\("OP2"/);
    assert.match(fs.readFileSync(path.join(out, "MIGRATION.md"), "utf8"), /nothing: every identity/);
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(out, "node_modules"));
    const op2 = await TestStack.fromFolder(out, "dev", {}, environment);
    try {
      const up = await op2.up();
      assert.deepEqual(Object.keys(up.summary.resourceChanges ?? {}), ["create"]);
      const read = (...parts: string[]) => fs.readFileSync(path.join(stores, "OP2", ...parts), "utf8").trim();
      assert.equal(up.outputs.operatorJwt.value, read("OP2.jwt"));
      assert.equal(up.outputs.systemAccount.value, decodeJwt(read("accounts", "SYS", "SYS.jwt")).sub);
      assert.equal(changeCount((await op2.preview()).changeSummary), 0);
    } finally {
      await op2.dispose();
    }
  });
});
