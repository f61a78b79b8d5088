/**
 * Lines for the person watching `pulumi up`: progress of a wait that can last long (a push waiting
 * for servers that are starting). Through the engine's log (`pulumi.log.info`), which both hosts of
 * the handlers (the dynamic provider and the native plugin) connect to the engine; loaded lazily so
 * the handlers do not carry @pulumi/pulumi in what is serialized into state.
 */
export function engineLog(line: string): void {
  try {
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    void Promise.resolve(pulumi.log.info(line)).catch(() => undefined);
  } catch {
    process.stderr.write(`${line}\n`);
  }
}
