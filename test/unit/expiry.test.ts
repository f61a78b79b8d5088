/**
 * Expired identities are reported as expired, and never re-signed with the `expires` that has passed
 * (a JWT signed with a past `exp` is refused by every server: its creds cannot connect).
 */
import assert from "node:assert/strict";
import { afterEach, describe, it, mock } from "node:test";
import { decodeJwt } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import { handler as account } from "../../provider/account";
import type { UserProps } from "../../provider/contracts";
import { handler as user } from "../../provider/user";

const HOUR = 3600_000;

describe("expiry", () => {
  afterEach(() => mock.timers.reset());

  async function signedUser() {
    const acct = createKeyPair("account");
    const inputs = {
      name: "eve",
      expires: new Date(Date.now() + HOUR).toISOString(),
      signerSeed: acct.seed(),
      signing: { accountPublicKey: acct.getPublicKey(), signedByIdentity: true },
    } as unknown as UserProps;
    assert.deepEqual((await user.check({}, inputs)).failures, []);
    return { inputs, outs: (await user.create(inputs)).outs };
  }

  it("expiry - refresh reports an expired user as expired (and a valid one as nothing)", async () => {
    const { outs } = await signedUser();
    const fresh = await user.read!("id", outs);
    assert.equal((fresh.props as { expired?: string }).expired, undefined);
    mock.timers.enable({ apis: ["Date"], now: Date.now() + 2 * HOUR });
    const later = await user.read!("id", outs);
    const exp = decodeJwt(String(outs.jwt)).exp as number;
    assert.equal((later.props as { expired?: string }).expired, new Date(exp * 1000).toISOString());
  });

  it("expiry - an expired user is not re-signed with its past expires: preview and up refuse, naming it", async () => {
    const { inputs, outs } = await signedUser();
    mock.timers.enable({ apis: ["Date"], now: Date.now() + 2 * HOUR });
    const edited = { ...inputs, tags: ["new"] } as UserProps;
    await assert.rejects(user.diff("id", outs, edited), (e: Error) => {
      assert.match(e.message, /User "eve".*expires: .* has passed.*Set a later expires, or remove it/s);
      return true;
    });
    await assert.rejects(user.update!("id", outs, edited), /User "eve".*expires: .* has passed/s);
    // A new key (a replace) signs a new JWT too: the same refusal.
    const replaced = { ...edited, seed: createKeyPair("user").seed() } as UserProps;
    await assert.rejects(user.create(replaced), /expires: .* has passed/);
    // Nothing to re-sign: nothing refused (refresh has said it expired).
    assert.equal((await user.diff("id", outs, inputs)).changes, false);
  });

  it("expiry - an expired account is not re-signed with its past expires", async () => {
    const op = createKeyPair("operator");
    const inputs = {
      name: "ACC",
      expires: new Date(Date.now() + HOUR).toISOString(),
      operatorPublicKey: op.getPublicKey(),
      signerSeed: op.seed(),
    };
    const { outs } = await account.create(inputs);
    mock.timers.enable({ apis: ["Date"], now: Date.now() + 2 * HOUR });
    const edited = { ...inputs, limits: { conn: 5 } };
    await assert.rejects(account.diff("id", outs, edited), /Account "ACC".*expires: .* has passed/s);
    await assert.rejects(account.update!("id", outs, edited), /expires: .* has passed/);
  });
});
