/**
 * Entry of the `pulumi-resource-nats-auth` plugin: the engine starts it and talks gRPC to it. Bundled
 * into one file with its dependencies (scripts/plugin.ts); Node must be on PATH.
 */
import { nativeProvider } from "./provider";
import { engineWarnings, serve } from "./serve";

/** Set by the bundler to the package version. */
declare const __PLUGIN_VERSION__: string | undefined;
const version = typeof __PLUGIN_VERSION__ === "string" ? __PLUGIN_VERSION__ : "0.0.0-dev";

const args = process.argv.slice(2);
serve(nativeProvider(version, engineWarnings(args)), args).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
