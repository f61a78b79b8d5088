import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root (tests run from dist/test/…, compiled, or the sources). */
export const REPO_ROOT = path.resolve(
  __dirname,
  "..",
  "..",
  __dirname.includes(`${path.sep}dist${path.sep}`) ? ".." : "",
);

/** Where scripts/install-tools.sh puts the pinned binaries. */
export const TOOLS_BIN = path.join(REPO_ROOT, ".tools", "bin");

/** A tool from .tools/bin, or a clear error naming the install command. */
export function toolPath(name: string): string {
  const p = path.join(TOOLS_BIN, name);
  if (!fs.existsSync(p)) {
    throw new Error(`${name} is not installed in ${TOOLS_BIN}: run "bash scripts/install-tools.sh" first`);
  }
  return p;
}
