/**
 * What else the machine was doing while a figure was taken. Other workers share its cores, so every
 * step records the load average and how many cores the rest of the machine kept busy meanwhile
 * (all busy CPU time from /proc/stat minus this process tree's own, from /proc/self/stat).
 */
import * as fs from "node:fs";
import * as os from "node:os";

/** 1-minute load average. */
export function loadAvg(): number {
  return Number(fs.readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
}

const TICK = 100; // USER_HZ: clock ticks per second on Linux

/** The machine's clock ticks: user nice system idle iowait irq softirq steal ... */
function machineTicks(): number[] {
  return fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
}

/** Busy clock ticks of the whole machine: everything but idle and iowait. */
function machineBusy(): number {
  const cpu = machineTicks();
  return cpu.reduce((a, b) => a + b, 0) - cpu[3] - (cpu[4] ?? 0);
}

/** Ticks the hypervisor gave to other guests while this one wanted to run ("steal"). */
function machineSteal(): number {
  return machineTicks()[7] ?? 0;
}

/** Clock ticks used by this process and every child it has waited for (and theirs). */
function ownBusy(): number {
  const stat = fs.readFileSync("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields after the command: state(3) ... utime(14) stime(15) cutime(16) cstime(17), 1-based overall.
  return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
}

/** The machine's state over one step. */
export interface LoadSample {
  /** Load average when the step started and when it ended. */
  loadBefore: number;
  loadAfter: number;
  /** Cores this process tree kept busy on average. */
  ownCores: number;
  /** Cores everything else on the machine kept busy on average. */
  otherCores: number;
  /** Cores taken by the hypervisor for other guests on average (steal): a slower machine, unseen by load. */
  stealCores: number;
}

/** Starts watching; the returned function ends the sample. */
export function watchLoad(): () => LoadSample {
  const start = {
    t: process.hrtime.bigint(),
    load: loadAvg(),
    busy: machineBusy(),
    own: ownBusy(),
    steal: machineSteal(),
  };
  return () => {
    const secs = Number(process.hrtime.bigint() - start.t) / 1e9;
    const own = (ownBusy() - start.own) / TICK;
    const all = (machineBusy() - start.busy) / TICK;
    return {
      loadBefore: start.load,
      loadAfter: loadAvg(),
      ownCores: own / secs,
      otherCores: Math.max(0, all - own) / secs,
      stealCores: (machineSteal() - start.steal) / TICK / secs,
    };
  };
}

/** Short text for a sample, flagged when other work kept more than half a core busy. */
export function loadText(s: LoadSample): string {
  const flag = s.otherCores > 0.5 ? " LOADED" : "";
  return `load ${s.loadBefore.toFixed(2)}→${s.loadAfter.toFixed(2)}, others ${s.otherCores.toFixed(2)} cores, steal ${s.stealCores.toFixed(2)}${flag}`;
}

/** One line describing the machine. */
export function machineText(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}`;
}

/**
 * NODE_OPTIONS for the CLI steps from BENCH_NODE_OPTIONS. With `--cpu-prof`, every Node process
 * (the dynamic provider's too, which the engine ends with a signal) also preloads exitOnSignal.js,
 * so each writes its profile.
 */
export function benchNodeOptions(): { NODE_OPTIONS: string } | Record<string, never> {
  const given = process.env.BENCH_NODE_OPTIONS;
  if (!given) return {};
  const preload = /--cpu-prof\b/.test(given)
    ? ` --require ${JSON.stringify(`${__dirname}/exitOnSignal.js`)}`
    : "";
  return { NODE_OPTIONS: `${given}${preload}` };
}
