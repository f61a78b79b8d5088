/**
 * Preloaded into every Node process of a profiled bench step (bench/machine.ts `benchNodeOptions`):
 * Node writes a `--cpu-prof` profile only when the process exits normally, and the engine ends the
 * dynamic provider's process with a signal, so without this the provider wrote no profile. A process
 * ended this way exits at once, as it would have.
 */
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(0));
