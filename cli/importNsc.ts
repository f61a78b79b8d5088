#!/usr/bin/env node
/**
 * `pulumi-nats-auth import-nsc`: turns an nsc store into a Pulumi project (see docs/nsc.md, "Migrating
 * from nsc"). A thin layer: io/nscStore reads the store, core/nscProgram writes the program; this parses
 * the command line, writes the files and, with --stack, stores the seeds through the pulumi CLI.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, NatsAuthError } from "../core/errors";
import { nscProjectFiles } from "../core/nscProgram";
import { readNscStore, writeProject } from "../io/nscStore";

export const USAGE = `usage: pulumi-nats-auth import-nsc --store <nsc stores dir> --keys <nkeys dir> --operator <name> --out <project dir>
                                   [--stack <stack>] [--server <nats url>]... [--project <name>] [--package <npm spec>]

  --store     nsc's stores dir (holds <operator>/<operator>.jwt), e.g. ~/.local/share/nats/nsc/stores
  --keys      nsc's nkeys dir (holds keys/<letter>/<xx>/<public key>.nk), e.g. ~/.local/share/nats/nsc/keys
  --operator  the operator to import (its name in the store, as \`nsc list operators\` shows it)
  --out       the project dir to write (created if missing): Pulumi.yaml, package.json, index.js,
              import-seeds.sh, MIGRATION.md and vendor/ (this package as a tarball)
  --project   the Pulumi project name (default: the name of --out)
  --package   what package.json asks npm for as pulumi-nats-auth (default: file:vendor/<the
              tarball of the package running this command>, since it is on no registry yet)
  --stack     select (or create) this stack in --out and store every seed in its config as a secret
              (runs import-seeds.sh; needs the pulumi CLI logged in, and PULUMI_CONFIG_PASSPHRASE for
              passphrase-encrypted stacks)
  --server    a server whose resolver holds the accounts (repeatable; written to the stack's "servers")`;

/** The options import-nsc takes besides the repeatable `--server` (each described in USAGE). */
export const IMPORT_NSC_FLAGS = ["store", "keys", "operator", "out", "stack", "project", "package"] as const;

class UsageError extends NatsAuthError {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = "UsageError";
  }
}

interface Options {
  store: string;
  keys: string;
  operator: string;
  out: string;
  stack?: string;
  servers: string[];
  project?: string;
  packageSpec?: string;
}

function parse(argv: string[]): Options {
  const [command, ...rest] = argv;
  if (command !== "import-nsc") throw new UsageError(command ? `unknown command "${command}"` : "no command");
  const values: Record<string, string> = {};
  const servers: string[] = [];
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i];
    const value = rest[i + 1];
    if (!flag.startsWith("--") || value === undefined) throw new UsageError(`bad argument "${flag}"`);
    const name = flag.slice(2);
    if (name === "server") servers.push(value);
    else if ((IMPORT_NSC_FLAGS as readonly string[]).includes(name)) values[name] = value;
    else throw new UsageError(`unknown option ${flag}`);
  }
  for (const required of ["store", "keys", "operator", "out"]) {
    if (!values[required]) throw new UsageError(`--${required} is required`);
  }
  return {
    store: path.resolve(values.store),
    keys: path.resolve(values.keys),
    operator: values.operator,
    out: path.resolve(values.out),
    stack: values.stack,
    servers,
    project: values.project,
    packageSpec: values.package,
  };
}

/** The root of the package this command runs from (dist/cli/importNsc.js is two levels down). */
const PACKAGE_ROOT = path.join(__dirname, "..", "..");

/**
 * Copies this package, as `npm pack` makes it, into `<out>/vendor/` and returns the npm spec that
 * installs it from there: the package is on no registry, so a range like `^0.1.0` fails `npm install`.
 */
export function vendorPackage(out: string, root = PACKAGE_ROOT): string {
  const vendor = path.join(out, "vendor");
  fs.mkdirSync(vendor, { recursive: true });
  const packed = execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", vendor, root], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  })
    .trim()
    .split("\n")
    .pop();
  if (!packed || !fs.existsSync(path.join(vendor, packed))) {
    throw new NatsAuthError(`import-nsc: npm pack of ${root} wrote no tarball into ${vendor}`);
  }
  return `file:vendor/${packed}`;
}

/** Runs the pulumi CLI in the project dir; `input` goes to its stdin (how seeds travel). */
function pulumi(out: string, args: string[], input?: string): void {
  execFileSync("pulumi", [...args, "--non-interactive"], {
    cwd: out,
    input,
    stdio: ["pipe", "ignore", "pipe"],
    encoding: "utf8",
  });
}

function main(argv: string[]): void {
  const o = parse(argv);
  const store = readNscStore(o.store, o.keys, o.operator);
  const projectName = o.project ?? (path.basename(o.out).replace(/[^\w.-]/g, "-") || "nats-auth");
  const { files, generated } = nscProjectFiles(store, {
    projectName,
    packageSpec: o.packageSpec ?? vendorPackage(o.out),
    hasSeed: (k) => store.seedFiles.has(k),
    seedFiles: store.seedFiles,
    source: `operator "${o.operator}" of the nsc store ${store.dir}`,
  });
  writeProject(o.out, files);
  console.log(`wrote ${Object.keys(files).join(", ")} to ${o.out}`);
  if (o.stack) {
    pulumi(o.out, ["stack", "select", "--create", o.stack]);
    for (const key of generated.seeds) {
      const file = store.seedFiles.get(key);
      if (file)
        pulumi(
          o.out,
          ["config", "set", "--secret", "--path", `seeds.${key}`],
          fs.readFileSync(file, "utf8").trim(),
        );
    }
    for (const [i, url] of o.servers.entries())
      pulumi(o.out, ["config", "set", "--path", `servers[${i}]`, url]);
    console.log(
      `stack ${o.stack}: ${generated.seeds.length} seeds stored as secrets${o.servers.length ? `, servers ${o.servers.join(", ")}` : ""}`,
    );
  } else {
    console.log("next: select a stack in that dir and run import-seeds.sh to store the seeds as secrets");
  }
  if (generated.notes.length) {
    console.log(`not expressed (also in MIGRATION.md):\n${generated.notes.map((n) => `- ${n}`).join("\n")}`);
  }
}

/** `import-nsc <options>` (argv starts with the subcommand); the exit code: 0 done, 1 refused. */
export function importNsc(argv: string[]): number {
  try {
    main(argv);
    return 0;
  } catch (e) {
    console.error(`import-nsc: ${describe(e)}`);
    return 1;
  }
}

// Still runnable on its own (`node dist/cli/importNsc.js import-nsc …`), as earlier releases' bin.
if (require.main === module) process.exitCode = importNsc(process.argv.slice(2));
