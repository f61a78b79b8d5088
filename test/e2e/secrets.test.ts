/**
 * Secrets whatever the caller passes: every seed, signer seed, creds text, resolver credential and
 * leaf-node password is given to the SDK as a plain string, and none of them may show up in
 * `pulumi stack export`, in the `--diff` output of preview, up, refresh and destroy, or anywhere in
 * the backend folder (checkpoints, history, backups) and the Pulumi home. Files holding secrets are
 * written 0600, and the README's recipe for a creds file writes one with mode 0600 too.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import * as zlib from "node:zlib";
import { connect, credsAuthenticator } from "@nats-io/transport-node";
import * as pulumi from "@pulumi/pulumi";
import { createKeyPair, type KeyKind, publicKeyOf } from "../../core/nkeys";
import { closeAllResolvers } from "../../io/resolverPool";
import { handler as userHandler } from "../../provider/user";
import { Account, KeyPair, LeafRemote, Operator, ServerConfig, SigningKey, User } from "../../sdk";
import { create, heldUser } from "../harness/identities";
import { NatsServer, withFreshPorts } from "../harness/natsServer";
import { REPO_ROOT } from "../harness/paths";
import { changeCount, TestStack } from "../harness/pulumi";

/** Any nkey seed (58 characters; a 57-character window catches a cut one too). */
const SEED_ANYWHERE = /S[OACNUX][A-Z2-7]{55}/g;
const CREDS_MARKERS = ["BEGIN USER NKEY SEED", "BEGIN NATS USER JWT"];

const seed = (kind: KeyKind) => createKeyPair(kind).seed();

/** Every file under `dir` as text (gzipped checkpoints unpacked). */
function filesUnder(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const raw = fs.readFileSync(file);
    out.push({ file, text: (file.endsWith(".gz") ? zlib.gunzipSync(raw) : raw).toString("utf8") });
  }
  return out;
}

/** Where each forbidden value occurs, by name ("<source>: <name>"); none expected. */
function leaks(sources: { file: string; text: string }[], values: Record<string, string>): string[] {
  const found: string[] = [];
  for (const { file, text } of sources) {
    for (const m of text.matchAll(SEED_ANYWHERE)) found.push(`${file}: seed-shaped ${m[0].slice(0, 2)}…`);
    for (const [name, v] of Object.entries(values)) if (text.includes(v)) found.push(`${file}: ${name}`);
  }
  return found;
}

/** The docs' creds-file recipe (docs/security.md, "Secrets"): the one line that writes orders.creds. */
function readmeCredsRecipe(): string {
  const readme = fs.readFileSync(path.join(REPO_ROOT, "docs", "security.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Secrets"));
  const line = section.split("\n").find((l) => l.includes("--show-secrets userCreds > orders.creds"));
  assert.ok(line, "docs/security.md's Secrets section shows how to write the creds file");
  return line.trim();
}

