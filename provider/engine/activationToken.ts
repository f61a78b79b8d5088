/**
 * The activationToken handler as the engine loads it (`pulumi-nats-auth/provider/activationToken`, package.json exports):
 * the same handler, its check failures in a form the engine prints cleanly (kit/failures.ts).
 */
import { handler as named } from "../activationToken";
import { withEngineFailures } from "../kit/failures";

export * from "../activationToken";
export const handler = withEngineFailures(named);
