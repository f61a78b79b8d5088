/** Peak resident memory of the dynamic-provider processes a command starts, polled from /proc. */
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
 * Polls the processes under `root` whose command line names Pulumi's dynamic provider
 * (`@pulumi/pulumi/cmd/dynamic-provider`, started by pulumi-resource-pulumi-nodejs); `stop()` returns
 * the highest VmRSS seen in one of them, in KiB (0 if none was seen).
 */
export function watchProviderRss(root: number, everyMs = 250): { stop(): number } {
  let peak = 0;
  const poll = () => {
    for (const pid of descendants(root)) {
      const cmd = read(`/proc/${pid}/cmdline`);
      if (!cmd?.includes("dynamic-provider")) continue;
      const rss = read(`/proc/${pid}/status`)?.match(/^VmRSS:\s+(\d+)/m);
      if (rss) peak = Math.max(peak, Number(rss[1]));
    }
  };
  const timer = setInterval(poll, everyMs);
  return {
    stop() {
      clearInterval(timer);
      poll();
      return peak;
    },
  };
}
