/**
 * The serverConfigFile handler as the engine loads it (`pulumi-nats-auth/provider/serverConfigFile`, package.json exports):
 * the same handler, its check failures in a form the engine prints cleanly (kit/failures.ts).
 */

import { withEngineFailures } from "../kit/failures";
import { handler as named } from "../serverConfigFile";

export * from "../serverConfigFile";
export const handler = withEngineFailures(named);
