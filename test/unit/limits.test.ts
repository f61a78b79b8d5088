/**
 * JWTs nats-server cannot decode (over 1 MiB, jwt ≥ 2.8.1) are refused at preview and before they
 * are stored, and a user's size is judged only once its signer is known (an unknown signer decides
 * claims such as `issuer_account`, so the preview leaves it to `up`).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createKeyPair } from "../../core/nkeys";
import { handler as account } from "../../provider/account";
import type { AccountProps, UserProps } from "../../provider/contracts";
import { UNKNOWN } from "../../provider/kit/unknown";
import { handler as user } from "../../provider/user";

const operator = createKeyPair("operator");

function bigAccount(revocations: number): AccountProps {
  return {
    name: "BIG",
    operatorPublicKey: operator.getPublicKey(),
    signerSeed: operator.seed(),
    signedByIdentity: true,
    revocations: Object.fromEntries(
      Array.from({ length: revocations }, () => [createKeyPair("user").getPublicKey(), 1_700_000_000]),
    ),
  };
}

describe("limits", () => {
  it("limits - an account JWT over 1 MiB fails check and create, naming size, limit and remedy", async () => {
    const props = bigAccount(11_500);
    const check = await account.check({}, props);
    assert.equal(check.failures?.length, 1, JSON.stringify(check.failures?.map((f) => f.property)));
    assert.equal(check.failures?.[0].property, "jwt size");
    assert.match(
      check.failures?.[0].reason ?? "",
      /the account JWT would be 10\d{5} bytes, over the 1048576-byte limit/,
    );
    assert.match(check.failures?.[0].reason ?? "", /fewer revocations/);
    await assert.rejects(account.create(props), /Account "BIG": jwt size: the account JWT would be/);
  });

  it("limits - a user's size waits for its signer; known, it is judged", async () => {
    const acct = createKeyPair("account");
    const props: UserProps = {
      name: "many",
      accountPublicKey: acct.getPublicKey(),
      signerSeed: acct.seed(),
      signedByIdentity: true,
      pub: { allow: Array.from({ length: 300 }, (_, i) => `orders.${i}.>`) },
    };
    const known = await user.check({}, props);
    assert.equal(known.failures?.[0]?.property, "jwt size");
    const pending = await user.check({}, { ...props, signerSeed: UNKNOWN });
    assert.deepEqual(pending.failures ?? [], [], "an unknown signer leaves the size to up");
  });
});
