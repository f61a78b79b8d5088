/** Dynamic provider of `Operator`: the root of trust; its JWT is self-signed. */
import { OPERATOR_CLAIM_FIELDS, type OperatorClaims, pickClaims } from "../core/claimInputs";
import { operatorClaims } from "../core/claims";
import type { Checker } from "../core/validation";
import type { OperatorProps, OperatorState } from "./contracts";
import type { Handler } from "./kit/handler";
import { type IdentitySpec, identityHandler } from "./kit/identity";
import { previewChecker } from "./kit/unknown";

export const operatorSpec: IdentitySpec<OperatorProps> = {
  kind: "Operator",
  keyKind: "operator",
  claims: (inputs, publicKey) =>
    operatorClaims(String(inputs.name), publicKey, pickClaims<OperatorClaims>(inputs, OPERATOR_CLAIM_FIELDS)),
  signer: () => undefined,
};

export function checkOperator(news: OperatorProps): Checker {
  const c = previewChecker();
  if (typeof news.name !== "string" || !news.name) c.fail("name", "an operator needs a name");
  c.text("name", news.name);
  c.seed("identity", news.seed, ["operator"], "seed");
  c.operatorClaims(pickClaims<OperatorClaims>(news, OPERATOR_CLAIM_FIELDS));
  if (
    news.strictSigningKeyUsage === true &&
    Array.isArray(news.signingKeys) &&
    news.signingKeys.length === 0
  ) {
    c.fail("signingKeys", "strictSigningKeyUsage needs at least one signing key to sign accounts with");
  }
  return c;
}

export const handler: Handler<OperatorProps, OperatorState> = identityHandler(
  operatorSpec,
  (news) => checkOperator(news).failures,
  () => ({}),
);
