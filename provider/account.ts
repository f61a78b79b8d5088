/**
 * Dynamic provider of `Account`: signs the account JWT with the operator (or an operator signing
 * key) and, when a resolver is given, keeps the servers' copy in step: push on create/update,
 * lookup on refresh, delete on destroy.
 */
import { ACCOUNT_CLAIM_FIELDS, type AccountClaims, pickClaims } from "../core/claimInputs";
import { accountClaims } from "../core/claims";
import { describe } from "../core/errors";
import { normalize } from "../core/normalize";
import type { AccountProps, AccountState } from "./contracts";
import { checkResolver, deleteAccount, lookupAccount, pushAccount, resolverOf } from "./kit/accountResolver";
import type { Handler } from "./kit/handler";
import { checkSigner, desiredHash, type IdentitySpec, identityDiff, signIdentity } from "./kit/identity";
import { PartialFailure } from "./kit/partialFailure";
import { checkResult, label, loadSeed } from "./kit/resource";
import { previewChecker } from "./kit/unknown";

export const accountSpec: IdentitySpec<AccountProps> = {
  kind: "Account",
  keyKind: "account",
  claims: (inputs, publicKey, signer) =>
    accountClaims(
      String(inputs.name),
      publicKey,
      signer,
      pickClaims<AccountClaims>(inputs, ACCOUNT_CLAIM_FIELDS),
    ),
  signer: (inputs, resource) => loadSeed(resource, "signer seed", inputs.signerSeed, ["operator"]),
};

function check(news: AccountProps) {
  const c = previewChecker();
  if (typeof news.name !== "string" || !news.name) c.fail("name", "an account needs a name");
  c.seed("identity", news.seed, ["account"], "seed");
  checkSigner(c, {
    subject: "account",
    issuer: "operator",
    signerSeed: news.signerSeed,
    issuerKey: news.operatorPublicKey,
    issuerSigningKeys: news.operatorSigningKeys ?? [],
    strict: news.operatorStrict,
    byIdentity: news.signedByIdentity,
  });
  c.publicKey("operator", news.operatorPublicKey, "operator");
  c.accountClaims(pickClaims<AccountClaims>(news, ACCOUNT_CLAIM_FIELDS));
  checkResolver(c, news.resolver);
  return c;
}

export const handler: Handler<AccountProps, AccountState> = {
  async check(_olds, news) {
    return checkResult(news, check(news).failures);
  },
  async diff(_id, olds, news) {
    const d = identityDiff(accountSpec, olds, news);
    if (d.replaces.length) return { changes: true, replaces: d.replaces };
    // Beyond the claims: the resolver settings, and whether the resolver holds the current claims
    // (a refresh that found the JWT missing or replaced leaves pushedHash behind).
    const resolverMoved =
      JSON.stringify(normalize(news.resolver)) !== JSON.stringify(normalize(olds.resolver));
    const unpushed =
      resolverOf(news) !== undefined &&
      desiredHash(accountSpec, news, String(olds.publicKey)) !== olds.pushedHash;
    return { changes: d.changed || resolverMoved || unpushed };
  },
  async create(inputs) {
    const name = label("Account", inputs);
    const s = await signIdentity(accountSpec, inputs);
    const outs: AccountState = { ...inputs, ...s, pushedHash: "", pushedTo: 0 };
    if (!resolverOf(inputs)) return { id: s.publicKey, outs };
    try {
      outs.pushedTo = await pushAccount(name, inputs, s.jwt);
      outs.pushedHash = s.claimsHash;
    } catch (e) {
      throw new PartialFailure(
        describe(e),
        s.publicKey,
        { ...outs, __provider: inputs.__provider },
        { cause: e },
      );
    }
    return { id: s.publicKey, outs };
  },
  async update(id, olds, news) {
    const name = label("Account", news);
    const s = await signIdentity(accountSpec, news, olds);
    const outs: AccountState = { ...news, ...s, pushedHash: "", pushedTo: 0 };
    if (!resolverOf(news)) return { outs };
    const alreadyThere = olds.pushedHash === s.claimsHash && olds.jwt === s.jwt;
    if (alreadyThere && olds.pushedTo) {
      return { outs: { ...outs, pushedHash: olds.pushedHash, pushedTo: olds.pushedTo } };
    }
    try {
      outs.pushedTo = await pushAccount(name, news, s.jwt);
      outs.pushedHash = s.claimsHash;
    } catch (e) {
      // Keep the new JWT in state but record nothing as pushed, so the next `up` pushes again.
      throw new PartialFailure(describe(e), id, { ...outs, __provider: news.__provider }, { cause: e });
    }
    return { outs };
  },
  async read(id, props) {
    const r = resolverOf(props);
    if (!r) return { id, props };
    const { pushedHash, pushedTo } = await lookupAccount(r, String(props.publicKey));
    return { id, props: { ...props, pushedHash, pushedTo } };
  },
  async delete(_id, props) {
    const r = resolverOf(props);
    if (!r || r.onDelete === "retain") return;
    const name = label("Account", props);
    const signer = loadSeed(name, "signer seed", props.signerSeed, ["operator"]);
    try {
      await deleteAccount(name, r, String(props.publicKey), signer);
    } finally {
      signer.clear();
    }
  },
};
