import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { schemaText } from "../../scripts/genSchema";
import { REPO_ROOT } from "../harness/paths";

describe("schema", () => {
  // One compile of the contracts (several seconds) for both tests.
  let text: string | undefined;
  const generated = () => {
    text ??= schemaText(REPO_ROOT);
    return text;
  };

  it("schema - schema.json is what the contracts generate (run `node dist/scripts/genSchema.js` after changing them)", () => {
    const checkedIn = fs.readFileSync(path.join(REPO_ROOT, "schema.json"), "utf8");
    assert.equal(checkedIn, generated());
  });

  it("schema - seeds, signer seeds, creds and tokens are secret; descriptions come from the doc comments", () => {
    const s = JSON.parse(generated());
    const res = (t: string) => s.resources[`nats-auth:index:${t}`];
    for (const [t, inputs, outputs] of [
      ["KeyPair", ["seed"], ["seed"]],
      ["SigningKey", ["seed"], ["seed"]],
      ["Operator", ["seed"], ["seed"]],
      ["Account", ["seed", "signerSeed"], ["seed", "signerSeed"]],
      ["User", ["seed", "signerSeed"], ["seed", "creds"]],
      ["ActivationToken", ["signerSeed"], ["signerSeed", "token"]],
      ["CredsFile", ["creds"], ["creds"]],
      ["LeafRemote", ["credentials"], ["credentials"]],
      ["ServerConfig", ["extra"], ["extra", "text"]],
    ] as const) {
      for (const f of inputs) assert.equal(res(t).inputProperties[f].secret, true, `${t} input ${f}`);
      for (const f of outputs) assert.equal(res(t).properties[f].secret, true, `${t} output ${f}`);
    }
    assert.equal(s.types["nats-auth:index:AccountResolver"].properties.creds.secret, true);
    assert.equal(res("Account").inputProperties.publicKey.secret, undefined);
    assert.match(res("Account").inputProperties.signerSeed.description, /signing keys' seeds/);
    // Unions every language can express: dates and durations as strings, signing key refs as Any.
    assert.equal(res("User").inputProperties.expires.type, "string");
    assert.equal(res("Account").inputProperties.signingKeys.items.$ref, "pulumi.json#/Any");
  });
});
