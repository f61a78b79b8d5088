/**
 * Dynamic provider of `ActivationToken`: signs the activation JWT with which the exporting account
 * lets one importer import a private export. Revocation is not done here: the exporting Account
 * learns its tokens (sdk/membership.ts) and revokes a removed one in its export, in the same `up`.
 */
import { activationClaims, exportForToken } from "../core/activation";
import { decodeJwt, sign } from "../core/jwt";
import { publicKeyOf } from "../core/nkeys";
import { claimsHash } from "../core/normalize";
import type { ActivationTokenProps, ActivationTokenState } from "./contracts";
import type { Handler } from "./kit/handler";
import { checkSigner, expiryAccepted, storedHash } from "./kit/identity";
import { checkResult, label, loadSeed } from "./kit/resource";
import { containsUnknown, previewChecker } from "./kit/unknown";

function claimsOf(p: ActivationTokenProps, issuer: string) {
  return activationClaims(String(p.name), p.importer, issuer, p.exporterPublicKey, {
    subject: p.subject,
    type: p.type,
    expires: p.expires,
    notBefore: p.notBefore,
  });
}

/**
 * Waits for the next whole second. The exporter revokes a removed token at its `iat` (seconds), so a
 * token issued to replace it must carry a later `iat` or the revocation would cover it too.
 */
function nextSecond(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
}

async function issue(p: ActivationTokenProps): Promise<ActivationTokenState> {
  const signer = loadSeed(label("ActivationToken", p), "signer seed", p.signerSeed, ["account"]);
  try {
    await nextSecond();
    const issuer = signer.getPublicKey();
    const claims = claimsOf(p, issuer);
    const token = await sign(claims, signer);
    const issuedAt = Number(decodeJwt(token).iat);
    return { ...p, token, issuedAt, issuer, claimsHash: claimsHash(claims) };
  } finally {
    signer.clear();
  }
}

export const handler: Handler<ActivationTokenProps, ActivationTokenState> = {
  async check(olds, news) {
    const c = previewChecker();
    if (typeof news.name !== "string" || !news.name) c.fail("name", "an activation token needs a name");
    c.text("name", news.name);
    c.publicKey("exporter", news.exporterPublicKey, "account");
    c.publicKey("importer", news.importer, "account");
    c.subject("subject", news.subject);
    if (c.known(news.type) && news.type !== "stream" && news.type !== "service") {
      c.fail("type", 'must be "stream" or "service"');
    }
    const signingKeys = Array.isArray(news.exporterSigningKeys)
      ? news.exporterSigningKeys.map((k) => (typeof k === "string" ? k : k?.key))
      : news.exporterSigningKeys;
    checkSigner(c, {
      subject: "activation token",
      issuer: "account",
      signerSeed: news.signerSeed,
      issuerKey: news.exporterPublicKey,
      issuerSigningKeys: signingKeys ?? [],
      strict: undefined,
      byIdentity: news.signedByIdentity,
    });
    c.validity(news, { future: !expiryAccepted(olds, news) });
    const judged = c.known(news.exporterExports) && c.known(news.subject) && c.known(news.type);
    if (judged && c.passed("subject") && c.passed("type")) {
      const found = exportForToken(news.exporterExports, news.subject, news.type);
      if ("problem" in found) c.fail("subject", found.problem);
    }
    return checkResult(news, c.failures);
  },
  async diff(_id, olds, news) {
    if (containsUnknown(news)) return { changes: true };
    const issuer = publicKeyOf(String(news.signerSeed));
    return { changes: claimsHash(claimsOf(news, issuer)) !== storedHash(olds.token, olds.claimsHash) };
  },
  async create(inputs) {
    const outs = await issue(inputs);
    return { id: `${outs.issuer}-${outs.importer}-${outs.issuedAt}`, outs };
  },
  async update(_id, olds, news) {
    const issuer = publicKeyOf(String(news.signerSeed));
    if (claimsHash(claimsOf(news, issuer)) === storedHash(olds.token, olds.claimsHash)) {
      return {
        outs: { ...news, token: olds.token, issuedAt: olds.issuedAt, issuer, claimsHash: olds.claimsHash },
      };
    }
    return { outs: await issue(news) };
  },
};
