/**
 * OperatorWithSystemAccount against the real nsc: the SYS account it makes carries the exports
 * `nsc add operator --sys` writes, and it adopts an nsc-made operator, signing keys, SYS and sys user
 * with their keys and JWTs kept byte for byte.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { decodeJwt } from "../../core/jwt";
import { normalize } from "../../core/normalize";
import { OperatorWithSystemAccount } from "../../sdk";
import { toolPath } from "../harness/paths";
import { changeCount, SEED_RE, TestStack } from "../harness/pulumi";

describe("e2e system account - OperatorWithSystemAccount matches nsc and adopts its identities", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-sys-"));
  const nkeys = path.join(dir, "nkeys");
  const store = path.join(dir, "data", "nats", "nsc", "stores", "OP");
  const jwt: Record<string, string> = {};
  const seed: Record<string, string> = {};
  let t: TestStack | undefined;

  before(() => {
    const env = {
      ...process.env,
      XDG_CONFIG_HOME: path.join(dir, "config"),
      XDG_DATA_HOME: path.join(dir, "data"),
      NKEYS_PATH: nkeys,
    };
    const nsc = (...args: string[]) =>
      execFileSync(toolPath("nsc"), args, { env, encoding: "utf8", stdio: "pipe" });
    nsc("add", "operator", "--name", "OP", "--sys", "--generate-signing-key");
    nsc("edit", "operator", "--require-signing-keys");
    const files = {
      operator: "OP.jwt",
      systemAccount: path.join("accounts", "SYS", "SYS.jwt"),
      systemUser: path.join("accounts", "SYS", "users", "sys.jwt"),
    };
    const seedOf = (key: string) =>
      fs.readFileSync(path.join(nkeys, "keys", key[0], key.slice(1, 3), `${key}.nk`), "utf8").trim();
    for (const [k, f] of Object.entries(files)) {
      jwt[k] = fs.readFileSync(path.join(store, f), "utf8").trim();
      seed[k] = seedOf(decodeJwt(jwt[k]).sub);
    }
    seed.signingKey = seedOf(decodeJwt(jwt.systemAccount).iss);
    seed.systemAccountSigningKey = seedOf(decodeJwt(jwt.systemUser).iss);
  });
  after(async () => {
    await t?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("system account - a SYS made here has nsc's exports; an adopted one keeps nsc's JWTs byte for byte", async () => {
    t = await TestStack.create("sys", async () => {
      const fresh = new OperatorWithSystemAccount("fresh", { generateSigningKey: true });
      const bare = new OperatorWithSystemAccount("bare", { systemAccountExports: "none" });
      const adopted = new OperatorWithSystemAccount("OP", {
        name: "OP",
        strictSigningKeyUsage: true,
        adopt: {
          operator: { seed: seed.operator, jwt: jwt.operator },
          signingKey: { seed: seed.signingKey },
          systemAccount: { seed: seed.systemAccount, jwt: jwt.systemAccount },
          systemAccountSigningKey: { seed: seed.systemAccountSigningKey },
          systemUser: { seed: seed.systemUser, jwt: jwt.systemUser },
        },
      });
      return {
        freshSys: fresh.systemAccount.jwt,
        bareSys: bare.systemAccount.jwt,
        operator: adopted.operator.jwt,
        systemAccount: adopted.systemAccount.jwt,
        systemUser: adopted.systemUser.jwt,
        systemUserSeed: adopted.systemUser.seed,
        operatorSeed: pulumi.output(adopted.operator.seed),
      };
    });
    const up = await t.up();
    const out = (k: string) => String(up.outputs[k].value);
    const exportsOf = (token: string) => normalize(decodeJwt(token).nats.exports);
    assert.deepEqual(exportsOf(out("freshSys")), exportsOf(jwt.systemAccount), "same exports as nsc's SYS");
    assert.equal(decodeJwt(out("bareSys")).nats.exports, undefined);
    for (const k of ["operator", "systemAccount", "systemUser"]) {
      assert.equal(out(k), jwt[k], `${k}: nsc's JWT kept byte for byte`);
    }
    assert.equal(up.outputs.systemUserSeed.secret, true);
    assert.equal(up.outputs.operatorSeed.secret, true);
    assert.equal(changeCount((await t.preview()).changeSummary), 0);
    assert.doesNotMatch(
      await t.exportText(),
      SEED_RE,
      "adopted seeds passed as plain strings are secrets in state",
    );
  });
});
