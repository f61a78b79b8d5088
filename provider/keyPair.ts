/** Dynamic provider of `KeyPair`: an nkey identity (operator, account or user) kept in state. */
import type { Handler } from "./dynamic";
import { checked, decideDiff, ownKey, type Props, seedReplaced } from "./resource";
import { Checker, containsUnknown } from "./validate";

const KINDS = ["operator", "account", "user"] as const;
type Kind = (typeof KINDS)[number];

export const handler: Handler = {
  async check(_olds, news) {
    const c = new Checker();
    if (containsUnknown(news.kind)) return checked(news, c.failures);
    if (!KINDS.includes(news.kind as Kind)) c.fail("kind", `must be one of ${KINDS.join(", ")}`);
    else c.seed("identity", news.seed, [news.kind as Kind], "seed");
    return checked(news, c.failures);
  },
  async diff(_id, olds, news) {
    return decideDiff(olds, news, {
      replaceWhen: (o, n) => (o.kind !== n.kind ? ["kind"] : seedReplaced(o, n)),
      changed: () => false,
    });
  },
  async create(inputs: Props) {
    const kp = ownKey("KeyPair", inputs.kind as Kind, inputs.seed);
    const outs = { kind: inputs.kind, publicKey: kp.getPublicKey(), seed: kp.seed() };
    kp.clear();
    return { id: outs.publicKey, outs };
  },
};
