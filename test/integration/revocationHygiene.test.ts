/**
 * Revocation hygiene judged by a real nats-server (full resolver): a removed User's revocation leaves
 * the account JWT only when it refuses nothing more. Every JWT of its key signed by signing keys the
 * account no longer has is refused by the server without the entry (the issuer is no longer a signer
 * of the account); an entry of a key that also has a JWT of a remaining signer stays, as does one
 * whose JWTs are not all known (a given key). And the expiry of a User's last JWT does not prune its
 * revocation when an earlier JWT never expires (that entry was lost before: the earlier JWT got in).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { formatCreds } from "../../core/creds";
import { decodeJwt } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import type { Member } from "../../core/revocation";
import { renderServerConfig } from "../../core/serverConfig";
import { closeAllResolvers } from "../../io/resolverPool";
import { handler as account } from "../../provider/account";
import type { AccountProps, SigningKeyState, UserProps } from "../../provider/contracts";
import { handler as user } from "../../provider/user";
import { admission } from "../harness/clients";
import { accountInputs, type Outs, type UserOuts, type World, world } from "../harness/identities";
import { NatsServer } from "../harness/natsServer";

/** The account's `members` entry of a User, as the SDKs send it (its outputs). */
function memberOf(u: UserOuts): Member {
  const entry: Member = {
    urn: `urn:pulumi:t::p::nats-auth:index:User::${u.name}`,
    publicKey: u.publicKey,
    name: u.name,
  };
  const exp = decodeJwt(u.jwt).exp;
  if (typeof exp === "number") entry.expires = exp;
  if (u.issued) entry.issued = u.issued;
  return entry;
}

const revocationsOf = (jwt: string) =>
  (decodeJwt(jwt).nats as { revocations?: Record<string, number> }).revocations ?? {};

