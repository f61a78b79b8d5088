/**
 * Previews tell the truth, through the real pulumi CLI: for each kind of change, the preview's change
 * counts equal what `up` then does (dynamic resources cannot preview their own updates, so anything a
 * preview marks but `up` does not make would be a lie).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { Account, OperatorWithSystemAccount, SigningKey, User } from "../../sdk";
import { TestStack } from "../harness/pulumi";

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

/** The non-"same" counts of a summary. */
function changes(summary: Record<string, number | undefined> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(summary ?? {}).filter(([op, n]) => op !== "same" && n)) as Record<
    string,
    number
  >;
}

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
      const preview = changes((await t.preview()).changeSummary);
      const up = changes((await t.up()).summary.resourceChanges);
      assert.deepEqual(preview, up, `${label}: preview ${JSON.stringify(preview)}, up ${JSON.stringify(up)}`);
      assert.deepEqual(up, expected, label);
    });
  }
});
