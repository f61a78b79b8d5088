/**
 * docs/server-config.md documents every ServerConfig input and every field of the topology types it
 * uses, as the schema (generated from the contracts) lists them: a field added to the contracts and
 * not to the docs fails here.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../harness/paths";

interface Schema {
  resources: Record<string, { inputProperties: Record<string, unknown> }>;
  types: Record<string, { properties: Record<string, unknown> }>;
}

describe("docs - server-config.md", () => {
  it("docs - every ServerConfig input and every topology type field is named", () => {
    const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schema.json"), "utf8")) as Schema;
    const doc = fs.readFileSync(path.join(REPO_ROOT, "docs", "server-config.md"), "utf8");
    const missing: string[] = [];
    for (const f of Object.keys(schema.resources["nats-auth:index:ServerConfig"].inputProperties)) {
      if (!doc.includes(`\`${f}\``) && !doc.includes(`${f}:`)) missing.push(`ServerConfig.${f}`);
    }
    for (const t of [
      "GatewaySpec",
      "RemoteGatewaySpec",
      "ClusterSpec",
      "LeafNodesSpec",
      "LeafTlsSpec",
      "RouteAuthorization",
      "JetStreamSpec",
      "LeafRemoteSpec",
    ]) {
      const type = schema.types[`nats-auth:index:${t}`];
      assert.ok(type, `schema type ${t}`);
      for (const f of Object.keys(type.properties)) {
        if (!doc.includes(`\`${f}\``) && !doc.includes(`${f}:`)) missing.push(`${t}.${f}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});