describe("revocation hygiene - on a real nats-server", () => {
  let w: World;
  let server: NatsServer;
  let acct: Outs;
  let gone: SigningKeyState;
  let staying: SigningKeyState;
  before(async () => {
    w = await world();
    server = await NatsServer.start({
      name: "revocation-hygiene",
      body: renderServerConfig({
        operator: w.operator.jwt,
        systemAccount: w.sys.publicKey,
        resolver: { type: "full", dir: "jwt", allowDelete: true, interval: "2m", timeout: "1.9s" },
        preload: { [w.sys.publicKey]: w.sys.jwt },
      }),
    });
    gone = await w.newSigningKey();
    staying = await w.newSigningKey();
    acct = await w.newAccount("HYG", {
      signingKeys: [gone.ref, staying.ref],
      resolver: { servers: [server.url], creds: w.sysUser.creds, timeoutMs: 2000 },
    });
  });
  after(async () => {
    await closeAllResolvers();
    await server?.[Symbol.asyncDispose]();
  });

  /**
   * Checks the account's new inputs as the engine would (with the stored inputs), diffs them with the
   * state, then updates it; returns the preview's warnings (an update's come from diff).
   */
  async function updateAccount(changes: Partial<AccountProps>): Promise<string[]> {
    const news = accountInputs(acct, changes);
    const checked = await account.check(accountInputs(acct, {}), news);
    assert.deepEqual(checked.failures, []);
    const { warnings } = await account.diff(acct.publicKey, acct, checked.inputs);
    const { outs } = await account.update!(acct.publicKey, acct, checked.inputs);
    assert.ok(outs.pushedTo >= 1, "pushed");
    acct = { ...acct, ...outs } as Outs;
    return warnings ?? [];
  }

  /** The User signed again with `changes` (a new signer, an expiry), as an update would. */
  async function resign(u: UserOuts, changes: Partial<UserProps>): Promise<UserOuts> {
    const news: UserProps = {
      name: u.name,
      accountPublicKey: acct.publicKey,
      accountSigningKeys: acct.signingKeys,
      operatorStrict: acct.operatorStrict,
      signerSeed: acct.userSignerSeed,
      ...changes,
    };
    const { outs } = await user.update!(u.publicKey, u, news);
    return { ...outs, seed: u.seed, creds: formatCreds(outs.jwt, u.seed) } as UserOuts;
  }

  it("revocation hygiene - a User's last JWT expired, an earlier one never expires: its removal still revokes that one", async () => {
    const frank = await w.newUser(acct, "frank");
    assert.deepEqual(frank.issued, { issuers: [decodeJwt(frank.jwt).iss] });
    const exp = Math.floor(Date.now() / 1000) + 2;
    const shortened = await resign(frank, { expires: exp });
    assert.equal(decodeJwt(shortened.jwt).exp, exp);
    await updateAccount({ members: [memberOf(shortened)] });
    assert.equal(await admission(server.url, frank.creds), "admitted", "the first JWT, without expiry");
    // Once the last JWT has expired, frank leaves the program.
    await new Promise((r) => setTimeout(r, (exp + 1) * 1000 - Date.now() + 50));
    await updateAccount({ members: [] });
    assert.ok(acct.removedUsers?.[frank.publicKey], "frank's key is revoked");
    assert.ok(revocationsOf(acct.jwt)[frank.publicKey], "and in the JWT");
    assert.match(await admission(server.url, frank.creds), /^refused/, "the JWT without expiry is refused");
  });

  it("revocation hygiene - removing a signing key drops only the entries whose every JWT it signed; the server refuses them without it", async () => {
    // bob: signed only by `gone`. carol: by `gone`, then by `staying`. erin: given her key (its JWTs
    // are not all known here), signed by `gone`.
    const bob = await w.newUser(acct, "bob", {}, gone.seed);
    const carolFirst = await w.newUser(acct, "carol", {}, gone.seed);
    const carol = await resign(carolFirst, { signerSeed: staying.seed });
    assert.deepEqual(carol.issued?.issuers, [gone.publicKey, staying.publicKey].sort());
    const erin = await w.newUser(acct, "erin", { seed: createKeyPair("user").seed() }, gone.seed);
    assert.equal(erin.issued, undefined);
    // dave stays in the program, signed by `gone`: removing the key refuses him too (for the record).
    const dave = await w.newUser(acct, "dave", {}, gone.seed);
    await updateAccount({ members: [bob, carol, erin, dave].map(memberOf) });
    for (const u of [bob, carolFirst, carol, erin, dave])
      assert.equal(await admission(server.url, u.creds), "admitted");

    await updateAccount({ members: [memberOf(dave)] });
    for (const u of [bob, carolFirst, carol, erin])
      assert.match(await admission(server.url, u.creds), /^refused/, `${u.name} is revoked`);
    const revoked = [bob, carol, erin].map((u) => u.publicKey);
    for (const k of revoked) assert.ok(revocationsOf(acct.jwt)[k], "entry in the JWT");

    // The account stops trusting `gone`: only bob's entry leaves, and the preview says so.
    const without = [...(acct.signingKeys ?? [])].filter((k) => k !== gone.ref);
    const warnings = await updateAccount({ signingKeys: without });
    assert.match(
      warnings.join("\n"),
      new RegExp(
        `1 revocation entry of removed Users \\(${bob.publicKey}\\) leaves the account JWT: .*signing keys the account no longer has`,
      ),
    );
    const inJwt = revocationsOf(acct.jwt);
    assert.equal(inJwt[bob.publicKey], undefined, "bob's entry left the JWT");
    assert.ok(inJwt[carol.publicKey], "carol has a JWT of a remaining signer: kept");
    assert.ok(inJwt[erin.publicKey], "erin's JWTs are not all known: kept");
    assert.ok(acct.removedUsers?.[bob.publicKey], "bob stays recorded");
    assert.match(
      await admission(server.url, bob.creds),
      /^refused/,
      "bob's JWT is refused without the entry",
    );
    assert.match(await admission(server.url, carol.creds), /^refused/);
    assert.match(await admission(server.url, erin.creds), /^refused/);
    assert.match(
      await admission(server.url, dave.creds),
      /^refused/,
      "every JWT of the removed key is refused",
    );

    // The key comes back: so does bob's entry (nothing was lost).
    await updateAccount({ signingKeys: [...without, gone.ref] });
    assert.equal(revocationsOf(acct.jwt)[bob.publicKey], acct.removedUsers?.[bob.publicKey]?.at);
    assert.match(await admission(server.url, bob.creds), /^refused/, "bob is still revoked");
    assert.equal(await admission(server.url, dave.creds), "admitted", "dave, never revoked, is back");
  });
});
