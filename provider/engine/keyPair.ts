/**
 * The keyPair handler as the engine loads it (`pulumi-nats-auth/provider/keyPair`, package.json exports):
 * the same handler, its check failures in a form the engine prints cleanly (kit/failures.ts).
 */
import { handler as named } from "../keyPair";
import { withEngineFailures } from "../kit/failures";

export * from "../keyPair";
export const handler = withEngineFailures(named);
