/**
 * The `claims` output (issue 23): what each identity's JWT says, decoded as `nsc describe --json`
 * prints it, for the native plugin (kit/derived.ts) and the TypeScript SDK (derived from `jwt`).
 * An account's revocations are summarised as a count, so 10,000 of them do not double its state.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeJwt, describeJwt } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import { handler as account } from "../../provider/account";
import { handler as activationToken } from "../../provider/activationToken";
import type { AccountProps } from "../../provider/contracts";
import { withDerivedOutputs } from "../../provider/kit/derived";
import { handler as operator } from "../../provider/operator";
import { handler as user } from "../../provider/user";

const bytes = (x: unknown) => Buffer.byteLength(JSON.stringify(x));

describe("claims output", () => {
  const op = createKeyPair("operator");
  const acct = createKeyPair("account");

  it("claims output - operator, account, user and activation token outputs carry their decoded JWT", async () => {
    const opOuts = (await operator.create({ name: "OP" })).outs;
    const opClaims = withDerivedOutputs("operator", opOuts).claims as Record<string, unknown>;
    assert.deepEqual(opClaims, decodeJwt(opOuts.jwt));
    assert.equal((opClaims.nats as { type: string }).type, "operator");

    const props: AccountProps = {
      name: "APP",
      seed: acct.seed(),
      signerSeed: op.seed(),
      operatorPublicKey: op.getPublicKey(),
      limits: { conn: 7 },
      exports: [{ subject: "svc.>", type: "service", tokenRequired: true }],
    };
    const appOuts = (await account.create(props)).outs;
    const appClaims = withDerivedOutputs("account", appOuts).claims as {
      sub: string;
      name: string;
      nats: { limits: { conn: number }; revocationCount?: number };
    };
    assert.equal(appClaims.sub, acct.getPublicKey());
    assert.equal(appClaims.name, "APP");
    assert.equal(appClaims.nats.limits.conn, 7);
    assert.equal(appClaims.nats.revocationCount, undefined, "no revocations: nothing to count");

    const u = (
      await user.create({
        name: "u",
        signerSeed: acct.seed(),
        accountPublicKey: acct.getPublicKey(),
        signedByIdentity: true,
        pub: { allow: ["a.>"] },
      })
    ).outs;
    const uClaims = withDerivedOutputs("user", u).claims as { nats: { pub: unknown; type: string } };
    assert.deepEqual(uClaims.nats.pub, { allow: ["a.>"] });
    assert.equal(uClaims.nats.type, "user");

    const tok = (
      await activationToken.create({
        name: "t",
        signerSeed: acct.seed(),
        exporterPublicKey: acct.getPublicKey(),
        exporterExports: props.exports,
        importer: createKeyPair("account").getPublicKey(),
        subject: "svc.a",
        type: "service",
      })
    ).outs;
    const tClaims = withDerivedOutputs("activationToken", tok).claims as { nats: { subject: string } };
    assert.equal(tClaims.nats.subject, "svc.a");
  });

  it("claims output - 10,000 revocations are a count: the account's outputs grow by a few bytes, not by the map", async () => {
    const base = createKeyPair("user").getPublicKey().slice(0, 40);
    const revocations: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) revocations[`${base}${String(i).padStart(16, "0")}`] = 1700000000 + i;
    const outs = (
      await account.create({
        name: "BIG",
        seed: acct.seed(),
        signerSeed: op.seed(),
        operatorPublicKey: op.getPublicKey(),
        revocations,
      })
    ).outs;
    const withClaims = withDerivedOutputs("account", outs);
    const claims = withClaims.claims as { nats: { revocationCount: number; revocations?: unknown } };
    assert.equal(claims.nats.revocationCount, 10_000);
    assert.equal(claims.nats.revocations, undefined);
    assert.ok(bytes(claims) < 2_000, `claims are ${bytes(claims)} bytes`);
    assert.ok(bytes(withClaims) < bytes(outs) + 2_000, `${bytes(withClaims)} vs ${bytes(outs)} bytes`);
    assert.equal(describeJwt(undefined), undefined);
  });
});
