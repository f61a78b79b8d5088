/**
 * `pulumi import` of an account nsc made and pushed: a YAML stack on the native plugin, with the
 * resolver given as provider configuration (`nats-auth:servers`, `nats-auth:creds`), imports the
 * account with the real CLI; the program block it writes, used as written, previews 0 changes. A
 * key the resolver does not hold fails naming the key and the servers. A limit changed in the
 * program is refused without a signer seed (naming signerSeed and the claim), and with the operator
 * signing key's seed given previews an update whose diff names the claim. One stack, previews only
 * after the import: nothing is re-signed or pushed.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeJwt } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import { closeAllResolvers } from "../../io/resolverPool";
import { NatsServer } from "../harness/natsServer";
import { REPO_ROOT, toolPath } from "../harness/paths";
import { changeCount, TestStack } from "../harness/pulumi";

const PLUGIN_DIR = path.join(REPO_ROOT, "dist", "native");

describe("e2e pulumi import - an nsc-pushed account into a YAML stack on the native plugin", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-pulumi-import-"));
  const nkeys = path.join(dir, "nkeys");
  const stores = path.join(dir, "data", "nats", "nsc", "stores");
  const project = path.join(dir, "project");
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(dir, "config"),
    XDG_DATA_HOME: path.join(dir, "data"),
    NKEYS_PATH: nkeys,
  };
  const nsc = (...args: string[]) =>
    execFileSync(toolPath("nsc"), args, { env, encoding: "utf8", stdio: "pipe", cwd: dir });
  const storeJwt = (...parts: string[]) => fs.readFileSync(path.join(stores, "OP", ...parts), "utf8").trim();
  const HEAD = [
    "name: pulumi-import-e2e",
    "runtime: yaml",
    "plugins:",
    "  providers:",
    "    - name: nats-auth",
    `      path: ${PLUGIN_DIR}`,
    "",
  ].join("\n");
  let server: NatsServer | undefined;
  let t: TestStack | undefined;
  let app = "";
  let signingKeySeed = "";
  let userJwt = "";

  before(async () => {
    toolPath("pulumi-language-yaml");
    execFileSync("npm", ["run", "plugin"], { cwd: REPO_ROOT, stdio: "pipe" });
    nsc("add", "operator", "--name", "OP", "--sys", "--generate-signing-key");
    nsc("edit", "operator", "--require-signing-keys");
    nsc("add", "account", "--name", "APP");
    nsc(
      "edit",
      "account",
      "--name",
      "APP",
      "--sk",
      "generate",
      "--conns",
      "50",
      "--js-disk-storage",
      "10M",
      "--js-streams",
      "5",
    );
    nsc("add", "user", "--account", "APP", "--name", "u");
    const appJwt = storeJwt("accounts", "APP", "APP.jwt");
    userJwt = storeJwt("accounts", "APP", "users", "u.jwt");
    app = decodeJwt(appJwt).sub;
    const signer = decodeJwt(appJwt).iss;
    signingKeySeed = fs
      .readFileSync(path.join(nkeys, "keys", "O", signer.slice(1, 3), `${signer}.nk`), "utf8")
      .trim();
    const conf = path.join(dir, "resolver.conf");
    nsc("generate", "config", "--nats-resolver", "--config-file", conf);
    server = await NatsServer.start({ body: fs.readFileSync(conf, "utf8") });
    nsc("push", "-A", "-u", server.url);

    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), HEAD);
    t = await TestStack.fromFolder(project, "test");
    // The resolver as provider configuration; the system user's creds as a secret.
    const sysCreds = fs.readFileSync(path.join(nkeys, "creds", "OP", "SYS", "sys.creds"), "utf8");
    await t.stack.setConfig("nats-auth:servers", { value: JSON.stringify([server.url]) });
    await t.stack.setConfig("nats-auth:creds", { value: sysCreds, secret: true });
  });

  after(async () => {
    try {
      await t?.dispose();
    } finally {
      await closeAllResolvers();
      await server?.[Symbol.asyncDispose]();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("pulumi import - the generated block, used as written, previews 0 changes", async () => {
    const stack = t!;
    const out = path.join(dir, "app.yaml");
    await stack.cli(["import", "nats-auth:index:Account", "app", app, "--yes", "--out", out]);
    let block = fs.readFileSync(out, "utf8");
    assert.match(block, new RegExp(`publicKey: ${app}`), block);
    assert.match(block, /conn: 50/);
    assert.doesNotMatch(block, /signerSeed|seed:|creds|BEGIN/, "no secret in the generated code");
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), HEAD + block);
    const preview = await stack.preview({ diff: true });
    assert.equal(changeCount(preview.changeSummary), 0, preview.stdout);

    // A key the resolver does not hold: the error names the key and the resolver's servers.
    const stranger = createKeyPair("account").getPublicKey();
    const failed = await stack
      .cli([
        "import",
        "nats-auth:index:Account",
        "ghost",
        stranger,
        "--yes",
        "--out",
        path.join(dir, "g.yaml"),
      ])
      .then(() => undefined)
      .catch((e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ""}${e.stderr ?? ""}`);
    assert.ok(failed, "importing an account the resolver does not hold fails");
    assert.match(failed, new RegExp(`does not hold account ${stranger}`));
    assert.ok(failed.includes(server!.url), failed);

    // A user by its JWT (no server holds user JWTs): its block, added to the program, previews 0
    // changes too; its signer (the account's signing key) is read from the account on the resolver.
    const userOut = path.join(dir, "u.yaml");
    await stack.cli(["import", "nats-auth:index:User", "u", userJwt, "--yes", "--out", userOut]);
    const userBlock = fs.readFileSync(userOut, "utf8").replace(/^resources:\n/, "");
    assert.match(userBlock, new RegExp(`publicKey: ${decodeJwt(userJwt).sub}`), userBlock);
    assert.doesNotMatch(userBlock, /signerSeed|seed:|creds|BEGIN/, "no secret in the generated code");
    block += userBlock;
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), HEAD + block);
    const both = await stack.preview({ diff: true });
    assert.equal(changeCount(both.changeSummary), 0, both.stdout);
    // Refresh reads the imported account back from the resolver the provider configures: still 0 changes.
    await stack.refresh();
    assert.equal(changeCount((await stack.preview()).changeSummary), 0, "0 changes after refresh");

    // The program says another limit than the imported JWT: without a signer seed it is refused at
    // preview, naming signerSeed and the claim; with the operator signing key's seed it previews an
    // update whose diff names the claim.
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), HEAD + block.replace("conn: 50", "conn: 60"));
    const refused = await stack
      .preview({ diff: true })
      .then((p) => p.stdout)
      .catch((e: Error) => e.message);
    assert.match(refused, /signerSeed/);
    assert.match(refused, /limits\.conn/);
    await stack.stack.setConfig("operatorSigningKeySeed", { value: signingKeySeed, secret: true });
    const withSigner = `${block
      .replace("conn: 50", "conn: 60")
      .replace(
        /( {2}app:\n {4}type: nats-auth:Account\n {4}properties:\n)/,
        `$1      signerSeed: $\{operatorSigningKeySeed}\n`,
      )}`;
    fs.writeFileSync(
      path.join(project, "Pulumi.yaml"),
      `${HEAD}config:\n  operatorSigningKeySeed:\n    type: string\n    secret: true\n${withSigner}`,
    );
    const update = await stack.preview({ diff: true });
    assert.match(update.stdout, /signerSeed\s*: \[secret\]/, "the signer seed is given to the account");
    assert.equal(update.changeSummary.update, 1, update.stdout);
    assert.match(update.stdout, /conn\s*:\s*50\s*=>\s*60/, update.stdout);
  });
});
