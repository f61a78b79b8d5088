/** Dynamic provider of `SigningKey`: an operator or account signing key pair, optionally scoped. */
import type { ScopedSigningKey, SigningKeyRef } from "../core/claimInputs";
import { publicKeyOf } from "../core/nkeys";
import { normalize } from "../core/normalize";
import type { SigningKeyProps, SigningKeyScope, SigningKeyState } from "./contracts";
import type { Handler } from "./kit/handler";
import { checkResult, decideDiff, ownKey, seedReplaced } from "./kit/resource";
import { containsUnknown, previewChecker, UNKNOWN } from "./kit/unknown";

const OWNERS = ["operator", "account"] as const;

/** What an account lists for this key: the public key, or the scope around it. */
export function refOf(publicKey: string, scope: SigningKeyScope | undefined): SigningKeyRef {
  if (!scope) return publicKey;
  const ref: ScopedSigningKey = { key: publicKey, role: scope.role, template: scope.template ?? {} };
  if (scope.description !== undefined) ref.description = scope.description;
  return ref;
}

export const handler: Handler<SigningKeyProps, SigningKeyState> = {
  async check(_olds, news) {
    const c = previewChecker();
    if (!containsUnknown(news.owner)) {
      if (!OWNERS.includes(news.owner)) c.fail("owner", 'must be "operator" or "account"');
      else c.seed("identity", news.seed, [news.owner], "seed");
    }
    const scope = news.scope;
    if (scope) {
      if (news.owner === "operator") c.fail("scope", "only account signing keys can be scoped");
      if (typeof scope.role !== "string" || !scope.role)
        c.fail("scope.role", "a scoped signing key needs a role");
      c.text("scope.role", scope.role);
      c.text("scope.description", scope.description);
      c.userTemplate("scope.template", scope.template ?? {});
    }
    return checkResult(news, c.failures);
  },
  async diff(_id, olds, news) {
    return decideDiff(olds, news, {
      replaceWhen: (o, n) => (o.owner !== n.owner ? ["owner"] : seedReplaced(o, n)),
      changed: (o, n) => JSON.stringify(normalize(o.scope)) !== JSON.stringify(normalize(n.scope)),
    });
  },
  async create(inputs) {
    const kp = ownKey("SigningKey", inputs.owner, inputs.seed);
    const publicKey = kp.getPublicKey();
    const outs: SigningKeyState = {
      ...inputs,
      publicKey,
      seed: kp.seed(),
      ref: refOf(publicKey, inputs.scope),
    };
    kp.clear();
    return { id: publicKey, outs };
  },
  async update(_id, olds, news) {
    const publicKey = olds.publicKey;
    return { outs: { ...news, publicKey, seed: olds.seed, ref: refOf(publicKey, news.scope) } };
  },
  // The key never changes on update (a new seed or owner replaces it); created, it is known when its
  // seed is given. The ref follows the scope.
  preview(news, olds) {
    let publicKey: string = UNKNOWN;
    let seed: string = UNKNOWN;
    if (olds && typeof olds.publicKey === "string") {
      publicKey = olds.publicKey;
      seed = olds.seed;
    } else if (typeof news.seed === "string" && news.seed !== "" && !containsUnknown(news.seed)) {
      try {
        publicKey = publicKeyOf(news.seed);
        seed = news.seed;
      } catch {
        // A bad seed fails the checks.
      }
    }
    const ref = publicKey === UNKNOWN || containsUnknown(news.scope) ? UNKNOWN : refOf(publicKey, news.scope);
    return { ...news, publicKey, seed, ref };
  },
};
