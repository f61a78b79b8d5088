/**
 * Check failures as the engine receives them (issue 23): the engine prints `property <p> value
 * <inputs[p]>`, looking `p` up as one top-level input, so a nested path printed `value {<nil>}`.
 * What the engine loads (`pulumi-nats-auth/provider/<kind>` and the native plugin) sends such a
 * failure with no property and the path leading the reason; the handler modules keep naming the path.
 * test/e2e/identity.test.ts checks the message the real CLI prints.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createKeyPair } from "../../core/nkeys";
import { nativeProvider } from "../../plugin/provider";
import { namedFailure } from "../../provider/kit/failures";
import { handler as named } from "../../provider/user";

const account = createKeyPair("account");
const badUser = {
  name: "u",
  signerSeed: account.seed(),
  accountPublicKey: account.getPublicKey(),
  signedByIdentity: true,
  pub: { allow: ["a b"] },
  subs: 1.5,
};

describe("engine failures", () => {
  it("engine failures - the module the dynamic provider loads moves a nested path into the reason; a top-level input keeps its property", async () => {
    const engine = require("pulumi-nats-auth/provider/user") as { handler: typeof named };
    const failures = (await engine.handler.check({}, badUser as never)).failures;
    const nested = failures.find((f) => f.reason.startsWith("pub.allow[0]: "));
    assert.ok(nested, JSON.stringify(failures));
    assert.equal(nested.property, "");
    assert.match(nested.reason, /^pub\.allow\[0\]: subject "a b" contains white space/);
    assert.deepEqual(namedFailure(nested).property, "pub.allow[0]");
    assert.ok(
      failures.some((f) => f.property === "subs"),
      "subs is a top-level input: kept",
    );
    // The handler module itself still names the path (what the unit tests read).
    const direct = (await named.check({}, badUser as never)).failures;
    assert.ok(direct.some((f) => f.property === "pub.allow[0]"));
  });

  it("engine failures - the native plugin sends the same", async () => {
    const p = nativeProvider("0.0.0-test");
    const r = await p.check!("urn:pulumi:dev::proj::nats-auth:index:User::u", {}, badUser);
    const failures = r.failures ?? [];
    assert.ok(
      failures.some((f) => f.property === "" && f.reason.startsWith("pub.allow[0]: subject")),
      JSON.stringify(failures),
    );
    assert.ok(!failures.some((f) => f.property.includes(".") || f.property.includes("[")));
  });
});
