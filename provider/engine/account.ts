/**
 * The account handler as the engine loads it (`pulumi-nats-auth/provider/account`, package.json exports):
 * the same handler, its check failures in a form the engine prints cleanly (kit/failures.ts).
 */
import { handler as named } from "../account";
import { withEngineFailures } from "../kit/failures";

export * from "../account";
export const handler = withEngineFailures(named);
