#!/usr/bin/env node
/** The `pulumi-nats-auth` command: dispatches to its subcommands (import-nsc, drift). */
import { DRIFT_USAGE, drift } from "./drift";
import { USAGE as IMPORT_USAGE, importNsc } from "./importNsc";

const HELP = `usage: pulumi-nats-auth <command> [options]

commands:
  import-nsc   turn an nsc store into a Pulumi project (docs/nsc.md, "Migrating from nsc")
  drift        check that the servers hold the program's JWTs (docs/resolver.md, "Watching for drift")

options:
  -h, --help   this text (also after a command: pulumi-nats-auth import-nsc --help)

${IMPORT_USAGE}

${DRIFT_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help" || rest.includes("--help")) {
    console.log(HELP);
    return 0;
  }
  if (command === "import-nsc") return importNsc(argv);
  if (command === "drift") return drift(rest);
  console.error(`pulumi-nats-auth: ${command ? `unknown command "${command}"` : "no command"}\n${HELP}`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`pulumi-nats-auth: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
