/** Dynamic provider of `SigningKey`: an operator or account signing key pair, optionally scoped. */
import { normalize } from "./claims";
import type { Handler } from "./dynamic";
import { checked, decideDiff, ownKey, type Props, seedReplaced } from "./resource";
import type { ScopedSigningKey, SigningKeyRef, UserTemplate } from "./types";
import { Checker, containsUnknown } from "./validate";

const OWNERS = ["operator", "account"] as const;
type Owner = (typeof OWNERS)[number];

interface Scope {
  role: string;
  template?: UserTemplate;
  description?: string;
}

/** What an account lists for this key: the public key, or the scope around it. */
function refOf(publicKey: string, scope: Scope | undefined): SigningKeyRef {
  if (!scope) return publicKey;
  const ref: ScopedSigningKey = { key: publicKey, role: scope.role, template: scope.template ?? {} };
  if (scope.description !== undefined) ref.description = scope.description;
  return ref;
}

export const handler: Handler = {
  async check(_olds, news) {
    const c = new Checker();
    if (!containsUnknown(news.owner)) {
      if (!OWNERS.includes(news.owner as Owner)) c.fail("owner", 'must be "operator" or "account"');
      else c.seed("identity", news.seed, [news.owner as Owner], "seed");
    }
    const scope = news.scope as Scope | undefined;
    if (scope) {
      if (news.owner === "operator") c.fail("scope", "only account signing keys can be scoped");
      if (typeof scope.role !== "string" || !scope.role)
        c.fail("scope.role", "a scoped signing key needs a role");
      c.userTemplate("scope.template", scope.template ?? {});
    }
    return checked(news, c.failures);
  },
  async diff(_id, olds, news) {
    return decideDiff(olds, news, {
      replaceWhen: (o, n) => (o.owner !== n.owner ? ["owner"] : seedReplaced(o, n)),
      changed: (o, n) => JSON.stringify(normalize(o.scope)) !== JSON.stringify(normalize(n.scope)),
    });
  },
  async create(inputs: Props) {
    const kp = ownKey("SigningKey", inputs.owner as Owner, inputs.seed);
    const publicKey = kp.getPublicKey();
    const outs = {
      ...inputs,
      publicKey,
      seed: kp.seed(),
      ref: refOf(publicKey, inputs.scope as Scope | undefined),
    };
    kp.clear();
    return { id: publicKey, outs };
  },
  async update(_id, olds, news) {
    const publicKey = String(olds.publicKey);
    return {
      outs: { ...news, publicKey, seed: olds.seed, ref: refOf(publicKey, news.scope as Scope | undefined) },
    };
  },
};
