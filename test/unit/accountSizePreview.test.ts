/**
 * The preview measures an Account's JWT with every revocation `up` will sign, the ones recorded in
 * state included. The engine hands `check` the stored *inputs* as olds (never the outputs: checked
 * on the CLI, see docs/internals.md), so the revocations of users removed in earlier runs (the
 * Account's `removedUsers` output) are not there; `diff` gets the outputs, and refuses there what
 * `update` would refuse, before anything is signed. The calls below hand each method what the engine
 * hands it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_JWT_BYTES } from "../../core/limits";
import { createKeyPair } from "../../core/nkeys";
import type { Member } from "../../core/revocation";
import { nativeProvider } from "../../plugin/provider";
import { handler as account } from "../../provider/account";
import type { AccountProps } from "../../provider/contracts";
import { world } from "../harness/identities";

/** An account whose users left in an earlier run: its state records REMOVED revoked keys. */
async function accountAfterRemovals() {
  const w = await world();
  const base = {
    name: "BIG",
    operatorPublicKey: w.operator.publicKey,
    operatorSigningKeys: w.operator.signingKeys,
    operatorStrict: w.operator.strictSigningKeyUsage,
    signerSeed: w.operatorSigningKey.seed,
  } as AccountProps;
  const members: Member[] = Array.from({ length: REMOVED }, (_, i) => ({
    urn: `urn:pulumi:dev::p::nats-auth:index/user:User::u${i}`,
    publicKey: createKeyPair("user").getPublicKey(),
    name: `u${i}`,
  }));
  return { base, members };
}

/** About 93 bytes of JWT per revocation: enough removed users to fill most of the 1 MiB limit. */
const REMOVED = Math.floor((MAX_JWT_BYTES * 0.93) / 93);
const EXPLICIT = Math.ceil((MAX_JWT_BYTES * 0.1) / 93);

describe("account size at preview", () => {
  it("account size - a preview refuses a JWT over the limit when users removed in earlier runs fill it (check sees only inputs, diff the state)", async () => {
    const { base, members } = await accountAfterRemovals();
    // Run 1: the account with its users; run 2: the users leave (their keys are revoked).
    const in1 = (await account.check({}, { ...base, members })).inputs;
    const made = await account.create(in1);
    const in2 = (await account.check(in1, { ...base, members: [] })).inputs;
    const afterRemoval = (await account.update!(made.id, made.outs, in2)).outs;
    assert.equal(Object.keys(afterRemoval.removedUsers ?? {}).length, REMOVED);
    // Run 3: explicit revocations that fit alone but not with the removed users' entries.
    const revocations: Record<string, number> = {};
    for (let i = 0; i < EXPLICIT; i++) revocations[createKeyPair("user").getPublicKey()] = 1_700_000_000 + i;
    const news = { ...base, members: [], revocations };
    const checked = await account.check(in2, news);
    const refusedAtCheck = (checked.failures ?? []).some((f) => /over the \d+-byte limit/.test(f.reason));
    if (!refusedAtCheck) {
      await assert.rejects(
        account.diff(made.id, afterRemoval, checked.inputs),
        /Account "BIG".*over the \d+-byte limit/s,
        "the preview refuses what up refuses",
      );
    }
    await assert.rejects(account.update!(made.id, afterRemoval, checked.inputs), /over the \d+-byte limit/);
  });

  it("account size - an update of an account near the limit through users removed earlier warns at preview (diff, with the state), its check does not guess", async () => {
    const { base, members } = await accountAfterRemovals();
    const in1 = (await account.check({}, { ...base, members })).inputs;
    const made = await account.create(in1);
    const in2 = (await account.check(in1, { ...base, members: [] })).inputs;
    const stored = (await account.update!(made.id, made.outs, in2)).outs;
    const news = { ...base, members: [], limits: { conn: 5 } };
    const checked = await account.check(in2, news);
    assert.deepEqual(checked.failures ?? [], []);
    assert.deepEqual(checked.warnings ?? [], [], "check (stored inputs only) says nothing it cannot measure");
    const d = await account.diff(made.id, stored, checked.inputs);
    assert.equal(d.changes, true);
    assert.match((d.warnings ?? []).join("\n"), /Account "BIG": the account JWT is \d+ bytes, 9\d% of the/);
  });

  it("account size - the native plugin shows an Account's diff warnings on the resource", async () => {
    const { base, members } = await accountAfterRemovals();
    const seen: [string, string][] = [];
    const p = nativeProvider("0.0.0-test", { warn: (urn, message) => seen.push([urn, message]), env: {} });
    const urn = "urn:pulumi:dev::proj::nats-auth:index:Account::BIG";
    const in1 = (await p.check!(urn, {}, { ...base, members })).inputs;
    const made = await p.create!(urn, in1);
    const in2 = (await p.check!(urn, in1, { ...base, members: [] })).inputs;
    const stored = (await p.update!(made.id, urn, made.outs, in2)).outs;
    seen.length = 0;
    const in3 = (await p.check!(urn, in2, { ...base, members: [], limits: { conn: 5 } })).inputs;
    const d = await p.diff!(made.id, urn, stored, in3);
    assert.equal(d.changes, true);
    assert.equal("warnings" in d, false, "the engine gets a plain diff result");
    assert.deepEqual(
      seen.map(([u, m]) => [u, /the account JWT is \d+ bytes, 9\d% of the/.test(m)]),
      [[urn, true]],
    );
  });
});
