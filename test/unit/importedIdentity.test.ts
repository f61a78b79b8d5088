/**
 * What an Account or User imported by its public key (`pulumi import`, no seed, no signer seed) can
 * do: keep its JWT (0 changes while the program says the JWT's claims), and nothing that needs a
 * signature. A change of its claims is refused at preview (diff), naming the resource, `signerSeed`,
 * the claims that differ and what to do; with a signer seed it is an ordinary update. A new account
 * without a signer seed is refused at check.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { AccountClaims } from "../../core/claimInputs";
import { accountClaims, userClaims } from "../../core/claims";
import { accountInputs, userInputs } from "../../core/claimsFromJwt";
import { decodeJwt, sign } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import { claimsHash } from "../../core/normalize";
import { handler as account } from "../../provider/account";
import type { AccountProps, AccountState, UserProps, UserState } from "../../provider/contracts";
import { importResource } from "../../provider/importer";
import { withDerivedOutputs } from "../../provider/kit/derived";
import { handler as user } from "../../provider/user";
import { REPO_ROOT } from "../harness/paths";

const op = createKeyPair("operator");
const opSk = createKeyPair("operator");
const acct = createKeyPair("account");
const alice = createKeyPair("user");
const CLAIMS: AccountClaims = { limits: { conn: 5, subs: 100 }, tags: ["team:a"] };

/** An account as `pulumi import` stores it: inputs from its JWT (signed by an operator signing key), no seeds. */
async function imported(): Promise<{ inputs: AccountProps; state: AccountState }> {
  const jwt = await sign(accountClaims("APP", acct.getPublicKey(), opSk.getPublicKey(), CLAIMS), opSk);
  const c = decodeJwt(jwt);
  const inputs: AccountProps = {
    name: "APP",
    publicKey: acct.getPublicKey(),
    operatorPublicKey: op.getPublicKey(),
    operatorSigningKeys: [opSk.getPublicKey()],
    ...accountInputs(c),
  };
  const state: AccountState = {
    ...inputs,
    publicKey: acct.getPublicKey(),
    jwt,
    claimsHash: claimsHash(c),
    issuer: opSk.getPublicKey(),
    pushedHash: "",
    pushedTo: 0,
  };
  return { inputs, state };
}

describe("imported identity - an account without its seed or a signer seed", () => {
  it("imported account - the program as imported: check passes, diff shows no change, update keeps the JWT", async () => {
    const { inputs, state } = await imported();
    const checked = await account.check(inputs, inputs);
    assert.deepEqual(checked.failures, []);
    const d = await account.diff(state.publicKey, state, checked.inputs);
    assert.equal(d.changes, false, "0 changes");
    const updated = await account.update!(state.publicKey, state, checked.inputs);
    assert.equal(updated.outs.jwt, state.jwt, "the imported JWT kept byte for byte");
    assert.equal(updated.outs.seed, undefined);
  });

  it("imported account - a changed limit is refused at preview, naming the resource, signerSeed and the claim", async () => {
    const { inputs, state } = await imported();
    const news = { ...inputs, limits: { conn: 10, subs: 100 } };
    assert.deepEqual((await account.check(inputs, news)).failures, []);
    await assert.rejects(account.diff(state.publicKey, state, news), (e: Error) => {
      assert.match(e.message, /Account "APP"/);
      assert.match(e.message, /signerSeed/);
      assert.match(e.message, /limits\.conn/);
      assert.match(e.message, /set signerSeed/);
      return true;
    });
    await assert.rejects(
      account.update!(state.publicKey, state, news),
      /signerSeed/,
      "nothing signed at up either",
    );
  });

  it("imported account - with an operator signing key's seed, the change is an ordinary update", async () => {
    const { inputs, state } = await imported();
    const news = { ...inputs, limits: { conn: 10, subs: 100 }, signerSeed: opSk.seed() };
    assert.deepEqual((await account.check(inputs, news)).failures, []);
    assert.equal((await account.diff(state.publicKey, state, news)).changes, true);
    const updated = await account.update!(state.publicKey, state, news);
    assert.equal((decodeJwt(updated.outs.jwt).nats.limits as Record<string, number>).conn, 10);
  });

  it("imported account - given its own seed later: an update that stores it, never a replacement", async () => {
    // A replacement would create the same key and then delete it from the resolver.
    const { inputs, state } = await imported();
    const { publicKey: _declared, ...rest } = inputs;
    const news = { ...rest, seed: acct.seed() };
    assert.deepEqual((await account.check(inputs, news)).failures, []);
    const d = await account.diff(state.publicKey, state, news);
    assert.deepEqual(d.replaces ?? [], [], "no replacement");
    assert.equal(d.changes, true, "an update records the seed");
    const updated = await account.update!(state.publicKey, state, news);
    assert.equal(updated.outs.jwt, state.jwt, "the JWT kept: no signer seed needed to store the own seed");
    assert.equal(updated.outs.seed, acct.seed());
    // Another account's seed is another identity: a replacement, as before.
    const other = await account.diff(state.publicKey, state, {
      ...rest,
      seed: createKeyPair("account").seed(),
    });
    assert.deepEqual(other.replaces, ["seed"]);
  });

  it("imported account - a new account without a signer seed is refused at check", async () => {
    const { inputs } = await imported();
    const failures = (await account.check({}, inputs)).failures;
    assert.ok(
      failures.some((f) => f.property === "signerSeed" && /pulumi import/.test(f.reason)),
      JSON.stringify(failures),
    );
  });

  it("imported account - destroy without a signer seed says how to delete or retain", async () => {
    const { state } = await imported();
    const withResolver = {
      ...state,
      onServers: true,
      resolver: { servers: ["nats://127.0.0.1:1"], creds: "x" },
    };
    await assert.rejects(account.delete!(state.publicKey, withResolver), (e: Error) => {
      assert.match(e.message, /signerSeed/);
      assert.match(e.message, /onDelete = "retain"/);
      return true;
    });
  });
});

