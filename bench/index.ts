/**
 * `npm run bench`: the benchmark suite. Prints figures and asserts nothing (speed is not a test).
 *
 *   BENCH_ACCOUNTS (100) × BENCH_USERS (10)   size of the programs of the CLI steps
 *   BENCH_PUSH_ACCOUNTS (200)                 accounts pushed to the 3-server cluster
 *   BENCH_LOOKUPS (100)                       accounts looked up (refresh with a resolver)
 *   BENCH_PUSH_REPEAT (3)                     runs of each way of pushing, each on fresh servers (median compared)
 *   BENCH_PUSH_NSC=false                      leave `nsc push -A` out of the push part (~2 minutes)
 *   BENCH_LARGE_USERS (1000), BENCH_LARGE_REVOCATIONS (10000)  the large account, with and without revocations
 *   BENCH_ONLY=cli,large,push,micro           run only these parts
 *   BENCH_LANGS (ts)                          the programs of the CLI steps beside the floor: ts (the TS
 *                                             program, dynamic resources), yaml and go (native plugin;
 *                                             BENCH_LANGS=ts,yaml,go adds both, ~6 min each at 100 × 10)
 *   BENCH_NODE_OPTIONS                        passed as NODE_OPTIONS to the CLI steps (e.g. --cpu-prof:
 *                                             every Node process then also exits normally on a signal,
 *                                             so the dynamic provider writes its profile too)
 *   BENCH_ENGINE_PROFILE=<dir>                the engine's CPU profile per CLI run (pulumi --profiling)
 *   BENCH_TYPESCRIPT=false                    both programs run without ts-node (Pulumi.yaml runtime option)
 *   BENCH_KEEP=1                              keep the stacks' temp backends
 *   BENCH_REPEAT (3)                          runs of each step that changes nothing (median compared)
 *   BENCH_REPEAT_UP (1)                       runs of the one-change up, setting and clearing it by turns
 *
 * Every step is printed with the load the machine was under while it ran (others share the cores).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, toolPath } from "../test/harness/paths";
import { type LargeResults, runLarge } from "./large";
import { benchNodeOptions, loadAvg, loadText, machineText } from "./machine";
import { runMicro } from "./micro";
import { type PushResults, runPush, wallOverServers } from "./push";
import { benchSize } from "./size";
import { type CliResults, type Program, ratio, runCliSteps } from "./steps";

function version(tool: string, args: string[]): string {
  try {
    return execFileSync(toolPath(tool), args, { encoding: "utf8", stdio: "pipe" }).trim().split("\n")[0];
  } catch (e) {
    return `unknown (${(e as Error).message.split("\n")[0]})`;
  }
}

function count(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function summary(cli: CliResults | undefined, push: PushResults | undefined): void {
  const w = process.stdout;
  w.write(
    "\n# Summary (ratio = program / floor; goals from issue 26, for the TS program; refresh and bytes from issue 14)\n\n",
  );
  if (cli) {
    const langs = cli.programs.filter((p) => p !== "floor");
    w.write(
      `| step | floor | ${langs.map((p) => `${p} | ${p} ratio`).join(" | ")} | goal | machine load (floor step) |\n` +
        `|---|---|${langs.map(() => "---|---|").join("")}---|---|\n`,
    );
    // up, no-op preview, one-change preview, one-change up (issue 26), refresh (issue 14).
    const goals = ["≤ 1.2×", "≤ 1.15×", "≤ 1.15×", "≤ 1.15×", "≤ 1.3×"];
    const row = (name: string, floor: number, of: (p: Program) => number, unit: (x: number) => string) =>
      `| ${name} | ${unit(floor)} | ${langs.map((p) => `${unit(of(p))} | ${ratio(of(p), floor)}`).join(" | ")}`;
    const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    cli.steps.forEach((s, i) => {
      const ms = (p: Program) => s.runs[p]?.ms ?? 0;
      w.write(
        `${row(s.step, ms("floor"), ms, secs)} | ${goals[i]} | ${s.runs.floor ? loadText(s.runs.floor.load) : ""} |\n`,
      );
    });
    const perResource = (p: Program) => cli.bytes[p]?.perResource ?? 0;
    w.write(
      `${row("stack export bytes per resource", perResource("floor"), perResource, (x) => x.toFixed(0))} | ≤ 1.5× | |\n`,
    );
    const peak = (p: Program) => Math.max(...cli.steps.map((s) => s.runs[p]?.providerRssKb ?? 0)) / 1024;
    w.write(`${row("provider peak RSS", peak("floor"), peak, (x) => `${x.toFixed(0)} MiB`)} | | |\n`);
    const cpu = (p: Program) => cli.steps.reduce((sum, s) => sum + (s.runs[p]?.cpuMs.provider ?? 0), 0);
    w.write(`${row("provider CPU, all steps (medians)", cpu("floor"), cpu, secs)} | | |\n`);
  }
  if (push) {
    w.write(
      "\n| push and lookups | this package | nsc | ratio | goal | machine load |\n|---|---|---|---|---|---|\n",
    );
    const wall = (limit: number) => (push.modes.find((m) => m.limit === limit)?.ours.ms ?? Number.NaN) / 1000;
    const [seq, par, all] = [wall(1), wall(8), wall(push.accounts)];
    const nsc = push.nsc;
    const vsNsc = nsc
      ? `nsc push -A: ${(nsc.ms / 1000).toFixed(1)} s (held ${nsc.heldPerServer.join("/")}) | ${(nsc.ms / 1000 / seq).toFixed(0)}× / ${(nsc.ms / 1000 / par).toFixed(0)}× / ${(nsc.ms / 1000 / all).toFixed(0)}× faster`
      : "not run (BENCH_PUSH_NSC=false) |";
    w.write(
      `| push ${push.accounts} accounts, 3 servers confirm each | ${seq.toFixed(2)} s one after another, ${par.toFixed(2)} s 8 at a time, ${all.toFixed(2)} s all at once | ${vsNsc} | ≥ 1000× | ${loadText(push.modes[0].ours.load)} |\n`,
    );
    for (const m of push.modes) {
      w.write(
        `| push wall / servers' CPU, ${m.label}${m.up ? " (pulumi up's --parallel)" : ""}, median of ${m.runs.length} | ${(m.ours.ms / 1000).toFixed(2)} s / ${(m.ours.serversMs / 1000).toFixed(2)} CPU s = ${wallOverServers(m.ours.ms, m.ours.serversMs)} (client ${(m.ours.clientMs / 1000).toFixed(2)} CPU s); against the bare store's ${(m.bare.serversMs / 1000).toFixed(2)} CPU s: ${wallOverServers(m.ours.ms, m.bare.serversMs)} | | | ≤ 1.5× | ${loadText(m.ours.load)} |\n`,
      );
    }
    w.write(
      `| lookups of ${push.lookups.count} accounts, 3 servers | ${(push.lookups.ms / 1000).toFixed(2)} s (16 at a time ${(push.lookups.concurrentMs / 1000).toFixed(2)} s) | | | < 2 s | ${loadText(push.lookups.load)} |\n`,
    );
  }
}

function largeSummary(l: LargeResults): void {
  const w = process.stdout;
  w.write(
    `\n| large account (${l.users} users) | without revocations | with ${l.revocations} | ratio | goal | machine load |\n|---|---|---|---|---|---|\n`,
  );
  for (const s of l.steps) {
    w.write(
      `| ${s.step} | ${(s.plain.ms / 1000).toFixed(1)} s | ${(s.revoked.ms / 1000).toFixed(1)} s | ${(s.revoked.ms / s.plain.ms).toFixed(2)}× | ${/up from empty/.test(s.step) ? "" : "≤ 1.3×"} | ${loadText(s.revoked.load)} |\n`,
    );
  }
  const grown = l.bytes.revoked.total - l.bytes.plain.total;
  w.write(
    `| checkpoint growth / account JWT | | +${grown} B / ${l.jwtBytes} B | ${(grown / l.jwtBytes).toFixed(2)}× | ≤ 1.5× | |\n` +
      `| bytes per User | ${l.bytes.plain.perUser.toFixed(0)} | ${l.bytes.revoked.perUser.toFixed(0)} | ${(l.bytes.revoked.perUser / l.bytes.plain.perUser).toFixed(2)}× | 1× | |\n`,
  );
}

async function main(): Promise<void> {
  const only = new Set((process.env.BENCH_ONLY ?? "cli,large,push,micro").split(","));
  const size = benchSize();
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  const sdk = JSON.parse(
    fs.readFileSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8"),
  ) as { version: string };
  const w = process.stdout;
  w.write(`# pulumi-nats-auth ${pkg.version} benchmark, ${new Date().toISOString()}\n`);
  w.write(`machine: ${machineText()}, load ${loadAvg().toFixed(2)}\n`);
  w.write(
    `node ${process.version}, ${version("pulumi", ["version"])} (@pulumi/pulumi ${sdk.version}), ` +
      `nats-server ${version("nats-server", ["--version"])}, nsc ${version("nsc", ["--version"])}\n`,
  );
  const started = Date.now();
  const cli = only.has("cli") ? await runCliSteps(size, benchNodeOptions()) : undefined;
  const large = only.has("large")
    ? await runLarge(count("BENCH_LARGE_USERS", 1000), count("BENCH_LARGE_REVOCATIONS", 10000))
    : undefined;
  const push = only.has("push")
    ? await runPush(
        count("BENCH_PUSH_ACCOUNTS", 200),
        count("BENCH_LOOKUPS", 100),
        count("BENCH_PUSH_REPEAT", 3),
      )
    : undefined;
  if (only.has("micro")) await runMicro();
  summary(cli, push);
  if (large) largeSummary(large);
  w.write(`\ntotal ${((Date.now() - started) / 60000).toFixed(1)} min\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench failed: ${(e as Error).stack}\n`);
    process.exit(1);
  },
);