describe("e2e secrets - plain-string secrets never reach state, diffs or backups in plain text", () => {
  const seeds = {
    operator: seed("operator"),
    operatorSigningKey: seed("operator"),
    sysAccount: seed("account"),
    sysUser: seed("user"),
    app: seed("account"),
    appSigningKey: seed("account"),
    other: seed("account"),
    user: seed("user"),
    leafUser: seed("user"),
  };
  const leafPassword = `leaf-pw-${randomBytes(12).toString("hex")}`;
  let sysCreds = "";
  let leafCreds = "";
  let t: TestStack;
  let files: string;
  let server: NatsServer | undefined;
  const ports = { client: 0, leaf: 0 };

  before(async () => {
    files = fs.mkdtempSync(path.join(os.tmpdir(), "pna-secrets-files-"));
    // Creds made outside the stack, handed to it as plain text: the system user's (for the
    // resolver), signed by the system account key the stack adopts, and a leaf user's of APP.
    sysCreds = heldUser(
      await create(userHandler, {
        name: "sys",
        accountPublicKey: publicKeyOf(seeds.sysAccount),
        signerSeed: seeds.sysAccount,
        signedByIdentity: true,
        seed: seeds.sysUser,
      }),
    ).creds;
    leafCreds = heldUser(
      await create(userHandler, {
        name: "leaf",
        accountPublicKey: publicKeyOf(seeds.app),
        accountSigningKeys: [publicKeyOf(seeds.appSigningKey)],
        signerSeed: seeds.appSigningKey,
        seed: seeds.leafUser,
      }),
    ).creds;

    t = await TestStack.create("secrets", async () => {
      const servers = new pulumi.Config().getObject<string[]>("servers") ?? [];
      const operatorSk = new SigningKey("op-sk", { owner: "operator", seed: seeds.operatorSigningKey });
      const sysKey = new KeyPair("sys-key", { kind: "account", seed: seeds.sysAccount });
      const operator = new Operator("op", {
        seed: seeds.operator,
        signingKeys: [operatorSk],
        systemAccount: sysKey.publicKey,
      });
      // Signers given as plain `{ seed }` objects, not resources.
      const sys = new Account("SYS", { operator, signer: { seed: seeds.operatorSigningKey }, key: sysKey });
      const appSk = new SigningKey("app-sk", { owner: "account", seed: seeds.appSigningKey });
      const app = new Account("APP", {
        operator,
        signer: { seed: seeds.operatorSigningKey },
        seed: seeds.app,
        signingKeys: [appSk],
        resolver: { servers, creds: sysCreds, timeoutMs: 2000 },
      });
      const other = new Account("OTHER", { operator, signer: operatorSk, key: { seed: seeds.other } });
      const user = new User("orders", {
        account: app,
        signer: { seed: seeds.appSigningKey },
        seed: seeds.user,
      });
      const leaf = new LeafRemote("leaf", {
        urls: ["nats-leaf://127.0.0.1:1"],
        account: app.publicKey,
        credentials: leafCreds,
        credentialsPath: path.join(files, "leaf.creds"),
      });
      const conf = new ServerConfig("hub", {
        path: path.join(files, "hub.conf"),
        host: "127.0.0.1",
        port: ports.client,
        operator: operator.jwt,
        systemAccount: sysKey.publicKey,
        resolver: { type: "full", dir: "jwt", allowDelete: true },
        preload: [sys],
        leafnodes: {
          host: "127.0.0.1",
          port: ports.leaf,
          authorization: { user: "leaf", password: leafPassword, account: app.publicKey },
        },
      });
      return {
        confText: conf.text,
        leafRemote: leaf.remote,
        appPushedTo: app.pushedTo,
        otherPub: other.publicKey,
        userCreds: user.creds,
      };
    });
    t.scanAlso(files);
  });

  after(async () => {
    await t?.dispose();
    await closeAllResolvers();
    await server?.[Symbol.asyncDispose]();
    fs.rmSync(files, { recursive: true, force: true });
  });

  it("secrets e2e - preview/up/refresh/destroy --diff, stack export and the backend hold no secret in plain text", async () => {
    // The program renders the ports (read at each run) before the hub binds them: if another file's
    // server takes one first, the stack renders the config again with other ports.
    server = await withFreshPorts("secrets e2e", async (attempt) => {
      ports.client = await attempt.port();
      ports.leaf = await attempt.port();
      const created = await t.preview({ diff: true });
      assert.ok(changeCount(created.changeSummary) > 0, "the first preview creates everything");
      const first = await t.up({ diff: true });
      assert.equal(first.outputs.appPushedTo.value, 0, "no servers yet: signed only");
      assert.equal(first.outputs.confText.secret, true, "ServerConfig.text is a secret output");
      const confText = String(first.outputs.confText.value);
      assert.ok(confText.includes(leafPassword), "the config carries the leaf password");
      const confFile = path.join(files, "hub.conf");
      assert.equal(fs.readFileSync(confFile, "utf8"), confText);
      assert.equal(fs.statSync(confFile).mode & 0o777, 0o600, "the config file is 0600");
      assert.equal(fs.statSync(path.join(files, "leaf.creds")).mode & 0o777, 0o600, "the creds file is 0600");
      // The hub runs from the rendered config; the account is pushed with the plain-text sys creds.
      return attempt.own(await NatsServer.fromConfig(confText, { port: ports.client, name: "hub" }));
    });
    await t.stack.setConfig("servers", { value: JSON.stringify([server.url]) });
    const planned = await t.preview({ diff: true });
    assert.deepEqual(
      Object.fromEntries(Object.entries(planned.changeSummary).filter(([op]) => op !== "same")),
      { update: 1 },
      "only APP changes (its resolver)",
    );
    const pushed = await t.up({ diff: true });
    assert.equal(pushed.outputs.appPushedTo.value, 1);
    const userCreds = String(pushed.outputs.userCreds.value);
    const nc = await connect({
      servers: server.url,
      authenticator: credsAuthenticator(new TextEncoder().encode(userCreds)),
    });
    await nc.close();

    const noop = await t.preview({ diff: true });
    assert.equal(changeCount(noop.changeSummary), 0, `no-op preview: ${JSON.stringify(noop.changeSummary)}`);
    const refreshed = await t.refresh({ diff: true });
    assert.equal(
      changeCount(refreshed.summary.resourceChanges ?? {}),
      0,
      `refresh without drift changes nothing: ${JSON.stringify(refreshed.summary.resourceChanges)}`,
    );

    // The README's recipe, as written, from the project folder: a 0600 file with the user's creds.
    const recipe = readmeCredsRecipe();
    const work = t.stack.workspace.workDir;
    execFileSync("sh", ["-c", recipe], { cwd: work, env: { ...process.env, ...t.env } });
    const credsFile = path.join(work, "orders.creds");
    assert.equal(fs.statSync(credsFile).mode & 0o777, 0o600, `${recipe} writes a 0600 file`);
    assert.equal(fs.readFileSync(credsFile, "utf8").trim(), userCreds.trim());
    fs.rmSync(credsFile);

    await t.cli(["stack", "output", "--json"]);
    const exported = await t.exportText();
    const destroyed = await t.destroy({ diff: true });
    assert.equal(destroyed.summary.result, "succeeded");

    const forbidden = {
      ...seeds,
      sysCreds,
      leafCreds,
      leafPassword,
      ...Object.fromEntries(CREDS_MARKERS.map((m) => [m, m])),
    };
    const sources = [
      { file: "pulumi stack export", text: exported },
      { file: "CLI output (preview/up/refresh/destroy --diff, stack output)", text: t.logs.join("\n") },
      ...filesUnder(t.dir),
    ];
    assert.ok(
      sources.some((s) => s.file.includes(`${path.sep}backups${path.sep}`)),
      "the backend holds backups, and they are searched",
    );
    assert.ok(
      t.logs.join("\n").includes("[secret]"),
      "the diffs show secrets masked (the diff output was captured)",
    );
    assert.deepEqual(leaks(sources, forbidden), []);
  });
});