describe("imported identity - a user without its seed or a signer seed", () => {
  it("imported user - kept as imported, a changed permission refused naming signerSeed", async () => {
    const jwt = await sign(
      userClaims("alice", alice.getPublicKey(), acct.getPublicKey(), { pub: { allow: ["a.>"] } }, {}),
      acct,
    );
    const c = decodeJwt(jwt);
    const inputs: UserProps = {
      name: "alice",
      publicKey: alice.getPublicKey(),
      accountPublicKey: acct.getPublicKey(),
      ...userInputs(c),
    };
    const state: UserState = {
      ...inputs,
      publicKey: alice.getPublicKey(),
      jwt,
      claimsHash: claimsHash(c),
      issuer: acct.getPublicKey(),
    };
    assert.deepEqual((await user.check(inputs, inputs)).failures, []);
    assert.equal((await user.diff(state.publicKey, state, inputs)).changes, false);
    await assert.rejects(
      user.diff(state.publicKey, state, { ...inputs, pub: { allow: ["b.>"] } }),
      /User "alice".*signerSeed.*pub\.allow/s,
    );
    // Given its seed later: an update (no replacement, no signer seed) after which it has creds.
    const { publicKey: _k, ...rest } = inputs;
    const seeded = { ...rest, seed: alice.seed() };
    const d = await user.diff(state.publicKey, state, seeded);
    assert.equal(d.changes, true);
    assert.deepEqual(d.replaces ?? [], []);
    const outs = withDerivedOutputs(
      "user",
      (await user.update!(state.publicKey, state, seeded)).outs as unknown as Record<string, unknown>,
    ) as {
      jwt: string;
      creds?: string;
    };
    assert.equal(outs.jwt, jwt, "JWT kept");
    assert.match(String(outs.creds), /BEGIN NATS USER JWT/);
  });
});

describe("imported identity - docs/import.md", () => {
  it("import docs - show the commands the e2e runs and the refusal the handlers raise", async () => {
    const docs = fs.readFileSync(path.join(REPO_ROOT, "docs", "import.md"), "utf8");
    assert.ok(docs.includes("pulumi import nats-auth:index:Account app A"), "the account command");
    assert.ok(docs.includes("pulumi import nats-auth:index:User u "), "the user command");
    assert.ok(docs.includes("pulumi config set --secret nats-auth:creds < sys.creds"));
    // The refusal quoted in the docs is the one diff raises (its first words, before the claims).
    const { inputs, state } = await imported();
    const raised = await account
      .diff(state.publicKey, state, { ...inputs, limits: { conn: 10, subs: 100 } })
      .catch((e: Error) => e.message);
    const lead = String(raised).split("(")[0].trim();
    assert.ok(docs.replace(/\s+/g, " ").includes(lead), `docs quote: ${lead}`);
  });
});

describe("imported identity - what pulumi import refuses before asking any server", () => {
  it("import refusals - a user by public key, an operator, an account with no resolver configured", async () => {
    await assert.rejects(importResource("User", alice.getPublicKey(), undefined), (e: Error) => {
      assert.match(e.message, /account JWTs only/);
      assert.match(e.message, /by its JWT/);
      return true;
    });
    await assert.rejects(
      importResource("Operator", op.getPublicKey(), undefined),
      /Operator cannot be imported/,
    );
    await assert.rejects(importResource("Account", acct.getPublicKey(), undefined), (e: Error) => {
      assert.match(e.message, /nats-auth:servers/);
      assert.match(e.message, /nats-auth:creds/);
      return true;
    });
    await assert.rejects(
      importResource("Account", alice.getPublicKey(), undefined),
      /not an account public key/,
    );
  });

  it("import of a user by its JWT - inputs that re-sign the same claims, no seed, no signer seed", async () => {
    const jwt = await sign(
      userClaims(
        "alice",
        alice.getPublicKey(),
        acct.getPublicKey(),
        { sub: { allow: ["x.>"] }, tags: ["t"] },
        {},
      ),
      acct,
    );
    const r = await importResource("User", jwt, undefined);
    const inputs = r.inputs as UserProps;
    assert.equal(r.id, alice.getPublicKey());
    assert.equal(inputs.publicKey, alice.getPublicKey());
    assert.equal(inputs.accountPublicKey, acct.getPublicKey());
    assert.equal(inputs.signerSeed, undefined);
    assert.equal(inputs.seed, undefined);
    const state = r.props as UserState;
    assert.equal((await user.diff(state.publicKey, state, inputs)).changes, false);
  });
});
