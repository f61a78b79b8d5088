/**
 * What `npm pack` ships (issue 23): source maps that point only at what ships (the TypeScript
 * sources are inlined into the maps, since the package ships dist/ only), a LICENSE with the full
 * text package.json names, and one Node requirement: package.json's engines is what the README,
 * CONTRIBUTING.md and the scripts say.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../harness/paths";

interface Packed {
  files: { path: string }[];
}
const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
  license: string;
  engines: { node: string };
};

describe("package files", () => {
  it("package files - every source map shipped resolves each of its sources to a shipped file or to content it holds", () => {
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
        cwd: REPO_ROOT,
        encoding: "utf8",
      }),
    ) as Packed[];
    const shipped = new Set(packed[0].files.map((f) => f.path));
    const maps = [...shipped].filter((f) => f.endsWith(".map"));
    assert.ok(maps.length > 0, "the package ships source maps");
    const dangling: string[] = [];
    for (const m of maps) {
      const map = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, m), "utf8")) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      map.sources.forEach((s, i) => {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(m), s));
        if (!shipped.has(target) && typeof map.sourcesContent?.[i] !== "string")
          dangling.push(`${m} -> ${s}`);
      });
    }
    assert.deepEqual(
      dangling.slice(0, 5),
      [],
      `${dangling.length} source map entries point at unshipped files`,
    );
  });

  it("package files - LICENSE holds the Apache License 2.0 that package.json names", () => {
    assert.equal(manifest.license, "Apache-2.0");
    const text = fs.readFileSync(path.join(REPO_ROOT, "LICENSE"), "utf8");
    assert.match(text, /Apache License\s+Version 2\.0, January 2004/);
    assert.match(text, /END OF TERMS AND CONDITIONS/);
  });

  it("package files - one Node requirement: engines, README, CONTRIBUTING.md", () => {
    assert.equal(manifest.engines.node, ">=22");
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const contributing = fs.readFileSync(path.join(REPO_ROOT, "CONTRIBUTING.md"), "utf8");
    assert.match(readme, /Node\.js 22 or later/);
    assert.match(contributing, /Node\.js 22 or later/);
    for (const [name, text] of [
      ["README.md", readme],
      ["CONTRIBUTING.md", contributing],
    ]) {
      assert.doesNotMatch(
        text,
        /Node(\.js)? 20\+|Node(\.js)? >= ?20\b/,
        `${name} states another requirement`,
      );
    }
  });
});
