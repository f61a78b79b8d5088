/**
 * `pulumi-nats-auth drift`: the unattended drift check (see docs/resolver.md, "Watching for drift"). Runs
 * `pulumi refresh` on a project's stack through the Automation API, reads the Account `drift`
 * outputs the refresh recorded, and prints core/driftReport's report; exit 0 agree, 1 drift, 2 could
 * not ask. `--repair` runs `up --target` on the drifted accounts and checks again.
 *
 * Why a real refresh and not `refresh --preview-only`: the drift is what the provider's read
 * recorded, and a refresh only writes the stack's state (never the servers). The state it leaves
 * (the account marked not pushed) is what makes the next `up`, targeted or not, push the program's
 * JWT again; after a preview-only refresh, `up` would see nothing to do and `--repair` would repair
 * nothing. Reading the state also needs no parsing of the engine's event stream.
 */
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { type DriftAccountInput, driftReport, formatDriftReport } from "../core/driftReport";
import { describe, NatsAuthError } from "../core/errors";

export const DRIFT_USAGE = `usage: pulumi-nats-auth drift --stack <stack> [--dir <project dir>] [--json] [--repair]

  --stack   the stack to check (the backend and secrets provider come from the environment, as for
            the pulumi CLI: PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, PULUMI_ACCESS_TOKEN)
  --dir     the Pulumi project dir (holds Pulumi.yaml); default: the current dir
  --json    print the report as JSON (for alerting)
  --repair  on drift, run \`pulumi up --target\` on the drifted accounts, then check again

Runs \`pulumi refresh\` on the stack (it writes the stack's state, never the servers).
Exit codes: 0 the servers hold the program's JWTs, 1 drift, 2 could not check (a server down,
credentials refused, the stack not found).`;

/**
 * The type tokens of the resources the report reads, under both providers: the dynamic provider
 * (TypeScript programs) and the native plugin (YAML, Go, Python).
 */
function tokens(kind: string): Set<string> {
  return new Set([`nats-auth:index:${kind}`, `pulumi-nodejs:dynamic/nats-auth:${kind}`]);
}
const ACCOUNT = tokens("Account");
const USER = tokens("User");

interface Options {
  stack: string;
  dir: string;
  json: boolean;
  repair: boolean;
}

class DriftUsageError extends NatsAuthError {
  constructor(message: string) {
    super(`${message}\n${DRIFT_USAGE}`);
    this.name = "UsageError";
  }
}

function parse(argv: string[]): Options {
  const o: Partial<Options> = { json: false, repair: false, dir: process.cwd() };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--json") o.json = true;
    else if (flag === "--repair") o.repair = true;
    else if (flag === "--stack" || flag === "--dir") {
      const value = argv[++i];
      if (value === undefined || value.startsWith("--")) throw new DriftUsageError(`${flag} needs a value`);
      if (flag === "--stack") o.stack = value;
      else o.dir = path.resolve(value);
    } else throw new DriftUsageError(`unknown option "${flag}"`);
  }
  if (!o.stack) throw new DriftUsageError("--stack is required");
  return o as Options;
}

interface StateResource {
  urn: string;
  type: string;
  outputs?: Record<string, unknown>;
}

/** The accounts of the stack's state and the user names it knows (for revoked keys). */
export function accountsOf(resources: StateResource[]): {
  accounts: DriftAccountInput[];
  names: Map<string, string>;
} {
  const names = new Map<string, string>();
  const accounts: DriftAccountInput[] = [];
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  for (const r of resources) {
    const out = r.outputs ?? {};
    if (USER.has(r.type)) {
      const key = str(out.publicKey);
      const name = str(out.name) ?? r.urn.split("::").pop();
      if (key && name) names.set(key, name);
    }
    if (!ACCOUNT.has(r.type)) continue;
    const removed = out.removedUsers;
    if (removed && typeof removed === "object") {
      for (const [key, entry] of Object.entries(removed as Record<string, { name?: unknown }>)) {
        const name = str(entry?.name);
        if (name && !names.has(key)) names.set(key, `${name}, removed from the program`);
      }
    }
    const drift =
      out.drift && typeof out.drift === "object" ? (out.drift as Record<string, string>) : undefined;
    accounts.push({
      name: r.urn.split("::").pop() ?? r.urn,
      urn: r.urn,
      ...(str(out.publicKey) ? { publicKey: str(out.publicKey) } : {}),
      ...(drift ? { drift } : {}),
    });
  }
  return { accounts, names };
}

/** The pulumi CLI's own error lines out of an Automation API error (its stderr), else the message. */
function cliError(e: unknown): string {
  const text = describe(e);
  const lines = text.split("\n").filter((l) => /error:/i.test(l));
  return (lines.length ? lines.map((l) => l.trim()).join("; ") : text.split("\n")[0]).slice(0, 2000);
}

/** Refreshes, then reports; throws a `CouldNotAsk` when the refresh itself failed. */
async function check(stack: Stack): Promise<ReturnType<typeof driftReport>> {
  try {
    await stack.refresh({});
  } catch (e) {
    throw new CouldNotAsk(`pulumi refresh failed: ${cliError(e)}`);
  }
  const { deployment } = await stack.exportStack();
  const { accounts, names } = accountsOf((deployment?.resources ?? []) as StateResource[]);
  return driftReport(accounts, names);
}

class CouldNotAsk extends Error {}

/** `drift <options>` (argv without the subcommand); returns the exit code. */
export async function drift(argv: string[]): Promise<number> {
  let o: Options;
  try {
    o = parse(argv);
  } catch (e) {
    console.error(`drift: ${describe(e)}`);
    return 2;
  }
  const print = (report: ReturnType<typeof driftReport>, phase?: string) => {
    if (o.json)
      console.log(JSON.stringify({ stack: o.stack, ...(phase ? { phase } : {}), ...report }, null, 2));
    else console.log(formatDriftReport(report, o.stack));
  };
  try {
    // Loaded on use: import-nsc runs without @pulumi/pulumi (a peer dependency) being loaded.
    const { LocalWorkspace } =
      require("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
    let stack: Stack;
    try {
      stack = await LocalWorkspace.selectStack({ stackName: o.stack, workDir: o.dir });
    } catch (e) {
      throw new CouldNotAsk(`stack "${o.stack}" in ${o.dir} could not be selected: ${cliError(e)}`);
    }
    const report = await check(stack);
    print(report, o.repair ? "before repair" : undefined);
    if (!o.repair || report.status !== "drift") return report.exitCode;
    const targets = report.accounts.map((a) => a.urn);
    if (!o.json) console.log(`repairing: pulumi up --target ${targets.join(" --target ")}`);
    try {
      await stack.up({ target: targets });
    } catch (e) {
      throw new CouldNotAsk(`pulumi up (repair) failed: ${cliError(e)}`);
    }
    const after = await check(stack);
    print(after, "after repair");
    return after.exitCode;
  } catch (e) {
    const message = e instanceof CouldNotAsk ? e.message : describe(e);
    if (o.json)
      console.log(JSON.stringify({ stack: o.stack, status: "unverified", exitCode: 2, error: message }));
    else console.error(`drift: COULD NOT CHECK stack ${o.stack}: ${message}`);
    return 2;
  }
}
