/**
 * Lines for the person watching `pulumi up`: progress of a wait that can last long (a push waiting
 * for servers that are starting). Through the engine's log (`pulumi.log.info`), which both hosts of
 * the handlers (the dynamic provider and the native plugin) connect to the engine; loaded lazily so
 * the handlers do not carry @pulumi/pulumi in what is serialized into state.
 */
export function engineLog(line: string): void {
  try {
    // The log module only: the package index drags @pulumi/pulumi's automation API and npm's
    // arborist into the plugin bundle (2.3× its size).
    const log = require("@pulumi/pulumi/log") as typeof import("@pulumi/pulumi/log");
    void Promise.resolve(log.info(line)).catch(() => undefined);
  } catch {
    process.stderr.write(`${line}\n`);
  }
}
