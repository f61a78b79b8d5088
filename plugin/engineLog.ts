/**
 * Messages from the plugin to the engine (`pulumi preview` prints them under the resource): what a
 * handler's `check` says without refusing (an account JWT near the servers' limit). The engine's
 * address is the plugin's first argument, as `@pulumi/pulumi/provider`'s `main()` reads it.
 */
import * as grpc from "@grpc/grpc-js";
import { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { LogRequest, LogSeverity } from "@pulumi/pulumi/proto/engine_pb";

/** Logs one message on a resource. */
export type EngineLog = (severity: "info" | "warning", urn: string, message: string) => Promise<void>;

/** The engine's address among the plugin's arguments (flags the engine adds are skipped). */
export function engineAddress(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--tracing") i++;
    else if (!a.startsWith("-")) return a;
  }
  return undefined;
}

/** A logger to the engine at `address`; without one (tests calling the provider directly) nothing is sent. */
export function engineLog(address: string | undefined): EngineLog {
  let client: EngineClient | undefined;
  return (severity, urn, message) => {
    if (!address) return Promise.resolve();
    client ??= new EngineClient(address, grpc.credentials.createInsecure());
    const req = new LogRequest();
    req.setSeverity(severity === "warning" ? LogSeverity.WARNING : LogSeverity.INFO);
    req.setMessage(message);
    req.setUrn(urn);
    return new Promise((resolve) => {
      // A message the engine did not take must not fail the check it comes from.
      client!.log(req, () => resolve());
    });
  };
}
