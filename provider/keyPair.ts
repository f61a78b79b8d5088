/** Dynamic provider of `KeyPair`: an nkey identity (operator, account or user) kept in state. */
import { publicKeyOf } from "../core/nkeys";
import type { KeyPairProps, KeyPairState } from "./contracts";
import type { Handler } from "./kit/handler";
import { checkResult, decideDiff, ownKey, seedReplaced } from "./kit/resource";
import { containsUnknown, previewChecker, UNKNOWN } from "./kit/unknown";

const KINDS = ["operator", "account", "user", "curve"] as const;

export const handler: Handler<KeyPairProps, KeyPairState> = {
  async check(_olds, news) {
    const c = previewChecker();
    if (containsUnknown(news.kind)) return checkResult(news, c.failures);
    if (!KINDS.includes(news.kind)) c.fail("kind", `must be one of ${KINDS.join(", ")}`);
    else c.seed("identity", news.seed, [news.kind], "seed");
    return checkResult(news, c.failures);
  },
  async diff(_id, olds, news) {
    return decideDiff(olds, news, {
      replaceWhen: (o, n) => (o.kind !== n.kind ? ["kind"] : seedReplaced(o, n)),
      changed: () => false,
    });
  },
  async create(inputs) {
    const kp = ownKey("KeyPair", inputs.kind, inputs.seed);
    const outs: KeyPairState = { kind: inputs.kind, publicKey: kp.getPublicKey(), seed: kp.seed() };
    kp.clear();
    return { id: outs.publicKey, outs };
  },
  // Never updated (any change replaces it); created, its key is known when its seed is given.
  preview(news) {
    const known =
      typeof news.seed === "string" && news.seed !== "" && !containsUnknown([news.kind, news.seed]);
    if (!known) return { kind: news.kind, publicKey: UNKNOWN, seed: UNKNOWN };
    try {
      return { kind: news.kind, publicKey: publicKeyOf(news.seed!), seed: news.seed };
    } catch {
      return { kind: news.kind, publicKey: UNKNOWN, seed: UNKNOWN };
    }
  },
};
