#!/usr/bin/env node
/**
 * `pulumi-nats-auth import-nsc`: turns an nsc store into a Pulumi project (see README, "Migrating from
 * nsc"). A thin layer: io/nscStore reads the store, core/nscProgram writes the program; this parses
 * the command line, writes the files and, with --stack, stores the seeds through the pulumi CLI.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, NatsAuthError } from "../core/errors";
import { nscProjectFiles } from "../core/nscProgram";
import { readNscStore, writeProject } from "../io/nscStore";

export const USAGE = `usage: pulumi-nats-auth import-nsc --store <nsc stores dir> --keys <nkeys dir> --operator <name> --out <project dir>
                                   [--stack <stack>] [--server <nats url>]... [--project <name>]

  --store     nsc's stores dir (holds <operator>/<operator>.jwt), e.g. ~/.local/share/nats/nsc/stores
  --keys      nsc's nkeys dir (holds keys/<letter>/<xx>/<public key>.nk), e.g. ~/.local/share/nats/nsc/keys
  --stack     select (or create) this stack in --out and store every seed in its config as a secret
              (runs import-seeds.sh; needs the pulumi CLI logged in, and PULUMI_CONFIG_PASSPHRASE for
              passphrase-encrypted stacks)
  --server    a server whose resolver holds the accounts (repeatable; written to the stack's "servers")`;

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
    else if (["store", "keys", "operator", "out", "stack", "project"].includes(name)) values[name] = value;
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
  };
}

function packageVersion(): string {
  const manifest = path.join(__dirname, "..", "..", "package.json");
  return (JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string }).version;
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
    packageVersion: packageVersion(),
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
