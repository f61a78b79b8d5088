/**
 * The package as users get it: `npm pack`, installed into a fresh Pulumi project outside this
 * repository, run by the CLI and the language host. Proves the providers load the installed package
 * by name (nothing of this checkout is reachable from there).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { TOOLS_BIN } from "../harness/paths";
import { changeCount, SEED_RE, TestStack } from "../harness/pulumi";
import { currentTarball, installPackage } from "../harness/release";

const PROGRAM = `"use strict";
const { Account, OperatorWithSystemAccount, SigningKey, User } = require("pulumi-nats-auth");

module.exports = async () => {
  const ops = new OperatorWithSystemAccount("op", { generateSigningKey: true, strictSigningKeyUsage: true });
  const sk = new SigningKey("app-sk", { owner: "account" });
  const app = new Account("APP", { operator: ops.operator, signer: ops.signingKey, signingKeys: [sk] });
  const user = new User("u", { account: app, signer: sk, sub: { allow: ["a.>"] } });
  return { appPub: app.publicKey, creds: user.creds };
};
`;

describe("e2e package - installed from npm pack into a fresh project", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-consumer-"));
  let t: TestStack | undefined;
  after(async () => {
    await t?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("package - a program outside the repository runs up, a no-op preview and destroy", async () => {
    const env = { ...process.env, PATH: `${TOOLS_BIN}${path.delimiter}${process.env.PATH ?? ""}` };
    // Packed and installed by the helpers stateUpgrade and firstProgram use too (test/harness/release.ts).
    currentTarball(dir);
    installPackage(dir, "current.tgz");
    assert.ok(
      fs.existsSync(path.join(dir, "node_modules", "pulumi-nats-auth", "dist", "provider", "account.js")),
    );
    // The bin is wired: `npx pulumi-nats-auth import-nsc` runs the importer (here: its usage error).
    const usage = spawnSync("npx", ["--no-install", "pulumi-nats-auth", "import-nsc"], {
      cwd: dir,
      env,
      encoding: "utf8",
    });
    assert.equal(usage.status, 1, usage.stderr);
    assert.match(usage.stderr, /import-nsc: --store is required/);
    fs.writeFileSync(path.join(dir, "index.js"), PROGRAM);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: consumer\nruntime: nodejs\n");

    t = await TestStack.fromFolder(dir, "dev");
    const up = await t.up();
    assert.equal(up.summary.result, "succeeded");
    assert.match(String(up.outputs.appPub.value), /^A[A-Z2-7]{55}$/);
    assert.equal(up.outputs.creds.secret, true);
    assert.equal(changeCount((await t.preview()).changeSummary), 0);
    assert.doesNotMatch(await t.exportText(), SEED_RE);
    const destroyed = await t.destroy();
    assert.equal(destroyed.summary.result, "succeeded");
  });
});
