import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decode } from "@nats-io/jwt";
import { accountClaims, operatorClaims, userClaims } from "../../core/claims";
import { formatCreds, parseCreds } from "../../core/creds";
import { decodeJwt, sign } from "../../core/jwt";
import { createKeyPair, verifySignature } from "../../core/nkeys";
import { claimsHash, normalize } from "../../core/normalize";

describe("claims", () => {
  const op = createKeyPair("operator");
  const acct = createKeyPair("account");
  const user = createKeyPair("user");

  it("claims - an account always carries every limit, -1 for unlimited", () => {
    const c = accountClaims("A", acct.getPublicKey(), op.getPublicKey(), {});
    assert.deepEqual(c.nats.limits, {
      subs: -1,
      data: -1,
      payload: -1,
      imports: -1,
      exports: -1,
      wildcards: true,
      conn: -1,
      leaf: -1,
      disallow_bearer: undefined,
      mem_storage: 0,
      disk_storage: 0,
      streams: 0,
      consumer: 0,
      mem_max_stream_bytes: undefined,
      disk_max_stream_bytes: undefined,
      max_bytes_required: undefined,
      max_ack_pending: undefined,
      tiered_limits: undefined,
    });
  });

  it("claims - user time zone is written as times_location and resp.ttl in nanoseconds", () => {
    const c = userClaims(
      "u",
      user.getPublicKey(),
      acct.getPublicKey(),
      {
        timeZone: "Europe/Berlin",
        times: [{ start: "08:00:00", end: "17:00:00" }],
        resp: { maxMsgs: 1, ttl: "1.5s" },
      },
      {},
    );
    assert.equal(c.nats.times_location, "Europe/Berlin");
    assert.equal((c.nats as Record<string, unknown>).locale, undefined);
    assert.deepEqual(c.nats.resp, { max: 1, ttl: 1_500_000_000 });
  });

  it("claims - a scoped user carries no permissions or limits, a signing-key user names its account", () => {
    const c = userClaims(
      "u",
      user.getPublicKey(),
      "ASK",
      { pub: { allow: ["a"] } },
      {
        issuerAccount: acct.getPublicKey(),
        scoped: true,
      },
    );
    assert.equal(c.nats.pub, undefined);
    assert.equal(c.nats.subs, undefined);
    assert.equal(c.nats.issuer_account, acct.getPublicKey());
  });

  it("claims - the hash ignores iat, jti, key order and nil vs empty lists", () => {
    const a = accountClaims("A", acct.getPublicKey(), op.getPublicKey(), { tags: [], imports: [] });
    const b = accountClaims("A", acct.getPublicKey(), op.getPublicKey(), {});
    assert.equal(claimsHash(a), claimsHash(b));
    assert.equal(claimsHash({ ...a, iat: 1, jti: "x" }), claimsHash(b));
    const reordered = JSON.parse(JSON.stringify({ nats: a.nats, sub: a.sub, name: a.name, iss: a.iss }));
    assert.equal(claimsHash(reordered), claimsHash(a));
    const c = accountClaims("A", acct.getPublicKey(), op.getPublicKey(), { limits: { conn: 5 } });
    assert.notEqual(claimsHash(c), claimsHash(a));
    assert.deepEqual(normalize({ a: [], b: {}, c: null, d: "", e: 0, f: false, g: -1, h: true }), {
      g: -1,
      h: true,
    });
  });

  it("claims - signed JWTs verify, decode with @nats-io/jwt and hash like their claims", async () => {
    const claims = operatorClaims("op", op.getPublicKey(), { signingKeys: [], strictSigningKeyUsage: true });
    const jwt = await sign(claims, op);
    const [h, b, s] = jwt.split(".");
    assert.ok(verifySignature(op.getPublicKey(), Buffer.from(`${h}.${b}`), Buffer.from(s, "base64url")));
    const decoded = decode<Record<string, unknown>>(jwt);
    assert.equal(decoded.iss, op.getPublicKey());
    assert.equal(decoded.nats.strict_signing_key_usage, true);
    assert.equal(claimsHash(decodeJwt(jwt)), claimsHash(claims));
    const again = await sign(claims, op);
    assert.equal(claimsHash(decodeJwt(again)), claimsHash(decodeJwt(jwt)));
  });

  it("claims - creds text round-trips", () => {
    const creds = formatCreds("a.b.c", user.seed());
    assert.deepEqual(parseCreds(creds), { jwt: "a.b.c", seed: user.seed() });
  });
});
