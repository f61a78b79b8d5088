/**
 * Previews tell the truth, through the real pulumi CLI: for each kind of change, the preview's change
 * counts equal what `up` then does (dynamic resources cannot preview their own updates, so anything a
 * preview marks but `up` does not make would be a lie).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { createKeyPair } from "../../core/nkeys";
import { handler as accountHandler } from "../../provider/account";
import { Account, Operator, OperatorWithSystemAccount, SigningKey, User } from "../../sdk";
import { changesOf, TestStack } from "../harness/pulumi";

const program = async () => {
  const cfg = new pulumi.Config();
  const ops = new OperatorWithSystemAccount("op", {
    generateSigningKey: true,
    strictSigningKeyUsage: true,
    signingKeys: cfg.getBoolean("operatorKey2") ? [new SigningKey("op-sk2", { owner: "operator" })] : [],
  });
  const sk = new SigningKey("app-sk", { owner: "account" });
  const extra = cfg.getBoolean("accountKey2") ? [new SigningKey("app-sk2", { owner: "account" })] : [];
  const app = new Account("APP", {
    operator: ops.operator,
    signer: ops.signingKey,
    signingKeys: [sk, ...extra],
    limits: { conn: cfg.getNumber("conn") ?? 10 },
  });
  const users = cfg.getObject<string[]>("users") ?? ["u1", "u2"];
  for (const u of users) {
    new User(u, {
      account: app,
      signer: sk,
      pub: { allow: [u === "u1" ? (cfg.get("u1Pub") ?? "a.>") : "b.>"] },
    });
  }
  return { appPub: app.publicKey };
};

describe("e2e preview truth - the preview's counts are what up does", () => {
  let t: TestStack;
  before(async () => {
    t = await TestStack.create("preview-truth", program);
    await t.up();
  });
  after(async () => t?.dispose());

  const cases: [string, string, string, Record<string, number>][] = [
    ["account limit change", "conn", "20", { update: 1 }],
    ["account signing key added", "accountKey2", "true", { create: 1, update: 1 }],
    ["account signing key removed", "accountKey2", "false", { delete: 1, update: 1 }],
    ["user permission change", "u1Pub", "c.>", { update: 1 }],
    // The operator re-signs; SYS and APP are signed by the unchanged operator signing key.
    ["operator signing key added", "operatorKey2", "true", { create: 1, update: 1 }],
    ["user removal", "users", JSON.stringify(["u1"]), { delete: 1, update: 1 }],
  ];
  for (const [label, key, value, expected] of cases) {
    it(`preview truth - ${label}: preview and up agree`, async () => {
      await t.stack.setConfig(key, { value });
      const preview = changesOf((await t.preview()).changeSummary);
      const up = changesOf((await t.up()).summary.resourceChanges);
      assert.deepEqual(preview, up, `${label}: preview ${JSON.stringify(preview)}, up ${JSON.stringify(up)}`);
      assert.deepEqual(up, expected, label);
    });
  }
});

describe("e2e preview truth - adopting a JWT whose claims differ from the program", () => {
  const op = createKeyPair("operator");
  const acct = createKeyPair("account");
  const adoptProgram = async () => {
    const cfg = new pulumi.Config();
    const operator = new Operator("op", { name: "op", seed: op.seed() });
    const a = new Account("A", {
      name: "A",
      operator,
      seed: acct.seed(),
      jwt: cfg.require("jwt"),
      limits: { conn: cfg.requireNumber("conn") },
    });
    return { jwt: a.jwt, adoptionDrift: a.adoptionDrift };
  };
  let adopted = "";
  const stacks: TestStack[] = [];
  before(async () => {
    // What nsc would have made: the account with 9 connections, signed by the operator.
    const made = await accountHandler.create({
      name: "A",
      seed: acct.seed(),
      signerSeed: op.seed(),
      operatorPublicKey: op.getPublicKey(),
      operatorSigningKeys: [],
      limits: { conn: 9 },
    });
    adopted = made.outs.jwt;
  });
  after(async () => {
    for (const t of stacks) await t.dispose();
  });

  it("preview truth - a differing adopted JWT previews its re-sign claim by claim; a matching one is kept", async () => {
    const differs = await TestStack.create("adopt-differs", adoptProgram, {
      jwt: { value: adopted },
      conn: { value: "10" },
    });
    stacks.push(differs);
    const preview = await differs.preview({ diff: true });
    assert.match(preview.stdout, /adoptionDrift\s*: \{/, "the preview shows the adoption drift");
    assert.match(preview.stdout, /jwt\s*: \[unknown\]/, "and a new JWT, not the adopted one");
    assert.match(preview.stdout, /limits\.conn.*jwt: 9, program: 10/, "by claim, with both values");
    const up = await differs.up();
    assert.notEqual(up.outputs.jwt.value, adopted, "re-signed, as previewed");
    assert.deepEqual(up.outputs.adoptionDrift.value, { "limits.conn": "jwt: 9, program: 10" });
    assert.deepEqual(changesOf((await differs.preview()).changeSummary), {}, "then 0 changes");

    const matches = await TestStack.create("adopt-matches", adoptProgram, {
      jwt: { value: adopted },
      conn: { value: "9" },
    });
    stacks.push(matches);
    const quiet = await matches.preview({ diff: true });
    assert.doesNotMatch(quiet.stdout, /adoptionDrift\s*: \{/);
    const kept = await matches.up();
    assert.equal(kept.outputs.jwt.value, adopted, "kept byte for byte");
  });
});
