import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as nkeys from "@nats-io/nkeys";
import {
  createKeyPair,
  decodeSeed,
  encodeSeed,
  fromSeed,
  isPublicKey,
  publicKeyKind,
  publicKeyOf,
  seedKind,
  verifySignature,
} from "../../core/nkeys";

describe("keys", () => {
  it("keys - seeds and public keys are identical to @nats-io/nkeys for every kind", () => {
    const makers = {
      operator: nkeys.createOperator,
      account: nkeys.createAccount,
      user: nkeys.createUser,
      server: nkeys.createServer,
      cluster: nkeys.createCluster,
    } as const;
    for (const [kind, make] of Object.entries(makers)) {
      const ref = make();
      const seed = new TextDecoder().decode(ref.getSeed());
      const ours = fromSeed(seed);
      assert.equal(ours.kind, kind);
      assert.equal(ours.getPublicKey(), ref.getPublicKey());
      assert.equal(ours.seed(), seed);
      assert.deepEqual(
        new TextDecoder().decode(ours.getPrivateKey()),
        new TextDecoder().decode(ref.getPrivateKey()),
      );
    }
  });

  it("keys - curve (xkey) keys: seeds and public keys identical to @nats-io/nkeys; they never sign", () => {
    for (let i = 0; i < 5; i++) {
      const ref = nkeys.createCurve();
      const seed = new TextDecoder().decode(ref.getSeed());
      assert.equal(seedKind(seed), "curve");
      assert.equal(publicKeyOf(seed), ref.getPublicKey());
      assert.equal(publicKeyKind(ref.getPublicKey()), "curve");
      assert.ok(isPublicKey(ref.getPublicKey(), "curve"));
    }
    const ours = createKeyPair("curve");
    assert.match(ours.getPublicKey(), /^X[A-Z2-7]{55}$/);
    assert.match(ours.seed(), /^SX/);
    const ref = nkeys.fromCurveSeed(new TextEncoder().encode(ours.seed()));
    assert.equal(ref.getPublicKey(), ours.getPublicKey());
    assert.throws(() => ours.sign(new Uint8Array(1)), /cannot sign/);
  });

  it("keys - node:crypto signatures are byte-identical to nkeys' and verify both ways", () => {
    const ours = createKeyPair("account");
    const ref = nkeys.fromSeed(ours.getSeed());
    for (const text of ["", "hello", "x".repeat(10_000)]) {
      const data = new TextEncoder().encode(text);
      const a = ours.sign(data);
      const b = ref.sign(data);
      assert.deepEqual(Buffer.from(a), Buffer.from(b));
      assert.ok(ref.verify(data, a));
      assert.ok(verifySignature(ours.getPublicKey(), data, b));
      assert.ok(!verifySignature(ours.getPublicKey(), new TextEncoder().encode(`${text}!`), a));
    }
  });

  it("keys - kinds are recognised and bad keys refused without echoing the seed", () => {
    const op = createKeyPair("operator");
    assert.equal(publicKeyKind(op.getPublicKey()), "operator");
    assert.ok(isPublicKey(op.getPublicKey(), "operator"));
    assert.ok(!isPublicKey(op.getPublicKey(), "account"));
    const pk = op.getPublicKey();
    assert.ok(
      !isPublicKey(`${pk.slice(0, 30)}${pk[30] === "A" ? "B" : "A"}${pk.slice(31)}`),
      "checksum catches a typo",
    );
    assert.equal(seedKind(op.seed()), "operator");
    assert.equal(publicKeyOf(op.seed()), op.getPublicKey());
    // Change a character in the middle: the last one also carries padding bits that decode the same.
    const seed = op.seed();
    const broken = `${seed.slice(0, 20)}${seed[20] === "A" ? "B" : "A"}${seed.slice(21)}`;
    assert.throws(
      () => decodeSeed(broken),
      (e: Error) => !e.message.includes(broken) && /checksum/.test(e.message),
    );
    assert.throws(() => fromSeed(op.seed(), "account"), /operator key, expected account/);
  });

  it("keys - encodeSeed round-trips raw seeds", () => {
    const raw = new Uint8Array(32).fill(7);
    const seed = encodeSeed("user", raw);
    assert.match(seed, /^SU/);
    assert.deepEqual(Buffer.from(decodeSeed(seed).raw), Buffer.from(raw));
  });

  it("keys - a seed loaded again (public key from the process cache) signs like the first load, and a cleared pair refuses to sign", () => {
    const data = new TextEncoder().encode("payload");
    for (const kind of ["operator", "account", "user"] as const) {
      const ref = nkeys.fromSeed(createKeyPair(kind).getSeed());
      const seed = new TextDecoder().decode(ref.getSeed());
      const first = fromSeed(seed);
      const again = fromSeed(seed);
      assert.equal(again.getPublicKey(), ref.getPublicKey(), kind);
      assert.equal(publicKeyOf(seed), ref.getPublicKey(), kind);
      assert.deepEqual(Buffer.from(again.sign(data)), Buffer.from(ref.sign(data)), `${kind}: same signature`);
      assert.deepEqual(Buffer.from(first.sign(data)), Buffer.from(ref.sign(data)), kind);
      // Same raw bytes under another kind prefix is another identity, not a cache hit.
      const other = kind === "user" ? "account" : "user";
      const sameBytes = fromSeed(encodeSeed(other, decodeSeed(seed).raw));
      assert.equal(publicKeyKind(sameBytes.getPublicKey()), other);
      const cleared = fromSeed(seed);
      cleared.clear();
      assert.throws(() => cleared.sign(data), /cleared/);
    }
  });
});
