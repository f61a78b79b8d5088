/**
 * The docs as users meet them (issue 23): the README's first screen is for users (what it is,
 * install, the first program), contributor material lives in CONTRIBUTING.md and docs/internals.md,
 * and reference tables fit a terminal.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../harness/paths";

const read = (...p: string[]) => fs.readFileSync(path.join(REPO_ROOT, ...p), "utf8");
const OWN = [
  "README.md",
  "CONTRIBUTING.md",
  ...[
    "_index",
    "internals",
    "languages",
    "lifecycle",
    "nsc",
    "patterns",
    "resolver",
    "resources",
    "security",
  ].map((d) => `docs/${d}.md`),
];

describe("docs", () => {
  it("docs - the README's first screen is for users: what it is, install, then the first program", () => {
    const readme = read("README.md");
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    assert.deepEqual(headings.slice(0, 3), ["Install", "Your first program", "Concepts"]);
    const firstScreen = readme.split("\n").slice(0, 40).join("\n");
    for (const contributorOnly of ["install-tools", "npm test", "Benchmarks", "__provider", ".tools/"]) {
      assert.ok(!firstScreen.includes(contributorOnly), `the first screen mentions ${contributorOnly}`);
    }
    assert.ok(readme.split("\n").length < 250, "the README stays short: reference lives in docs/");
  });

  it("docs - table rows fit a terminal (at most 110 characters)", () => {
    const wide: string[] = [];
    for (const file of OWN) {
      read(file)
        .split("\n")
        .forEach((line, i) => {
          if (line.startsWith("|") && line.length > 110) wide.push(`${file}:${i + 1} (${line.length})`);
        });
    }
    assert.deepEqual(wide, []);
  });

  it("docs - contributor setup, layout and benchmarks are in CONTRIBUTING.md and docs/internals.md", () => {
    assert.match(read("CONTRIBUTING.md"), /npm run test:quick/);
    assert.match(read("CONTRIBUTING.md"), /DEMO_KEEP/);
    for (const h of ["## Layout", "## Benchmarks", "## Toolchain notes"])
      assert.ok(read("docs/internals.md").includes(h));
  });
});
