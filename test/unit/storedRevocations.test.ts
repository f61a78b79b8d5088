/**
 * Issue 26: an Account's `revocations` input is stored packed from 64 entries on (checkpoint growth
 * ≤ 1.5× the account JWT), and whatever form state holds, the JWT signed carries exactly the
 * program's revocations: through the dynamic provider's handler and through the native plugin, at
 * create, at an update, and with no change (which must diff as none).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeJwt } from "../../core/jwt";
import { createKeyPair, encodePublicKey } from "../../core/nkeys";
import { jwtRevocations, type RevocationTime, resolveRevocations } from "../../core/revocation";
import { nativeProvider, SECRET_SIG } from "../../plugin/provider";
import { handler as account } from "../../provider/account";
import type { AccountProps, AccountState } from "../../provider/contracts";
import {
  PACK_FROM,
  PACKED_PREFIX,
  packRevocations,
  unpackRevocations,
} from "../../provider/kit/storedRevocations";

type Map = Record<string, RevocationTime>;
type Obj = Record<string, unknown>;
const operatorKey = createKeyPair("operator");

/** A deterministic generator (mulberry32): every run draws the same cases. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const userKey = (rnd: () => number) =>
  encodePublicKey(
    "user",
    Uint8Array.from({ length: 32 }, () => Math.floor(rnd() * 256)),
  );

/** A program's revocations: unix seconds mostly, some "now", some ISO dates, sometimes a past "*". */
function programMap(rnd: () => number, size: number): Map {
  const out: Map = {};
  for (let i = 0; i < size; i++) {
    const r = rnd();
    out[userKey(rnd)] =
      r < 0.1
        ? "now"
        : r < 0.2
          ? new Date(Math.floor(1.6e9 + rnd() * 1e8) * 1000).toISOString()
          : Math.floor(1.6e9 + rnd() * 1e8);
  }
  if (rnd() < 0.2) out["*"] = Math.floor(1.6e9 + rnd() * 5e7);
  return out;
}

/** `m` with some entries dropped, some times changed and some added (or unchanged). */
function mutate(rnd: () => number, m: Map): Map {
  if (rnd() < 0.3) return { ...m };
  const out: Map = {};
  for (const [k, v] of Object.entries(m)) {
    const r = rnd();
    if (r < 0.05) continue;
    out[k] = r < 0.1 && k !== "*" ? (v === "now" ? 1650000000 : "now") : v;
  }
  for (let i = Math.floor(rnd() * 3); i > 0; i--) out[userKey(rnd)] = Math.floor(1.6e9 + rnd() * 1e8);
  return out;
}

function props(revocations: Map | undefined, seed: string): AccountProps {
  return {
    name: "APP",
    seed,
    operatorPublicKey: operatorKey.getPublicKey(),
    signerSeed: operatorKey.seed(),
    ...(revocations ? { revocations } : {}),
  } as AccountProps;
}

const signed = (jwt: string) => (decodeJwt(jwt).nats as { revocations?: Record<string, number> }).revocations;
/** What the JWT must carry for the program's map (no users left the program here). */
const expected = (m: Map, recorded: Record<string, number> | undefined) =>
  jwtRevocations(resolveRevocations(m, recorded, Number.NaN), {});

/**
 * The two front ends as the engine drives them: check(old inputs, program) → create/update(checked)
 * and diff(outputs, checked). The plugin's values cross its secret wrapping as on the wire.
 */
