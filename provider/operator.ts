/** Dynamic provider of `Operator`: the root of trust; its JWT is self-signed. */
import { operatorClaims } from "./claims";
import type { Handler } from "./dynamic";
import { type IdentitySpec, identityHandler, pick } from "./identity";
import type { Props } from "./resource";
import type { OperatorClaims } from "./types";
import { Checker } from "./validate";

export const OPERATOR_FIELDS = [
  "signingKeys",
  "strictSigningKeyUsage",
  "systemAccount",
  "serviceUrls",
  "accountServerUrl",
  "tags",
  "expires",
  "notBefore",
] as const;

export const operatorSpec: IdentitySpec = {
  kind: "Operator",
  keyKind: "operator",
  claims: (inputs, publicKey) =>
    operatorClaims(String(inputs.name), publicKey, pick<OperatorClaims>(inputs, OPERATOR_FIELDS)),
  signer: () => undefined,
};

export function checkOperator(news: Props): Checker {
  const c = new Checker();
  if (typeof news.name !== "string" || !news.name) c.fail("name", "an operator needs a name");
  c.seed("identity", news.seed, ["operator"], "seed");
  c.operatorClaims(pick<OperatorClaims>(news, OPERATOR_FIELDS));
  if (
    news.strictSigningKeyUsage === true &&
    Array.isArray(news.signingKeys) &&
    news.signingKeys.length === 0
  ) {
    c.fail("signingKeys", "strictSigningKeyUsage needs at least one signing key to sign accounts with");
  }
  return c;
}

export const handler: Handler = identityHandler(operatorSpec, (news) => checkOperator(news).failures);
