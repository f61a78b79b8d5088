/**
 * The layers stay visible: core/ (pure NATS logic) ← io/ (network, files) ← provider/ (Pulumi
 * handlers) ← sdk/ (resource classes) and plugin/ (the native provider plugin), two front ends over
 * the same handlers that never import each other. Checked on the sources, so a wrong import fails
 * `npm test`.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../harness/paths";

const LAYERS = ["core", "io", "provider", "sdk", "plugin", "policy"] as const;
/** Layers on the same level: none may import another (policy/ reads the inputs both front ends send). */
const FRONT_ENDS: readonly Layer[] = ["sdk", "plugin", "policy"];
type Layer = (typeof LAYERS)[number];

/** Modules core/ may import: pure computation only (node:crypto hashes and signs, nothing else). */
const CORE_ALLOWED = new Set(["node:crypto", "@nats-io/jwt"]);

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

/** Every module specifier a file imports or requires, type-only imports included. */
function importsOf(file: string): string[] {
  // Comments may mention module-like words ("from `program`"); only code is scanned.
  const text = fs
    .readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
  // Statements at the start of a line, and require()/import() calls: a message string ending in
  // "from " followed by another string is not an import.
  const patterns = [
    /^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm,
    /^\s*import\s*["']([^"']+)["']/gm,
    /(?<![.\w])(?:require|import)\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g,
  ];
  const specs = patterns.flatMap((re) => [...text.matchAll(re)].map((m) => m[1]));
  return [...new Set(specs)];
}

function layerOf(file: string): Layer | undefined {
  const rel = path.relative(REPO_ROOT, file).split(path.sep)[0];
  return (LAYERS as readonly string[]).includes(rel) ? (rel as Layer) : undefined;
}

describe("architecture", () => {
  it("architecture - core imports nothing but node:crypto, @nats-io/jwt and core itself", () => {
    const bad: string[] = [];
    for (const file of sources(path.join(REPO_ROOT, "core"))) {
      for (const spec of importsOf(file)) {
        const local = spec.startsWith(".");
        const target = local ? layerOf(path.resolve(path.dirname(file), spec)) : undefined;
        if (local ? target !== "core" : !CORE_ALLOWED.has(spec)) {
          bad.push(`${path.relative(REPO_ROOT, file)} imports ${spec}`);
        }
      }
    }
    assert.deepEqual(bad, [], "core/ is pure: no Pulumi, no network, no files");
  });

  it("architecture - the handlers and the plugin never load @pulumi/pulumi's index (the plugin bundle would carry its automation API and npm)", () => {
    const bad: string[] = [];
    for (const layer of ["core", "io", "provider", "plugin"]) {
      for (const file of sources(path.join(REPO_ROOT, layer))) {
        const code = fs
          .readFileSync(file, "utf8")
          .replace(/\/\*[\s\S]*?\*\//g, "")
          .replace(/^\s*\/\/.*$/gm, "");
        if (
          /(?:require\s*\(\s*|import\s+(?!type\b)[^;]*?from\s*|import\s*\(\s*)["']@pulumi\/pulumi["']/.test(
            code,
          )
        ) {
          bad.push(path.relative(REPO_ROOT, file));
        }
      }
    }
    assert.deepEqual(
      bad,
      [],
      "import a submodule (@pulumi/pulumi/log, /output, /resource, /provider) instead",
    );
  });

  it("architecture - every package the layers import is declared in package.json (not reached through another's dependencies)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      name: string;
    } & Partial<Record<string, Record<string, string>>>;
    // Its own name too: handler modules are loaded by package path (pulumi-nats-auth/provider/<kind>).
    const declared = new Set([
      String(pkg.name),
      ...["dependencies", "devDependencies", "peerDependencies"].flatMap((k) => Object.keys(pkg[k] ?? {})),
    ]);
    const undeclared: string[] = [];
    for (const layer of LAYERS) {
      for (const file of sources(path.join(REPO_ROOT, layer))) {
        for (const spec of importsOf(file)) {
          if (spec.startsWith(".") || spec.startsWith("node:")) continue;
          // "@scope/name/sub/path" and "name/sub/path" name the package "@scope/name" and "name".
          const parts = spec.split("/");
          const name = spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
          if (!declared.has(name)) undeclared.push(`${path.relative(REPO_ROOT, file)} imports ${spec}`);
        }
      }
    }
    assert.deepEqual(undeclared, []);
  });

  it("architecture - dependencies point one way: core <- io <- provider <- sdk | plugin | policy", () => {
    const bad: string[] = [];
    for (const layer of LAYERS) {
      for (const file of sources(path.join(REPO_ROOT, layer))) {
        for (const spec of importsOf(file)) {
          if (!spec.startsWith(".")) continue;
          const target = layerOf(path.resolve(path.dirname(file), spec));
          const sideways = target !== layer && FRONT_ENDS.includes(layer) && FRONT_ENDS.includes(target!);
          if (target && (sideways || LAYERS.indexOf(target) > LAYERS.indexOf(layer))) {
            bad.push(`${path.relative(REPO_ROOT, file)} (${layer}) imports ${spec} (${target})`);
          }
        }
      }
    }
    assert.deepEqual(bad, []);
  });

  it("architecture - the policy rules are pure: only policy/index.ts imports @pulumi/policy, and nothing does I/O", () => {
    for (const file of sources(path.join(REPO_ROOT, "policy"))) {
      const rel = path.relative(REPO_ROOT, file);
      for (const spec of importsOf(file)) {
        const target = spec.startsWith(".") ? layerOf(path.resolve(path.dirname(file), spec)) : undefined;
        assert.ok(target !== "io", `${rel} imports ${spec} (io)`);
        if (rel !== path.join("policy", "index.ts"))
          assert.ok(spec.startsWith("."), `${rel} imports ${spec}`);
      }
    }
  });

  it("architecture - io does no Pulumi, and every handler module of 0.1.0 stays at its frozen path", () => {
    for (const file of sources(path.join(REPO_ROOT, "io"))) {
      for (const spec of importsOf(file)) assert.ok(!spec.startsWith("@pulumi/"), `${file} imports ${spec}`);
    }
    // Stacks written by 0.1.0 load `pulumi-nats-auth/provider/<kind>` and call `.handler.<method>`.
    for (const kind of [
      "keyPair",
      "signingKey",
      "operator",
      "account",
      "user",
      "leafRemote",
      "serverConfigFile",
    ]) {
      const mod = require(path.join(REPO_ROOT, "dist", "provider", `${kind}.js`)) as {
        handler?: { check?: unknown; diff?: unknown; create?: unknown };
      };
      assert.equal(typeof mod.handler?.create, "function", `provider/${kind} exports handler.create`);
      assert.equal(typeof mod.handler?.check, "function", `provider/${kind} exports handler.check`);
      assert.equal(typeof mod.handler?.diff, "function", `provider/${kind} exports handler.diff`);
    }
  });

  it("architecture - a program that imports the SDK loads no io/ module (it never talks to a server; each module loaded costs every preview and up)", () => {
    const sdk = path.join(REPO_ROOT, "dist", "sdk", "index.js");
    const io = path.join(REPO_ROOT, "dist", "io") + path.sep;
    const script =
      `require(${JSON.stringify(sdk)});` +
      `process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((f) => f.startsWith(${JSON.stringify(io)}))));`;
    const loaded = JSON.parse(
      execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }),
    ) as string[];
    assert.deepEqual(
      loaded.map((f) => path.relative(REPO_ROOT, f)),
      [],
      "the SDK must not import what the handlers use at run time (move the constant it needs to a module of its own)",
    );
  });
});
