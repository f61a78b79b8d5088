/**
 * A `"*"` revocation judged by a real nats-server (full resolver): every user JWT issued at or before
 * its time is refused, one issued after is admitted; the entries it covers are left out of the JWT
 * (the check says how many), and a User still in the program is signed again by its next `up`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { formatCreds } from "../../core/creds";
import { decodeJwt } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import { renderServerConfig } from "../../core/serverConfig";
import { closeAllResolvers } from "../../io/resolverPool";
import { handler as account } from "../../provider/account";
import type { UserProps } from "../../provider/contracts";
import { handler as user } from "../../provider/user";
import { admission } from "../harness/clients";
import { accountInputs, type Outs, type UserOuts, type World, world } from "../harness/identities";
import { NatsServer } from "../harness/natsServer";

const nextSecond = () => new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));

describe('revocation - a "*" revocation on a real nats-server', () => {
  let w: World;
  let server: NatsServer;
  let acct: Outs;
  before(async () => {
    w = await world();
    server = await NatsServer.start({
      name: "revoke-all",
      body: renderServerConfig({
        operator: w.operator.jwt,
        systemAccount: w.sys.publicKey,
        resolver: { type: "full", dir: "jwt", allowDelete: true, interval: "2m", timeout: "1.9s" },
        preload: { [w.sys.publicKey]: w.sys.jwt },
      }),
    });
    acct = await w.newAccount("ALL", {
      resolver: { servers: [server.url], creds: w.sysUser.creds, timeoutMs: 2000 },
    });
  });
  after(async () => {
    await closeAllResolvers();
    await server?.[Symbol.asyncDispose]();
  });

  it('revocation - "*": a user issued at or before its time is refused, one issued after is admitted; covered entries leave the JWT', async () => {
    const early: UserOuts = await w.newUser(acct, "early");
    const at = Number(decodeJwt(early.jwt).iat);
    await nextSecond();
    const late = await w.newUser(acct, "late");
    assert.ok(Number(decodeJwt(late.jwt).iat) > at, "late is issued after the revocation time");
    assert.equal(await admission(server.url, early.creds), "admitted");

    const covered = createKeyPair("user").getPublicKey();
    const kept = createKeyPair("user").getPublicKey();
    const news = accountInputs(acct, { revocations: { "*": at, [covered]: at - 10, [kept]: at + 1 } });
    // As the engine calls them: check with the stored inputs, diff (the preview's warnings on an
    // update) with the state.
    const checked = await account.check(accountInputs(acct), news);
    assert.deepEqual(checked.failures, []);
    const preview = await account.diff(acct.publicKey, acct, checked.inputs);
    assert.match(
      (preview.warnings ?? []).join("\n"),
      /revocations\["\*"\] .* replaces 1 revocation entry in the account JWT/,
    );
    const { outs } = await account.update!(acct.publicKey, acct, checked.inputs);
    assert.ok(outs.pushedTo >= 1, "pushed");
    assert.deepEqual(
      (decodeJwt(outs.jwt).nats as { revocations?: Record<string, number> }).revocations,
      { "*": at, [kept]: at + 1 },
      "the covered entry is left out; the later one is kept",
    );

    assert.match(await admission(server.url, early.creds), /^refused/, "issued at the revocation time");
    assert.equal(await admission(server.url, late.creds), "admitted", "issued after it");

    // The early User, still in the program, is signed again by its next up and admitted.
    const userNews: UserProps = {
      name: "early",
      seed: early.seed,
      accountPublicKey: acct.publicKey,
      accountSigningKeys: acct.signingKeys,
      operatorStrict: acct.operatorStrict,
      signerSeed: acct.userSignerSeed,
      accountRevocations: { "*": at },
    };
    const userChecked = await user.check(early, userNews);
    assert.deepEqual(userChecked.failures, []);
    const d = await user.diff(early.publicKey, early, userChecked.inputs);
    assert.equal(d.changes, true, 'a User issued before the "*" time is signed again');
    const again = (await user.update!(early.publicKey, early, userChecked.inputs)).outs;
    assert.ok(Number(decodeJwt(again.jwt).iat) > at);
    assert.equal(await admission(server.url, formatCreds(again.jwt, early.seed)), "admitted");
    const settled = await user.diff(early.publicKey, again, userChecked.inputs);
    assert.equal(settled.changes, false, "signed once: the next preview shows no change");
  });
});
