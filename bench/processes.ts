/**
 * What the processes a CLI command starts use, polled from /proc: the provider's peak resident
 * memory (the dynamic provider of a TS program, or the native `nats-auth` plugin of a YAML/Go one),
 * and CPU seconds per role (engine, language host, program, provider), which
 * says where a step's time goes without a profiler (the engine kills the provider, so `--cpu-prof`
 * never writes its profile). A process's last poll interval before it exits is not counted.
 */
import * as fs from "node:fs";

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined; // the process exited between listing and reading
  }
}

/** Parent pid of every process. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    out.set(Number(name), ppid);
  }
  return out;
}

function descendants(root: number): number[] {
  const pp = parents();
  const isUnder = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 32; p = pp.get(p) ?? 0, hops++) if (p === root) return true;
    return false;
  };
  return [...pp.keys()].filter((pid) => pid !== root && isUnder(pid));
}

/**
 * The roles CPU time is split into. "go build": the Go language host compiles the program on every
 * command (`go build`, a link when Go's build cache is warm) before it runs it; the YAML host
 * evaluates its program itself, so a YAML program's CPU is the language host's.
 */
export type Role = "engine" | "language host" | "program" | "go build" | "provider" | "other";

/** The provider processes: Node's dynamic provider, and the native plugin (Node running its bundle). */
function isProvider(cmd: string): boolean {
  return cmd.includes("dynamic-provider") || cmd.includes("pulumi-resource-nats-auth");
}

/** The role of a process under the CLI, by its command line. */
export function roleOf(cmd: string, isRoot: boolean): Role {
  if (isRoot) return "engine";
  if (isProvider(cmd)) return "provider";
  if (/pulumi-language-(nodejs|yaml|go)/.test(cmd)) return "language host";
  if (/(^|\/)go build\b/.test(cmd) || cmd.includes("/pkg/tool/")) return "go build";
  // Node's program runner; the Go host's compiled program (a temp file pulumi-go.<n>, also named
  // in the `go build -o` line above).
  if (cmd.includes("cmd/run") || /\/pulumi-go\.\d+/.test(cmd)) return "program";
  return "other";
}

/** User + system CPU of a process so far, in ms (clock ticks are 10 ms on Linux). */
function cpuMs(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

export interface ProcessFigures {
  /** Highest VmRSS seen in a provider process, KiB (0 if none was seen). */
  providerRssKb: number;
  /** CPU ms per role, summed over the processes of that role. */
  cpuMs: Record<Role, number>;
}

/** Polls the process tree under `root` (the pulumi CLI) every `everyMs` until `stop()`. */
export function watchProcesses(root: number, everyMs = 250): { stop(): ProcessFigures } {
  let peak = 0;
  const seen = new Map<number, { role: Role; ms: number }>();
  const poll = () => {
    for (const pid of [root, ...descendants(root)]) {
      const cmd = read(`/proc/${pid}/cmdline`)?.replace(/\0/g, " ");
      if (cmd === undefined) continue;
      const ms = cpuMs(pid);
      // The role by the latest command line: a forked language host becomes the program at its exec.
      // A process that exited but is not reaped yet has an empty one: it keeps the role it had.
      const role = cmd.trim() === "" ? seen.get(pid)?.role : roleOf(cmd, pid === root);
      if (ms !== undefined && role !== undefined) seen.set(pid, { role, ms });
      if (!isProvider(cmd)) continue;
      const rss = read(`/proc/${pid}/status`)?.match(/^VmRSS:\s+(\d+)/m);
      if (rss) peak = Math.max(peak, Number(rss[1]));
    }
  };
  const timer = setInterval(poll, everyMs);
  return {
    stop() {
      clearInterval(timer);
      poll();
      const cpu: Record<Role, number> = {
        engine: 0,
        "language host": 0,
        program: 0,
        "go build": 0,
        provider: 0,
        other: 0,
      };
      for (const { role, ms } of seen.values()) cpu[role] += ms;
      return { providerRssKb: peak, cpuMs: cpu };
    },
  };
}

/** CPU ms used so far by the processes under `root` whose command line contains `match`. */
export function descendantsCpuMs(root: number, match: string): number {
  let ms = 0;
  for (const pid of descendants(root)) {
    if (!read(`/proc/${pid}/cmdline`)?.includes(match)) continue;
    ms += cpuMs(pid) ?? 0;
  }
  return ms;
}
