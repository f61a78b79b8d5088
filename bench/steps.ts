/**
 * The CLI steps, timed side by side in one run: the package's program and the floor (the same graph
 * of trivial dynamic resources) take each step one after the other, so both see the same machine.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { loadText } from "./machine";
import { BenchProject, type Run } from "./project";
import { type BenchSize, resourceCount } from "./size";

/** One step's figures for both programs. */
export interface StepResult {
  step: string;
  command: string;
  /** The median run of each (the only run of a step that is not repeated). */
  nats: Run;
  floor: Run;
  /** Every run's seconds, in the order they ran. */
  times: { nats: number[]; floor: number[] };
}

export interface CliResults {
  steps: StepResult[];
  /** `pulumi stack export` bytes per resource. */
  bytes: { nats: number; floor: number; natsResources: number; floorResources: number };
}

const CHANGED = { BENCH_CHANGE: "1" };

/**
 * `repeat`: the step changes nothing, so it runs BENCH_REPEAT times (default 3), floor and package
 * taking turns, and the median of each is compared: one run of a 10–30 s step moves by a third when
 * the machine's neighbours do. `alternate`: the one-change `up` is repeated BENCH_REPEAT_UP times the
 * same way, setting and clearing the change by turns (an odd count, so the state ends changed).
 */
const STEPS: {
  step: string;
  args: string[];
  env?: Record<string, string>;
  repeat?: boolean;
  /** Repeated with the change and without it by turns (every run changes one account; the last has it). */
  alternate?: boolean;
}[] = [
  { step: "pulumi up from empty", args: ["up", "--yes", "--skip-preview"] },
  { step: "no-op pulumi preview", args: ["preview"], repeat: true },
  { step: "one account limit changed: preview", args: ["preview"], env: CHANGED, repeat: true },
  {
    step: "one account limit changed: up",
    args: ["up", "--yes", "--skip-preview"],
    env: CHANGED,
    alternate: true,
  },
  {
    step: "pulumi refresh (no resolver)",
    args: ["refresh", "--yes", "--skip-preview"],
    env: CHANGED,
    repeat: true,
  },
];

const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
/** Runs of the one-change `up` (odd; default 1 keeps `npm run bench` under 20 minutes at 100 × 10). */
const UP_REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT_UP ?? 1)) | 1;

/**
 * BENCH_ENGINE_PROFILE=<dir>: the CLI's own `--profiling` flag, so the engine (Go) writes a CPU profile
 * per run, `<dir>/<program>-<step>-<run>.<pid>.cpu` (read it with `go tool pprof -top`).
 */
function profiling(program: string, step: string, run: number): string[] {
  const dir = process.env.BENCH_ENGINE_PROFILE;
  if (!dir) return [];
  fs.mkdirSync(dir, { recursive: true });
  const slug = step.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "");
  return ["--profiling", path.join(path.resolve(dir), `${program}-${slug}-${run}`)];
}

/** The run with the median time (the lower middle one for an even count). */
function median(runs: Run[]): Run {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export function ratio(a: number, b: number): string {
  return b > 0 ? `${(a / b).toFixed(2)}×` : "n/a";
}

const mib = (kb: number) => `${(kb / 1024).toFixed(0)} MiB`;

function printStep(r: StepResult): void {
  const w = process.stdout;
  w.write(`\n## ${r.step}   (${r.command})\n`);
  for (const [who, run] of [
    ["nats ", r.nats],
    ["floor", r.floor],
  ] as const) {
    w.write(
      `  ${who} ${(run.ms / 1000).toFixed(1).padStart(7)} s  provider peak RSS ${mib(run.providerRssKb).padStart(8)}  ` +
        `[${run.summary}]  ${loadText(run.load)}\n` +
        `        cpu s: ${Object.entries(run.cpuMs)
          .filter(([, ms]) => ms > 0)
          .map(([role, ms]) => `${role} ${(ms / 1000).toFixed(1)}`)
          .join(", ")}\n`,
    );
  }
  if (r.times.nats.length > 1) {
    const secs = (xs: number[]) => xs.map((ms) => (ms / 1000).toFixed(1)).join(", ");
    w.write(`  runs (s): nats ${secs(r.times.nats)}; floor ${secs(r.times.floor)}; medians above\n`);
  }
  w.write(`  ratio ${ratio(r.nats.ms, r.floor.ms)}\n`);
}

/** Runs every step on both programs; `env` is passed to every command (e.g. NODE_OPTIONS for a profile). */
export async function runCliSteps(size: BenchSize, env: Record<string, string> = {}): Promise<CliResults> {
  const sizeEnv = { BENCH_ACCOUNTS: String(size.accounts), BENCH_USERS: String(size.users), ...env };
  process.stdout.write(
    `\n# CLI steps: ${size.accounts} accounts × ${size.users} users = ${resourceCount(size)} resources per program\n`,
  );
  const nats = await BenchProject.create("nats");
  const floor = await BenchProject.create("floor");
  try {
    const steps: StepResult[] = [];
    for (const s of STEPS) {
      const stepEnv = { ...sizeEnv, ...s.env };
      const floorRuns: Run[] = [];
      const natsRuns: Run[] = [];
      const runs = s.alternate ? UP_REPEAT : s.repeat ? REPEAT : 1;
      for (let i = 0; i < runs; i++) {
        const env = s.alternate && i % 2 === 1 ? sizeEnv : stepEnv;
        floorRuns.push(await floor.run([...s.args, ...profiling("floor", s.step, i)], env));
        natsRuns.push(await nats.run([...s.args, ...profiling("nats", s.step, i)], env));
      }
      const r: StepResult = {
        step: s.step,
        command: `pulumi ${s.args.join(" ")}${s.env ? " (BENCH_CHANGE=1)" : ""}`,
        nats: median(natsRuns),
        floor: median(floorRuns),
        times: { nats: natsRuns.map((x) => x.ms), floor: floorRuns.map((x) => x.ms) },
      };
      printStep(r);
      steps.push(r);
    }
    const sizeOf = async (p: BenchProject) => {
      const text = await p.exportText();
      const resources =
        (JSON.parse(text) as { deployment: { resources?: unknown[] } }).deployment.resources?.length ?? 0;
      return { bytes: Buffer.byteLength(text), resources };
    };
    const ns = await sizeOf(nats);
    const fl = await sizeOf(floor);
    const bytes = {
      nats: ns.bytes / ns.resources,
      floor: fl.bytes / fl.resources,
      natsResources: ns.resources,
      floorResources: fl.resources,
    };
    process.stdout.write(
      `\n## pulumi stack export, bytes per resource\n  nats  ${bytes.nats.toFixed(0)} (${ns.bytes} B / ${ns.resources})\n` +
        `  floor ${bytes.floor.toFixed(0)} (${fl.bytes} B / ${fl.resources})\n  ratio ${ratio(bytes.nats, bytes.floor)}\n`,
    );
    return { steps, bytes };
  } finally {
    if (process.env.BENCH_KEEP !== "1") {
      nats.dispose();
      floor.dispose();
    } else process.stdout.write(`kept: ${nats.tmp} ${floor.tmp}\n`);
  }
}
