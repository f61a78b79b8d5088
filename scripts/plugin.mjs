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
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });

await build({
  entryPoints: [path.join(root, "plugin", "main.ts")],
  outfile: path.join(out, "pulumi-resource-nats-auth.js"),
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

const launcher = path.join(out, "pulumi-resource-nats-auth");
fs.writeFileSync(
  launcher,
  '#!/bin/sh\n# The nats-auth provider plugin: runs its bundle with the Node on PATH (>= 22).\nexec node "$(dirname "$0")/pulumi-resource-nats-auth.js" "$@"\n',
  { mode: 0o755 },
);

const tarball = path.join(root, "dist", `pulumi-resource-nats-auth-v${version}-linux-amd64.tar.gz`);
execFileSync("tar", [
  "-czf",
  tarball,
  "-C",
  out,
  "pulumi-resource-nats-auth",
  "pulumi-resource-nats-auth.js",
]);
console.log(`plugin: ${out}\ntarball: ${tarball}`);
