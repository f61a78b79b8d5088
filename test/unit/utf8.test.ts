/**
 * Text in JWTs is UTF-8 (issue 20, item 1): names, tags and subjects with Latin-1, CJK and emoji
 * characters are signed as UTF-8 and read back unchanged; control characters are refused at check,
 * naming the field; and a JWT that 0.1.0 signed with such text (Latin-1 bytes, which servers read as
 * U+FFFD) is seen as different from the declared claims, re-signed by one update, then stable.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { Algorithms, encode } from "@nats-io/jwt";
import { activationClaims } from "../../core/activation";
import type { WireClaims } from "../../core/claims";
import { accountClaims } from "../../core/claims";
import { decodeJwt, sign, signatureValid } from "../../core/jwt";
import { createKeyPair, fromSeed, type NKeyPair } from "../../core/nkeys";
import { claimsHash } from "../../core/normalize";
import { handler as account, accountSpec } from "../../provider/account";
import { handler as activationToken } from "../../provider/activationToken";
import type { Handler } from "../../provider/kit/handler";
import { handler as operator, operatorSpec } from "../../provider/operator";
import { handler as user, userSpec } from "../../provider/user";

/** Latin-1 (U+0080–U+00FF), CJK and emoji (outside the BMP: a surrogate pair in JS). */
const NAMES = { latin1: "Zürich café", cjk: "東京の口座", emoji: "rocket 🚀 team" };
const SUBJECTS = { latin1: "café.>", cjk: "東京.*", emoji: "🚀.launch" };

/** What 0.1.0 signed with: @nats-io/jwt's encoder (btoa over the UTF-16 text: Latin-1 bytes). */
async function signedBy010(claims: WireClaims, signer: NKeyPair): Promise<string> {
  const body = JSON.parse(JSON.stringify(claims)) as WireClaims;
  delete body.jti;
  delete body.iat;
  return encode(
    Algorithms.v2,
    body as unknown as Parameters<typeof encode>[1],
    signer as unknown as Parameters<typeof encode>[2],
  );
}

/** The body segment's bytes, which must be well-formed UTF-8 (a fatal decoder throws otherwise). */
function bodyText(jwt: string): string {
  return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(jwt.split(".")[1], "base64url"));
}

async function created<P extends object, S extends P>(h: Handler<P, S>, inputs: P): Promise<S> {
  const check = await h.check({}, inputs);
  assert.deepEqual(check.failures, [], JSON.stringify(check.failures));
  return (await h.create(inputs)).outs;
}

