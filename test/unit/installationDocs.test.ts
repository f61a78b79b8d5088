/**
 * docs/installation-configuration.md (the Pulumi Registry's layout) against the provider's config
 * contract: its keys table lists every key of `ProviderConfig` once, each with the environment variable
 * the plugin reads, the type, the secret flag and the description the schema carries (generated from
 * the contract's doc comments): the keys are derived here, never listed a second time.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { CONFIG_NAMESPACE, envVarOf, PROVIDER_CONFIG_KEYS } from "../../provider/kit/providerConfig";
import schema from "../../schema.json";
import { REPO_ROOT } from "../harness/paths";

const DOC = path.join(REPO_ROOT, "docs", "installation-configuration.md");

interface Variable {
  type?: string;
  items?: { type?: string };
  secret?: boolean;
  description?: string;
}

/** The rows of the table whose first header cell is `Key`, as trimmed cells. */
function keysTable(text: string): string[][] {
  const lines = text.split("\n");
  // The formatter pads the cells: match the header by its first cell.
  const start = lines.findIndex((l) => /^\|\s*Key\s*\|/.test(l));
  assert.ok(start >= 0, "the doc has a configuration keys table");
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .trim()
        .slice(1, -1)
        .split(" | ")
        .map((c) => c.trim()),
    );
  }
  return rows;
}

const typeText = (v: Variable) => (v.type === "array" ? `list of ${v.items?.type}s` : String(v.type));

describe("installation docs", () => {
  it("installation docs - the keys table lists every key of the contract with its env var, type, secret flag and description", () => {
    const variables = (schema as unknown as { config: { variables: Record<string, Variable> } }).config
      .variables;
    const rows = keysTable(fs.readFileSync(DOC, "utf8"));
    const byKey = new Map(rows.map((r) => [r[0], r]));
    assert.equal(byKey.size, rows.length, "each key once");
    assert.deepEqual(
      [...byKey.keys()].sort(),
      PROVIDER_CONFIG_KEYS.map((k) => `\`${CONFIG_NAMESPACE}:${k}\``).sort(),
      "the table's keys are the contract's",
    );
    for (const key of PROVIDER_CONFIG_KEYS) {
      const [, env, type, secret, , description] = byKey.get(`\`${CONFIG_NAMESPACE}:${key}\``) ?? [];
      const v = variables[key];
      assert.equal(env, `\`${envVarOf(key)}\``, `${key}: environment variable`);
      assert.equal(type, typeText(v), `${key}: type`);
      assert.equal(secret, v.secret ? "yes" : "no", `${key}: secret`);
      assert.equal(description, v.description?.replace(/\n/g, " "), `${key}: description`);
    }
  });

  it("installation docs - the explicit provider snippets name the schema's provider type and keys", () => {
    const text = fs.readFileSync(DOC, "utf8");
    assert.ok(text.includes(`type: pulumi:providers:${CONFIG_NAMESPACE}`));
    for (const snippet of ["new natsauth.Provider(", "natsauth.Provider(", "natsauth.NewProvider("]) {
      assert.ok(text.includes(snippet), snippet);
    }
  });
});
