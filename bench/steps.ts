/**
 * The CLI steps, timed side by side in one run: the floor (the bench graph of trivial dynamic
 * resources) and the package's programs of the same graph picked by BENCH_LANGS (the TS program on
 * dynamic resources, YAML and Go on the native plugin) take each step one after the other, so all
 * see the same machine.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { loadText } from "./machine";
import { benchLangs, createNative, type Lang } from "./native";
import { BenchProject, type Run } from "./project";
import { type BenchSize, resourceCount } from "./size";

/** What a step is run on: the floor, or one of the package's programs. */
export type Program = "floor" | Lang;

/** One step's figures for every program. */
export interface StepResult {
  step: string;
  command: string;
  /** The median run of each program (the only run of a step that is not repeated). */
  runs: Partial<Record<Program, Run>>;
  /** Every run's ms per program, in the order they ran. */
  times: Partial<Record<Program, number[]>>;
}

/** `pulumi stack export` of one program after the steps. */
export interface ExportSize {
  bytes: number;
  resources: number;
  perResource: number;
}

export interface CliResults {
  /** The programs run, the floor first. */
  programs: Program[];
  steps: StepResult[];
  bytes: Partial<Record<Program, ExportSize>>;
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

export const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
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
export function median(runs: Run[]): Run {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export function ratio(a: number, b: number): string {
  return b > 0 ? `${(a / b).toFixed(2)}×` : "n/a";
}

const mib = (kb: number) => `${(kb / 1024).toFixed(0)} MiB`;

function printStep(r: StepResult, programs: Program[]): void {
  const w = process.stdout;
  w.write(`\n## ${r.step}   (${r.command})\n`);
  const floor = r.runs.floor;
  for (const who of programs) {
    const run = r.runs[who];
    if (!run) continue;
    w.write(
      `  ${who.padEnd(5)} ${(run.ms / 1000).toFixed(1).padStart(7)} s  provider peak RSS ${mib(run.providerRssKb).padStart(8)}  ` +
        `${who === "floor" || !floor ? "" : `ratio ${ratio(run.ms, floor.ms)}  `}[${run.summary}]  ${loadText(run.load)}\n` +
        `        cpu s: ${Object.entries(run.cpuMs)
          .filter(([, ms]) => ms > 0)
          .map(([role, ms]) => `${role} ${(ms / 1000).toFixed(1)}`)
          .join(", ")}\n`,
    );
  }
  if ((r.times.floor?.length ?? 0) > 1) {
    const secs = (xs: number[] = []) => xs.map((ms) => (ms / 1000).toFixed(1)).join(", ");
    w.write(`  runs (s): ${programs.map((p) => `${p} ${secs(r.times[p])}`).join("; ")}; medians above\n`);
  }
}

/** The project of one program at `size`. */
function createProgram(p: Program, size: BenchSize): Promise<BenchProject> {
  if (p === "floor") return BenchProject.create("floor");
  if (p === "ts") return BenchProject.create("nats");
  return createNative(p, size);
}

/**
 * Runs every step on the floor and the programs BENCH_LANGS picks; `env` is passed to every command
 * (e.g. NODE_OPTIONS for a profile).
 */
export async function runCliSteps(size: BenchSize, env: Record<string, string> = {}): Promise<CliResults> {
  const sizeEnv = { BENCH_ACCOUNTS: String(size.accounts), BENCH_USERS: String(size.users), ...env };
  const programs: Program[] = ["floor", ...benchLangs()];
  process.stdout.write(
    `\n# CLI steps: ${size.accounts} accounts × ${size.users} users = ${resourceCount(size)} resources per program; ` +
      `${programs.join(", ")} (ts: dynamic resources; yaml, go: the native plugin; ratios to the floor)\n`,
  );
  const projects = new Map<Program, BenchProject>();
  try {
    for (const p of programs) projects.set(p, await createProgram(p, size));
    const steps: StepResult[] = [];
    for (const s of STEPS) {
      const stepEnv = { ...sizeEnv, ...s.env };
      const all: Partial<Record<Program, Run[]>> = {};
      const runs = s.alternate ? UP_REPEAT : s.repeat ? REPEAT : 1;
      for (let i = 0; i < runs; i++) {
        const env = s.alternate && i % 2 === 1 ? sizeEnv : stepEnv;
        for (const [p, project] of projects) {
          const label = p === "ts" ? "nats" : p;
          const run = await project.step([...s.args, ...profiling(label, s.step, i)], env);
          all[p] = [...(all[p] ?? []), run];
        }
      }
      const r: StepResult = {
        step: s.step,
        command: `pulumi ${s.args.join(" ")}${s.env ? " (BENCH_CHANGE=1)" : ""}`,
        runs: Object.fromEntries(programs.map((p) => [p, median(all[p] ?? [])])),
        times: Object.fromEntries(programs.map((p) => [p, (all[p] ?? []).map((x) => x.ms)])),
      };
      printStep(r, programs);
      steps.push(r);
    }
    const bytes: Partial<Record<Program, ExportSize>> = {};
    process.stdout.write("\n## pulumi stack export, bytes per resource\n");
    for (const [p, project] of projects) {
      const text = await project.exportText();
      const resources =
        (JSON.parse(text) as { deployment: { resources?: unknown[] } }).deployment.resources?.length ?? 0;
      const size = Buffer.byteLength(text);
      bytes[p] = { bytes: size, resources, perResource: size / resources };
      const floor = bytes.floor;
      process.stdout.write(
        `  ${p.padEnd(5)} ${(size / resources).toFixed(0)} (${size} B / ${resources})` +
          `${p === "floor" || !floor ? "" : `  ratio ${ratio(size / resources, floor.perResource)}`}\n`,
      );
    }
    return { programs, steps, bytes };
  } finally {
    if (process.env.BENCH_KEEP !== "1") for (const project of projects.values()) project.dispose();
    else process.stdout.write(`kept: ${[...projects.values()].map((p) => p.tmp).join(" ")}\n`);
  }
}
