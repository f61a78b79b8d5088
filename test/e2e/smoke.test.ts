import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { KeyPair } from "../../sdk";
import { changeCount, SEED_RE, TestStack } from "../harness/pulumi";

describe("e2e smoke - one dynamic resource through the real pulumi CLI", () => {
  let t: TestStack;
  before(async () => {
    t = await TestStack.create("smoke", async () => {
      const key = new KeyPair("acct-key", { kind: "account" });
      return { publicKey: key.publicKey, seed: key.seed, secretInput: pulumi.secret("x") };
    });
  });
  after(async () => t?.dispose());

  it("smoke - up creates, preview is a no-op, destroy removes", async () => {
    const up = await t.up();
    assert.equal(up.summary.result, "succeeded");
    assert.equal(up.summary.resourceChanges?.create, 2, "stack + key pair created");
    assert.match(String(up.outputs.publicKey.value), /^A[A-Z2-7]{55}$/);
    assert.equal(up.outputs.seed.secret, true, "seed output is a secret");

    const preview = await t.preview();
    assert.equal(
      changeCount(preview.changeSummary),
      0,
      `no-op preview: ${JSON.stringify(preview.changeSummary)}`,
    );

    const state = await t.exportText();
    assert.doesNotMatch(state, SEED_RE, "no seed in plain text in state");
    const resources = JSON.parse(state).deployment.resources as {
      type: string;
      outputs?: { __provider?: string };
    }[];
    const providerText = resources.find((r) => r.type.endsWith(":KeyPair"))?.outputs?.__provider ?? "";
    for (const r of resources) console.log(`state size of ${r.type}: ${JSON.stringify(r).length} bytes`);
    assert.ok(
      providerText.length > 0 && providerText.length < 4000,
      `__provider is small (${providerText.length} chars)`,
    );

    const destroy = await t.destroy();
    assert.equal(destroy.summary.resourceChanges?.delete, 2);
  });
});
