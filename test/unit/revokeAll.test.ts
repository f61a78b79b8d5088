/**
 * Issue 26, in the handlers: a `"*"` revocation replaces the entries it covers in the JWT and its
 * check says how many; a future or "now" time is refused at check, naming the field; the Account's
 * outputs keep no copy of `revocations`, and state written before (which held one) previews no
 * change and loses the copy at its next update.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeJwt } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import { coveredByAll, jwtRevocations } from "../../core/revocation";
import { handler as account } from "../../provider/account";
import type { AccountProps, AccountState } from "../../provider/contracts";

const U1 = createKeyPair("user").getPublicKey();
const U2 = createKeyPair("user").getPublicKey();
const U3 = createKeyPair("user").getPublicKey();
const operatorKey = createKeyPair("operator");

function props(revocations: AccountProps["revocations"], seed: string): AccountProps {
  return {
    name: "APP",
    seed,
    operatorPublicKey: operatorKey.getPublicKey(),
    signerSeed: operatorKey.seed(),
    revocations,
  } as AccountProps;
}

describe('revocation - "*"', () => {
  it('revocation "*" - entries at or before its time leave the JWT (removed users too); later ones stay', () => {
    const jwt = jwtRevocations({ "*": 100, [U1]: 100, [U2]: 101 }, { [U3]: { at: 50 } });
    assert.deepEqual(jwt, { "*": 100, [U2]: 101 });
    assert.deepEqual(coveredByAll({ "*": 100, [U1]: 100, [U2]: 101, [U3]: 50 }).sort(), [U1, U3].sort());
    assert.deepEqual(jwtRevocations({ [U1]: 100 }, {}), { [U1]: 100 }, 'nothing left out without a "*"');
  });

  it('revocation "*" - a future time and "now" are refused at check, naming revocations["*"]', async () => {
    const seed = createKeyPair("account").seed();
    const future = await account.check({}, props({ "*": Math.floor(Date.now() / 1000) + 3600 }, seed));
    assert.match(
      future.failures.map((f) => `${f.property}: ${f.reason}`).join("\n"),
      /revocations\["\*"\]: .* is in the future: it would revoke every user JWT signed until then/,
    );
    const now = await account.check({}, props({ "*": "now" }, seed));
    assert.match(
      now.failures.map((f) => `${f.property}: ${f.reason}`).join("\n"),
      /revocations\["\*"\]: give a date, not "now"/,
    );
    const past = await account.check({}, props({ "*": 100, [U1]: 50, [U2]: 60 }, seed));
    assert.deepEqual(past.failures, []);
    assert.match((past.warnings ?? []).join("\n"), /replaces 2 revocation entries in the account JWT/);
  });

  it("revocation outputs - no copy of `revocations`; state that holds one previews no change and drops it at its next update", async () => {
    const seed = createKeyPair("account").seed();
    const news = props({ [U1]: 1700000000, [U2]: 1700000001 }, seed);
    const created = (await account.create(news)).outs;
    assert.equal((created as Partial<AccountState>).revocations, undefined, "outputs keep no copy");
    assert.deepEqual((decodeJwt(created.jwt).nats as { revocations?: unknown }).revocations, {
      [U1]: 1700000000,
      [U2]: 1700000001,
    });
    // What the release before issue 26 stored: the same outputs with the map copied in.
    const before = { ...created, revocations: news.revocations } as AccountState;
    assert.equal((await account.diff(created.publicKey, before, news)).changes, false, "0 changes");
    assert.equal((await account.diff(created.publicKey, created, news)).changes, false);
    const read = (await account.read!(created.publicKey, before)).props as Partial<AccountState>;
    assert.equal(read.revocations, undefined, "a refresh drops the copy");
    const changed = { ...news, revocations: { ...news.revocations, [U3]: 1700000002 } };
    assert.equal((await account.diff(created.publicKey, before, changed)).changes, true);
    const updated = (await account.update!(created.publicKey, before, changed)).outs as Partial<AccountState>;
    assert.equal(updated.revocations, undefined, "the update's outputs keep no copy");
  });
});