describe("utf8", () => {
  const op = createKeyPair("operator");
  const acct = createKeyPair("account");

  it("utf8 - a JWT body is base64url of UTF-8 JSON: Latin-1, CJK and emoji names, tags and subjects come back unchanged", async () => {
    for (const [kind, name] of Object.entries(NAMES)) {
      const subject = SUBJECTS[kind as keyof typeof SUBJECTS];
      const claims = accountClaims(name, acct.getPublicKey(), op.getPublicKey(), {
        tags: [name],
        description: `${name} – “quoted”`,
        exports: [{ subject, type: "stream", name }],
      });
      const jwt = await sign(claims, op);
      const text = bodyText(jwt);
      const back = decodeJwt(jwt);
      assert.equal(text, JSON.stringify(back), `${kind}: the body is exactly the UTF-8 of the JSON`);
      assert.equal(back.name, name, kind);
      assert.deepEqual(back.nats.tags, [name], kind);
      assert.equal((back.nats.exports as { subject: string }[])[0].subject, subject, kind);
      assert.equal(claimsHash(back), claimsHash(claims), `${kind}: hashes like its claims`);
      assert.ok(signatureValid(jwt, op.getPublicKey()), `${kind}: signature verifies`);
      // The bytes on the wire: "ü" is C3 BC in UTF-8 (FC alone in Latin-1).
      if (kind === "latin1") assert.ok(Buffer.from(jwt.split(".")[1], "base64url").includes("ü", 0, "utf8"));
    }
  });

  it("utf8 - iss, iat and jti keep their meaning: signer key, signing second, base64 SHA-512 of the claims without jti", async () => {
    const before = Math.floor(Date.now() / 1000);
    const jwt = await sign(accountClaims(NAMES.emoji, acct.getPublicKey(), op.getPublicKey(), {}), op);
    const header = JSON.parse(Buffer.from(jwt.split(".")[0], "base64url").toString("utf8"));
    assert.deepEqual(header, { typ: "JWT", alg: "ed25519-nkey" });
    const c = decodeJwt(jwt);
    assert.equal(c.iss, op.getPublicKey());
    assert.ok(typeof c.iat === "number" && c.iat >= before && c.iat <= Math.floor(Date.now() / 1000) + 1);
    assert.equal(c.nats.version, 2);
    const { jti, ...rest } = c;
    assert.equal(jti, createHash("sha512").update(JSON.stringify(rest), "utf8").digest("base64"));
  });

  it("utf8 - Operator, Account, User and ActivationToken handlers sign such names and subjects as UTF-8", async () => {
    const o = await created(operator, { name: NAMES.cjk, tags: [NAMES.latin1] });
    assert.equal(decodeJwt(o.jwt).name, NAMES.cjk);
    assert.deepEqual(decodeJwt(o.jwt).nats.tags, [NAMES.latin1]);
    const base = { operatorPublicKey: o.publicKey, signerSeed: String(o.seed) };
    const exporter = await created(account, {
      ...base,
      name: NAMES.latin1,
      exports: [{ subject: SUBJECTS.latin1, type: "stream" as const, tokenRequired: true }],
    });
    assert.equal(decodeJwt(exporter.jwt).name, NAMES.latin1);
    const u = await created(user, {
      name: NAMES.emoji,
      accountPublicKey: exporter.publicKey,
      signerSeed: String(exporter.seed),
      pub: { allow: [SUBJECTS.latin1, SUBJECTS.cjk, SUBJECTS.emoji] },
    });
    assert.equal(decodeJwt(u.jwt).name, NAMES.emoji);
    assert.deepEqual((decodeJwt(u.jwt).nats.pub as { allow: string[] }).allow, Object.values(SUBJECTS));
    const t = await created(activationToken, {
      name: NAMES.cjk,
      exporterPublicKey: exporter.publicKey,
      exporterExports: exporter.exports,
      importer: acct.getPublicKey(),
      signerSeed: String(exporter.seed),
      subject: "café.x",
      type: "stream" as const,
    });
    assert.equal(decodeJwt(t.token).name, NAMES.cjk);
    assert.equal(decodeJwt(t.token).nats.subject, "café.x");
  });

  it("utf8 - control characters and lone surrogates in names, tags, subjects and other text are refused at check, naming the field", async () => {
    const o = await created(operator, { name: "op" });
    const base = { operatorPublicKey: o.publicKey, signerSeed: String(o.seed) };
    const props = (r: { failures: { property: string }[] }) => r.failures.map((f) => f.property).sort();
    const a = await account.check(
      {},
      {
        ...base,
        name: "bad\tname",
        tags: ["ok", "a\nb"],
        description: "nul\u0000here",
        infoUrl: "https://x.example/\u0085",
        exports: [
          { subject: "café\u0000.x", type: "stream" as const, name: "e\u001b[31m" },
          { subject: "ok.>", type: "service" as const, description: "half \ud800 pair" },
        ],
        imports: [
          {
            subject: "in.x",
            localSubject: "here\u007f.x",
            account: acct.getPublicKey(),
            type: "stream" as const,
          },
        ],
        mappings: { "from\u0001.x": [{ subject: "to.x" }], orders: [{ subject: "to.\u0000" }] },
        defaultPermissions: { pub: { allow: ["p\u009b.x"] } },
      },
    );
    assert.deepEqual(props(a), [
      "defaultPermissions.pub.allow[0]",
      "description",
      "exports[0].name",
      "exports[0].subject",
      "exports[1].description",
      "imports[0].localSubject",
      "infoUrl",
      'mappings["from\u0001.x"]',
      'mappings["orders"][0].subject',
      "name",
      "tags[1]",
    ]);
    assert.equal(a.failures.length, 11, "one failure per field, though a subject is also text");
    for (const f of a.failures) {
      assert.match(f.reason, /control character U\+[0-9A-F]{4}|lone surrogate/, `${f.property}: ${f.reason}`);
    }
    assert.match(a.failures.find((f) => f.property === "name")!.reason, /U\+0009 \(tab\)/);
    const u = await user.check(
      {},
      {
        name: "line\nbreak",
        accountPublicKey: acct.getPublicKey(),
        signerSeed: acct.seed(),
        tags: ["t\r"],
        sub: { deny: ["a.\u0000"] },
        signedByIdentity: true,
      },
    );
    assert.deepEqual(props(u), ["name", "sub.deny[0]", "tags[0]"]);
    const opBad = await operator.check({}, { name: "op\u0000", tags: ["x\u2028y", "z\u0008"] });
    assert.deepEqual(props(opBad), ["name", "tags[1]"], "U+2028 is text, U+0008 a control");
    const t = await activationToken.check(
      {},
      {
        name: "tok\n",
        exporterPublicKey: acct.getPublicKey(),
        importer: createKeyPair("account").getPublicKey(),
        signerSeed: acct.seed(),
        subject: "a.\tb",
        type: "stream" as const,
        signedByIdentity: true,
      },
    );
    assert.deepEqual(props(t), ["name", "subject"]);
  });

  it("utf8 - a JWT signed by an earlier release (0.1.0) with such text, in Latin-1 bytes, is re-signed by one update, then stable", async () => {
    const o = await created(operator, { name: NAMES.latin1 });
    const oInputs = { name: NAMES.latin1 };
    const aInputs = {
      name: NAMES.latin1,
      operatorPublicKey: o.publicKey,
      signerSeed: String(o.seed),
      exports: [{ subject: SUBJECTS.latin1, type: "stream" as const, tokenRequired: true }],
    };
    const a = await created(account, aInputs);
    const uInputs = {
      name: "Zoë",
      accountPublicKey: a.publicKey,
      signerSeed: String(a.seed),
      pub: { allow: [SUBJECTS.latin1] },
    };
    const u = await created(user, uInputs);
    const tInputs = {
      name: "für B",
      exporterPublicKey: a.publicKey,
      exporterExports: a.exports,
      importer: acct.getPublicKey(),
      signerSeed: String(a.seed),
      subject: "café.x",
      type: "stream" as const,
    };
    const t = await created(activationToken, tInputs);
    const opKey = fromSeed(String(o.seed));
    const acctKey = fromSeed(String(a.seed));
    // State as 0.1.0 left it: the same claims hash, but JWTs in Latin-1 bytes.
    const cases = [
      {
        what: "operator",
        h: operator as Handler<object, object>,
        declared: o.jwt,
        olds: { ...o, jwt: await signedBy010(operatorSpec.claims(oInputs, o.publicKey, o.publicKey), opKey) },
        news: oInputs,
        jwtOf: (s: { jwt?: string }) => String(s.jwt),
      },
      {
        what: "account",
        h: account as Handler<object, object>,
        declared: a.jwt,
        olds: { ...a, jwt: await signedBy010(accountSpec.claims(aInputs, a.publicKey, o.publicKey), opKey) },
        news: aInputs,
        jwtOf: (s: { jwt?: string }) => String(s.jwt),
      },
      {
        what: "user",
        h: user as Handler<object, object>,
        declared: u.jwt,
        olds: { ...u, jwt: await signedBy010(userSpec.claims(uInputs, u.publicKey, a.publicKey), acctKey) },
        news: uInputs,
        jwtOf: (s: { jwt?: string }) => String(s.jwt),
      },
      {
        what: "activation token",
        h: activationToken as Handler<object, object>,
        declared: t.token,
        olds: {
          ...t,
          token: await signedBy010(
            activationClaims(tInputs.name, tInputs.importer, a.publicKey, a.publicKey, tInputs),
            acctKey,
          ),
        },
        news: tInputs,
        jwtOf: (s: { token?: string }) => String(s.token),
      },
    ];
    for (const c of cases) {
      const stale = decodeJwt(c.jwtOf(c.olds));
      assert.ok(stale.name?.includes("\ufffd"), `${c.what}: 0.1.0's JWT reads as U+FFFD in UTF-8`);
      const d = await c.h.diff("id", c.olds as never, c.news as never);
      assert.equal(d.changes, true, `${c.what}: a Latin-1 JWT differs from the declared claims`);
      const outs = (await c.h.update!("id", c.olds as never, c.news as never)).outs as { jwt?: string };
      const fresh = decodeJwt(c.jwtOf(outs));
      assert.equal(claimsHash(fresh), claimsHash(decodeJwt(c.declared)), `${c.what}: re-signed as declared`);
      assert.ok(!JSON.stringify(fresh).includes("\ufffd"), c.what);
      const again = await c.h.diff("id", outs as never, c.news as never);
      assert.equal(again.changes, false, `${c.what}: converged after one update`);
    }
  });
});