interface Front {
  name: string;
  check(olds: Obj, news: Obj): Promise<{ inputs: Obj; failures: unknown[] }>;
  create(inputs: Obj): Promise<{ id: string; outs: Obj }>;
  diff(id: string, olds: Obj, news: Obj): Promise<{ changes?: boolean }>;
  update(id: string, olds: Obj, news: Obj): Promise<{ outs: Obj }>;
}
const plugin = nativeProvider("0.0.0-test");
const URN = "urn:pulumi:dev::proj::nats-auth:index:Account::APP";
const unwrap = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(unwrap);
  if (v && typeof v === "object") {
    if ((v as Obj)[SECRET_SIG] !== undefined) return unwrap((v as Obj).value);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
  }
  return v;
};
const FRONTS: Front[] = [
  {
    name: "dynamic",
    check: (o, n) => account.check(o, n as never) as never,
    create: (i) => account.create(i as never) as never,
    diff: (id, o, n) => account.diff(id, o as never, n as never),
    update: (id, o, n) => account.update!(id, o as never, n as never) as never,
  },
  {
    name: "plugin",
    check: (o, n) => plugin.check!(URN, o, n) as never,
    create: async (i) => {
      const r = await plugin.create!(URN, i);
      return { id: r.id, outs: r.outs as Obj };
    },
    diff: (id, o, n) => plugin.diff!(id, URN, o, n) as never,
    update: async (id, o, n) => ({ outs: (await plugin.update!(id, URN, o, n)).outs as Obj }),
  },
];

