// Builds the native provider plugin `nats-auth` (plugin/main.ts) into one file with esbuild, no
// network: dist/native/ holds `pulumi-resource-nats-auth` (a shell script that runs Node on the
// bundle; Node >= 22 must be on PATH) and the bundle, and dist/ the tarball that
// `pulumi plugin install resource nats-auth <version> --file <tarball>` takes.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { version } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const out = path.join(root, "dist", "native");
fs.mkdirSync(out, { recursive: true });

// Test files run this in their `before` while other files' stacks launch the plugin from dist/native:
// each build is made in a directory of its own and its files renamed into place, so a launch finds
// the old build or the new one, never a missing or half-written file (and two builds at once each
// land whole).
const stage = fs.mkdtempSync(path.join(root, "dist", ".native-"));
const names = ["pulumi-resource-nats-auth", "pulumi-resource-nats-auth.js"];

await build({
  entryPoints: [path.join(root, "plugin", "main.ts")],
  outfile: path.join(stage, "pulumi-resource-nats-auth.js"),
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  define: { __PLUGIN_VERSION__: JSON.stringify(version) },
  // Optional requires of @pulumi/pulumi that a provider never reaches (program closures, TS programs).
  external: ["typescript", "ts-node", "read-package-tree"],
  logLevel: "warning",
  legalComments: "none",
});

fs.writeFileSync(
  path.join(stage, "pulumi-resource-nats-auth"),
  '#!/bin/sh\n# The nats-auth provider plugin: runs its bundle with the Node on PATH (>= 22).\nexec node "$(dirname "$0")/pulumi-resource-nats-auth.js" "$@"\n',
  { mode: 0o755 },
);

const tarball = path.join(root, "dist", `pulumi-resource-nats-auth-v${version}-linux-amd64.tar.gz`);
execFileSync("tar", ["-czf", path.join(stage, "plugin.tar.gz"), "-C", stage, ...names]);
for (const name of names) fs.renameSync(path.join(stage, name), path.join(out, name));
fs.renameSync(path.join(stage, "plugin.tar.gz"), tarball);
fs.rmSync(stage, { recursive: true, force: true });
console.log(`plugin: ${out}\ntarball: ${tarball}`);
