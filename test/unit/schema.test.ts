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

  it("schema - whole-number fields (limits, counts, ports, sizes, seconds, ms) are integer, not number", () => {
    const s = JSON.parse(generated());
    const res = (t: string) => s.resources[`nats-auth:index:${t}`];
    const type = (t: string) => s.types[`nats-auth:index:${t}`].properties;
    // A sample, one per source of the fields (claim inputs, contracts, server config, revocation).
    assert.equal(type("AccountLimits").conn.type, "integer");
    assert.equal(type("JetStreamLimits").maxAckPending.type, "integer");
    assert.equal(type("AccountResolver").timeoutMs.type, "integer");
    assert.equal(type("AccountResolver").expectedServers.type, "integer");
    assert.equal(type("MappingDestination").weight.type, "integer");
    assert.equal(type("RemovedUser").at.type, "integer");
    assert.equal(type("Export").revocations.additionalProperties.type, "integer");
    assert.equal(res("User").inputProperties.payload.type, "integer");
    assert.equal(res("ServerConfig").inputProperties.port.type, "integer");
    assert.equal(res("Account").properties.pushedTo.type, "integer");
    assert.equal(res("ActivationToken").properties.issuedAt.type, "integer");
    // Unions keep their shape: a date is a string, a duration too.
    assert.equal(res("User").inputProperties.expires.type, "string");

    // The class: nothing named like a whole number may be a real number anywhere in the schema.
    const wholeName =
      /^(conn|leaf|data|payload|subs|imports|exports|streams|consumer|weight|port|httpPort|limit|at|expires|issuedAt|pushedTo|expectedServers|maxControlLine|accountTokenPosition|sampling|revocations|revocationTimes)$|(Ms|Seconds|Storage|Stream|Pending|Msgs|Servers|Count|Port|Limit)$/;
    const wrong: string[] = [];
    const visit = (
      where: string,
      props: Record<
        string,
        { type?: string; items?: { type?: string }; additionalProperties?: { type?: string } }
      >,
    ) => {
      for (const [name, p] of Object.entries(props ?? {})) {
        const leaf = p.items ?? p.additionalProperties ?? p;
        if (leaf.type === "number" && wholeName.test(name)) wrong.push(`${where}.${name}`);
      }
    };
    for (const [name, t] of Object.entries<{ properties: never }>(s.types)) visit(name, t.properties);
    for (const [name, r] of Object.entries<{ inputProperties: never; properties: never }>(s.resources)) {
      visit(`${name} input`, r.inputProperties);
      visit(`${name} output`, r.properties);
    }
    assert.deepEqual(wrong, []);
  });
});
