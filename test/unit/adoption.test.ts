/**
 * Adopting an existing JWT (`seed` + `jwt`): kept byte for byte when it says what the inputs say;
 * otherwise check names every claim that differs, so a preview shows the re-sign `up` will do.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createKeyPair } from "../../core/nkeys";
import { handler as account } from "../../provider/account";
import type { AccountProps } from "../../provider/contracts";
import { handler as operator } from "../../provider/operator";

async function adoptable() {
  const op = (await operator.create({ name: "op" })).outs;
  const base: AccountProps = {
    name: "A",
    signerSeed: String(op.seed),
    operatorPublicKey: op.publicKey,
    operatorSigningKeys: [],
    limits: { conn: 9 },
  };
  const made = (await account.create(base)).outs;
  return { base, made };
}

describe("adoption", () => {
  it("adoption - a JWT whose claims match is kept and noted nothing", async () => {
    const { base, made } = await adoptable();
    const inputs = { ...base, seed: made.seed, jwt: made.jwt };
    const checked = await account.check({}, inputs);
    assert.deepEqual(checked.failures, []);
    assert.equal(checked.inputs.adoptionDrift, undefined);
    assert.equal((await account.create(checked.inputs)).outs.jwt, made.jwt);
  });

  it("adoption - claims that differ are named with both values, and up re-signs", async () => {
    const { base, made } = await adoptable();
    const inputs = { ...base, limits: { conn: 10 }, tags: ["t"], seed: made.seed, jwt: made.jwt };
    const checked = await account.check({}, inputs);
    assert.deepEqual(checked.failures, []);
    assert.deepEqual(checked.inputs.adoptionDrift, {
      "limits.conn": "jwt: 9, program: 10",
      tags: 'jwt: absent, program: ["t"]',
    });
    assert.equal(checked.inputs.jwt, undefined, "the JWT it will not keep leaves the inputs");
    const created = (await account.create(checked.inputs)).outs;
    assert.notEqual(created.jwt, made.jwt, "re-signed");
    assert.equal(created.publicKey, made.publicKey, "same key");
  });

  it("adoption - a JWT for another key, or without its seed, is called out", async () => {
    const { base, made } = await adoptable();
    const other = (await adoptable()).made;
    const wrongKey = await account.check({}, { ...base, seed: other.seed, jwt: made.jwt });
    assert.match(String(wrongKey.inputs.adoptionDrift?.jwt), /issued to A\w+, not to this seed's key/);
    const noSeed = await account.check({}, { ...base, jwt: made.jwt });
    assert.match(String(noSeed.inputs.adoptionDrift?.jwt), /without its seed/);
  });

  it("adoption - an account declared by its public key keeps an adopted JWT made for that key", async () => {
    const { base } = await adoptable();
    const owned = createKeyPair("account");
    const declared = { ...base, publicKey: owned.getPublicKey() };
    const made = (await account.create(declared)).outs;
    assert.equal(made.seed, undefined, "no seed stored");
    const checked = await account.check({}, { ...declared, jwt: made.jwt });
    assert.deepEqual(checked.failures, []);
    assert.equal(checked.inputs.adoptionDrift, undefined, "nothing to note: its seed lives elsewhere");
    assert.equal((await account.create(checked.inputs)).outs.jwt, made.jwt, "kept byte for byte");
    const other = await account.check({}, { ...declared, limits: { conn: 3 }, jwt: made.jwt });
    assert.deepEqual(other.inputs.adoptionDrift, { "limits.conn": "jwt: 9, program: 3" });
  });

  it("adoption - re-adopting a newer JWT that matches the changed inputs keeps its bytes", async () => {
    const { base, made } = await adoptable();
    const nscEdited = (await account.update!("id", made, { ...base, limits: { conn: 5 } })).outs;
    const readopt = { ...base, limits: { conn: 5 }, seed: made.seed, jwt: nscEdited.jwt };
    const updated = (await account.update!("id", made, (await account.check(made, readopt)).inputs)).outs;
    assert.equal(updated.jwt, nscEdited.jwt);
  });
});
