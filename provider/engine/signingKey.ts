/**
 * The signingKey handler as the engine loads it (`pulumi-nats-auth/provider/signingKey`, package.json exports):
 * the same handler, its check failures in a form the engine prints cleanly (kit/failures.ts).
 */

import { withEngineFailures } from "../kit/failures";
import { handler as named } from "../signingKey";

export * from "../signingKey";
export const handler = withEngineFailures(named);
