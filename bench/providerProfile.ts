/**
 * A diagnostic for the CLI steps, loaded with
 * `BENCH_NODE_OPTIONS="--require <repo>/dist/bench/providerProfile.js"`: a CPU profile of each
 * dynamic-provider process (`@pulumi/pulumi/cmd/dynamic-provider`), written as
 * `$BENCH_PROVIDER_PROFILE_DIR/provider-<program dir>-<pid>.cpuprofile` (default /tmp/pna-provider-profiles).
 *
 * `--cpu-prof` writes its file at a normal exit only, and the engine ends its provider plugins with a
 * signal, so the provider's profile was never written (bench/RESULTS.md). This hook writes it
 * from the signal handler (and at exit). Other processes are left alone. For measuring only.
 */
import * as fs from "node:fs";
import * as inspector from "node:inspector";
import * as path from "node:path";

if (process.argv.some((a) => /dynamic-provider/.test(a))) {
  const dir = process.env.BENCH_PROVIDER_PROFILE_DIR ?? "/tmp/pna-provider-profiles";
  fs.mkdirSync(dir, { recursive: true });
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.start");
  let written = false;
  // The in-process session answers synchronously, so the file is written before the process ends.
  const write = () => {
    if (written) return;
    written = true;
    session.post("Profiler.stop", (err, r) => {
      if (err) return;
      const file = path.join(dir, `provider-${path.basename(process.cwd())}-${process.pid}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(r.profile));
    });
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      write();
      process.exit(0);
    });
  }
  process.on("exit", write);
}
