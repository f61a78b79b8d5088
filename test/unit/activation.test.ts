/**
 * Activation tokens without a server: subject containment as the jwt library has it, which export a
 * token activates, revocation bookkeeping (a removed token revokes its importer at the token's iat,
 * in the export that holds it), and the token and Account handlers end to end in memory.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ActivationMember,
  departedActivations,
  exportForToken,
  exportsWithRevocations,
  nextRevokedActivations,
  revokedSurvivors,
  subjectContains,
} from "../../core/activation";
import type { Export } from "../../core/claimInputs";
import { decodeJwt, signatureValid } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import { handler as account } from "../../provider/account";
import { handler as activationToken } from "../../provider/activationToken";
import type { AccountProps, ActivationTokenProps } from "../../provider/contracts";

const IMP = createKeyPair("account").getPublicKey();
const IMP2 = createKeyPair("account").getPublicKey();
const EXPORTS: Export[] = [
  { subject: "billing.>", type: "service", tokenRequired: true },
  { subject: "feed.*", type: "stream", tokenRequired: true, revocations: { [IMP2]: 5 } },
];
const tok = (urn: string, issuedAt: number, extra: Partial<ActivationMember> = {}): ActivationMember => ({
  urn,
  importer: IMP,
  subject: "billing.invoice",
  type: "service",
  issuedAt,
  ...extra,
});

describe("activation", () => {
  it("activation - subject containment follows nats-io/jwt IsContainedIn", () => {
    const cases: [string, string, boolean][] = [
      ["billing.>", "billing.invoice", true],
      ["billing.>", "billing.a.b", true],
      ["billing.>", "billing", false],
      ["billing.*", "billing.x", true],
      ["billing.*", "billing.*", true],
      // The library's rule compares token by token: a '*' of the outer subject takes any token, '>' too.
      ["billing.*", "billing.>", true],
      ["billing.*", "billing.x.y", false],
      [">", "anything.at.all", true],
      ["a.b", "a.b", true],
      ["a.b", "a.c", false],
    ];
    for (const [outer, inner, want] of cases) {
      assert.equal(subjectContains(outer, inner), want, `${inner} in ${outer}`);
    }
  });

  it("activation - a token activates the private export of its kind that holds its subject", () => {
    const found = exportForToken(EXPORTS, "billing.invoice", "service");
    assert.ok("export" in found && found.index === 0);
    assert.match(
      (exportForToken([{ subject: "p.>", type: "service" }], "p.x", "service") as { problem: string })
        .problem,
      /is public/,
    );
    assert.match(
      (exportForToken(EXPORTS, "feed.x", "service") as { problem: string }).problem,
      /as a stream/,
    );
    assert.match((exportForToken([], "x", "stream") as { problem: string }).problem, /it has no exports/);
  });

  it("activation - removed or re-issued tokens depart; unknown issue times and opted-out tokens do not", () => {
    const before = [tok("t:a", 100), tok("t:b", 100), tok("t:c", 100, { revokeOnDelete: false })];
    assert.deepEqual(
      departedActivations(before, [tok("t:b", 100)]).map((m) => m.urn),
      ["t:a"],
    );
    assert.deepEqual(
      departedActivations(before, [tok("t:a", 200), tok("t:b", 100), tok("t:c", 100)]).map((m) => m.urn),
      ["t:a"],
      "re-issued",
    );
    const known = (v: unknown) => v !== "?";
    const pending = [
      { ...tok("t:a", 0), issuedAt: "?" as unknown as number },
      tok("t:b", 100),
      tok("t:c", 1),
    ];
    assert.deepEqual(departedActivations(before, pending, known), []);
  });

  it("activation - a departed token revokes its importer at its iat in its export; pruned after its expiry", () => {
    const r = nextRevokedActivations(undefined, [tok("t:a", 100, { expires: 300, name: "a" })], EXPORTS, 150);
    assert.deepEqual(Object.values(r), [
      { importer: IMP, type: "service", exportSubject: "billing.>", at: 100, expires: 300, name: "a" },
    ]);
    assert.deepEqual(nextRevokedActivations(r, [], EXPORTS, 301), {}, "pruned once the token expired");
    assert.deepEqual(nextRevokedActivations(r, [], EXPORTS, 299), r, "kept until then");
    assert.deepEqual(nextRevokedActivations(undefined, [tok("t:x", 1, { expires: 10 })], EXPORTS, 20), {});
    assert.deepEqual(
      nextRevokedActivations(undefined, [tok("t:gone", 1, { subject: "gone.x" })], EXPORTS, 20),
      {},
      "a token whose export is gone activates nothing",
    );
    const later = nextRevokedActivations(r, [tok("t:b", 120)], EXPORTS, 150);
    assert.equal(Object.values(later)[0].at, 120, "the latest removed token of the importer wins");
    assert.equal(
      Object.values(later)[0].expires,
      undefined,
      "a token without expiry keeps the entry forever",
    );

    const jwtExports = exportsWithRevocations(EXPORTS, r);
    assert.deepEqual(jwtExports?.[0].revocations, { [IMP]: 100 });
    assert.deepEqual(jwtExports?.[1].revocations, { [IMP2]: 5 }, "explicit export revocations are kept");
    assert.equal(exportsWithRevocations(EXPORTS, {}), EXPORTS);

    assert.deepEqual(
      revokedSurvivors([tok("t:old", 90), tok("t:new", 101)], r, EXPORTS).map((s) => s.member.urn),
      ["t:old"],
      "an older token of the same importer and export is revoked with it",
    );
  });

  it("activation - the handlers: a token signed by the exporter; its removal re-signs the account with the revocation", async () => {
    const op = createKeyPair("operator");
    const exporter = createKeyPair("account");
    const props: ActivationTokenProps = {
      name: "shop",
      signerSeed: exporter.seed(),
      exporterPublicKey: exporter.getPublicKey(),
      exporterExports: EXPORTS,
      importer: IMP,
      subject: "billing.invoice",
      type: "service",
    };
    assert.deepEqual((await activationToken.check({}, props)).failures, []);
    const { outs } = await activationToken.create(props);
    const claims = decodeJwt(outs.token);
    assert.equal(claims.sub, IMP);
    assert.equal(claims.iss, exporter.getPublicKey());
    assert.equal(claims.iat, outs.issuedAt);
    assert.deepEqual(claims.nats, {
      type: "activation",
      version: 2,
      subject: "billing.invoice",
      kind: "service",
    });
    assert.ok(signatureValid(outs.token, exporter.getPublicKey()));
    assert.deepEqual(await activationToken.diff("id", outs, props), { changes: false });
    assert.deepEqual(await activationToken.diff("id", outs, { ...props, subject: "billing.x" }), {
      changes: true,
    });

    const member = tok("urn:shop", outs.issuedAt, { name: "shop" });
    const acct: AccountProps = {
      name: "BILLING",
      seed: exporter.seed(),
      signerSeed: op.seed(),
      operatorPublicKey: op.getPublicKey(),
      exports: EXPORTS,
      activations: [member],
    };
    const created = (await account.create(acct)).outs;
    assert.equal(
      (decodeJwt(created.jwt).nats.exports as Export[])[0].revocations,
      undefined,
      "nothing revoked yet",
    );
    const without = { ...acct, activations: [] };
    assert.deepEqual(await account.diff("id", created, without), { changes: true });
    const updated = (await account.update!("id", created, without)).outs;
    assert.deepEqual((decodeJwt(updated.jwt).nats.exports as Export[])[0].revocations, {
      [IMP]: outs.issuedAt,
    });
    assert.deepEqual(await account.diff("id", updated, without), { changes: false }, "recorded once");
  });
});
