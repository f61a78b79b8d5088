/**
 * A SigningKey adopted by its seed has a public key known before it is created, so its owner's
 * preview can judge the list it is in: the same key listed twice as two SigningKey resources is
 * refused at preview, not after the keys were created and the owner failed at `up`.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { createKeyPair } from "../../core/nkeys";
import { handler as operatorHandler } from "../../provider/operator";
import * as sdk from "../../sdk";

const sent = new Map<string, Record<string, unknown>>();

describe("signing keys at preview", () => {
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        // A preview: a dynamic resource's computed outputs are not known yet.
        newResource: (args) => {
          sent.set(args.name, args.inputs);
          return { id: undefined, state: {} };
        },
        call: () => ({}),
      },
      "project",
      "stack",
      true,
    );
  });

  it("signingKey preview - two SigningKeys with one seed give the Operator the same known key twice, which check refuses", async () => {
    const kp = createKeyPair("operator");
    const seed = pulumi.secret(kp.seed());
    const a = new sdk.SigningKey("sk-a", { owner: "operator", seed });
    const b = new sdk.SigningKey("sk-b", { owner: "operator", seed });
    const op = new sdk.Operator("OP", { signingKeys: [a, b] });
    // An unknown output never runs its apply: read its known-ness (Output's promise) instead.
    const state = async (o: pulumi.Output<string>) => {
      const internal = o as unknown as { isKnown: Promise<boolean>; promise(): Promise<string> };
      return (await internal.isKnown) ? await internal.promise() : "unknown";
    };
    assert.deepEqual(
      [await state(a.publicKey), await state(b.publicKey)],
      [kp.getPublicKey(), kp.getPublicKey()],
    );
    // Once the Operator's URN is known its registration (what it sent) is done; judge that as check would.
    await (op.urn as unknown as { promise(): Promise<string> }).promise();
    const inputs = sent.get("OP");
    assert.ok(inputs, "the Operator was registered");
    assert.deepEqual(inputs.signingKeys, [kp.getPublicKey(), kp.getPublicKey()]);
    const { failures } = await operatorHandler.check({}, inputs as never);
    const dup = failures.find((f) => f.property === "signingKeys[1]");
    assert.ok(dup, JSON.stringify(failures));
    assert.match(dup.reason, /list each signing key once/);
  });

  it("system account - destroy leaves it on the servers by default (servers refuse to delete the system account)", async () => {
    const sysCreds = "-----BEGIN NATS USER JWT-----\nx\n------END NATS USER JWT------\n";
    const byDefault = new sdk.OperatorWithSystemAccount("ops", {
      resolver: { servers: ["nats://127.0.0.1:4222"], creds: sysCreds },
    });
    const explicit = new sdk.OperatorWithSystemAccount("ops2", {
      resolver: { servers: ["nats://127.0.0.1:4222"], creds: sysCreds, onDelete: "delete" },
    });
    const urn = (a: sdk.Account) => (a.urn as unknown as { promise(): Promise<string> }).promise();
    await Promise.all([urn(byDefault.systemAccount), urn(explicit.systemAccount)]);
    // The mock sees secrets wrapped ({ <sig>: …, value }): the resolver holds the creds, a secret.
    const onDelete = (name: string) => {
      const r = sent.get(name)?.resolver as { value?: { onDelete?: string }; onDelete?: string } | undefined;
      return (r?.value ?? r)?.onDelete;
    };
    assert.equal(onDelete("ops-sys"), "retain");
    assert.equal(onDelete("ops2-sys"), "delete", "an explicit choice is kept");
  });
});
