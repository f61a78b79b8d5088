/**
 * The credsFile handler as the engine loads it (`pulumi-nats-auth/provider/credsFile`, package.json exports):
 * the same handler, its check failures in a form the engine prints cleanly (kit/failures.ts).
 */
import { handler as named } from "../credsFile";
import { withEngineFailures } from "../kit/failures";

export * from "../credsFile";
export const handler = withEngineFailures(named);