describe("stored revocations", () => {
  it("stored revocations - 1,000 explicit revocations are stored in the Account's checked inputs in at most 48 bytes an entry (the JWT takes 93)", async () => {
    const rnd = random(1);
    const map: Map = {};
    for (let i = 0; i < 1000; i++) map[userKey(rnd)] = 1700000000 + i * 7;
    for (const front of FRONTS) {
      const r = await front.check({}, props(map, createKeyPair("account").seed()) as unknown as Obj);
      assert.deepEqual(r.failures, []);
      const bytes = JSON.stringify(r.inputs.revocations).length;
      assert.ok(bytes <= 48 * 1000, `${front.name}: ${bytes} bytes for 1,000 entries`);
    }
  });

  it("stored revocations - a map under 64 entries is stored as given (readable in state and in --diff)", async () => {
    const rnd = random(2);
    const map = programMap(rnd, PACK_FROM - 1);
    delete map["*"];
    const r = await account.check({}, props(map, createKeyPair("account").seed()));
    assert.deepEqual(r.inputs.revocations, map);
  });

  it("stored revocations - packing is lossless for any map of times (dates, now, *, non-user keys, odd numbers) and unknowns stay as given", () => {
    const rnd = random(3);
    for (let round = 0; round < 40; round++) {
      const m: Record<string, number | string> = programMap(rnd, PACK_FROM + Math.floor(rnd() * 300));
      m[createKeyPair("account").getPublicKey()] = 5;
      m["not-a-key"] = -1.5;
      m[`U${"A".repeat(55)}`] = Number.MAX_SAFE_INTEGER + 2;
      m[userKey(rnd)] = 0;
      m[userKey(rnd)] = Number.MAX_SAFE_INTEGER;
      const stored = packRevocations(m);
      assert.ok(typeof stored === "string" && stored.startsWith(PACKED_PREFIX));
      assert.deepEqual(unpackRevocations(stored), m);
      assert.deepEqual(unpackRevocations(JSON.parse(JSON.stringify(stored))), m);
    }
    const withUnknown = programMap(rnd, 100);
    withUnknown[userKey(rnd)] = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    assert.equal(packRevocations(withUnknown), withUnknown);
    assert.equal(unpackRevocations(withUnknown), withUnknown, "a map is read as it is");
  });

  it("stored revocations - a packed form that was changed by other means is refused, never read as another list", () => {
    const rnd = random(4);
    const lines = String(packRevocations(programMap(rnd, 100))).split("\n");
    for (const bad of [
      [lines[0], lines[1].slice(0, 30)].join("\n"),
      [lines[0], "zz@@@"].join("\n"),
      [...lines, "{oops"].join("\n"),
      [...lines, lines[1]].join("\n"),
      [`${PACKED_PREFIX}x`, ...lines.slice(1)].join("\n"),
    ]) {
      assert.throws(
        () => unpackRevocations(bad),
        /revocations: the packed form stored in state cannot be read/,
      );
    }
  });

  it("stored revocations - property: the JWT signed at create and at each update carries exactly the program's map, and an unchanged map diffs as no change (dynamic and plugin)", async () => {
    for (const front of FRONTS) {
      const rnd = random(5);
      for (let round = 0; round < 12; round++) {
        const sizes = [0, 3, PACK_FROM - 1, PACK_FROM, PACK_FROM + 1, 150, 400];
        const seed = createKeyPair("account").seed();
        let program = programMap(rnd, sizes[round % sizes.length]);
        const first = await front.check({}, props(program, seed) as unknown as Obj);
        assert.deepEqual(first.failures, [], `${front.name} round ${round}`);
        const created = await front.create(first.inputs);
        let outs = unwrap(created.outs) as AccountState;
        let inputs = first.inputs;
        assert.deepEqual(signed(outs.jwt), expected(program, outs.revocationTimes), `${front.name} create`);
        for (let step = 0; step < 3; step++) {
          const next = mutate(rnd, program);
          const checked = await front.check(inputs, props(next, seed) as unknown as Obj);
          assert.deepEqual(checked.failures, []);
          const d = await front.diff(created.id, created.outs, checked.inputs);
          const same = JSON.stringify(next) === JSON.stringify(program);
          if (same) assert.equal(d.changes, false, `${front.name}: the same map diffs as no change`);
          if (!d.changes) {
            assert.deepEqual(
              signed(outs.jwt),
              expected(next, outs.revocationTimes),
              `${front.name}: no change said, and the JWT already carries the program's map`,
            );
            inputs = checked.inputs;
            program = next;
            continue;
          }
          const updated = await front.update(created.id, created.outs, checked.inputs);
          created.outs = updated.outs;
          outs = unwrap(updated.outs) as AccountState;
          inputs = checked.inputs;
          program = next;
          assert.deepEqual(signed(outs.jwt), expected(program, outs.revocationTimes), `${front.name} update`);
          assert.equal((outs as Partial<AccountState>).revocations, undefined, "outputs keep no copy");
        }
      }
    }
  });

  it("stored revocations - check accepts the stored form as the program's (ignoreChanges hands it back) and it diffs as no change", async () => {
    const rnd = random(6);
    const map = programMap(rnd, 200);
    delete map["*"];
    const seed = createKeyPair("account").seed();
    for (const front of FRONTS) {
      const first = await front.check({}, props(map, seed) as unknown as Obj);
      const created = await front.create(first.inputs);
      const again = await front.check(first.inputs, {
        ...props(map, seed),
        revocations: first.inputs.revocations,
      });
      assert.deepEqual(again.failures, []);
      assert.deepEqual(again.inputs.revocations, first.inputs.revocations);
      assert.equal((await front.diff(created.id, created.outs, again.inputs)).changes, false);
    }
  });

  it("stored revocations - state of the release before (the map stored as given in the inputs) previews no change and is stored packed from the next check", async () => {
    const rnd = random(8);
    const map = programMap(rnd, 300);
    delete map["*"];
    const seed = createKeyPair("account").seed();
    for (const front of FRONTS) {
      const first = await front.check({}, props(map, seed) as unknown as Obj);
      const created = await front.create(first.inputs);
      const before = { ...first.inputs, revocations: map };
      const again = await front.check(before, props(map, seed) as unknown as Obj);
      assert.deepEqual(again.inputs, first.inputs, `${front.name}: the same stored inputs as a fresh check`);
      assert.equal((await front.diff(created.id, created.outs, again.inputs)).changes, false, front.name);
    }
  });

  it("stored revocations - plugin: an entry given as a secret leaves check with the whole packed map wrapped as a secret", async () => {
    const rnd = random(7);
    const map: Obj = programMap(rnd, 100);
    delete map["*"];
    const hidden = userKey(rnd);
    map[hidden] = { [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", value: 1700000000 };
    const r = await plugin.check!(
      URN,
      {},
      props(map as Map, createKeyPair("account").seed()) as unknown as Obj,
    );
    assert.deepEqual(r.failures, []);
    const stored = r.inputs.revocations as Obj;
    assert.equal(typeof stored, "object");
    assert.ok(stored[SECRET_SIG] !== undefined, "the packed map is a secret");
    assert.deepEqual((unpackRevocations(stored.value) as Obj)[hidden], 1700000000);
  });
});
