/**
 * Properties of signing and normalizing, over random valid user and account claim inputs
 * (fast-check, bounded runs): a signed JWT decodes back to the claims it was built from, its
 * signature verifies with node:crypto's Ed25519 alone (no code of this package), and the claims hash
 * ignores key order and absent-vs-empty. The generated inputs are first required to pass check, so
 * the properties speak of inputs a program can actually give.
 */
import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { subjectContains } from "../../core/activation";
import {
  type AccountClaims,
  ConnectionTypes,
  type Permission,
  type UserClaims,
} from "../../core/claimInputs";
import { accountClaims, userClaims, type WireClaims } from "../../core/claims";
import { decodeJwt, sign } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import { claimsHash, normalize } from "../../core/normalize";
import { Checker } from "../../core/validation";

const RUNS = { numRuns: 100 };

const operator = createKeyPair("operator");
const accounts = Array.from({ length: 4 }, () => createKeyPair("account"));
const users = Array.from({ length: 4 }, () => createKeyPair("user"));
const accountKeys = accounts.map((k) => k.getPublicKey());
const userKeys = users.map((k) => k.getPublicKey());
const NOW = Math.floor(Date.now() / 1000);

// ---- arbitraries of valid inputs ----

const token = fc.stringMatching(/^[a-z0-9_-]{1,6}$/);
const literal = fc.array(token, { minLength: 1, maxLength: 4 }).map((t) => t.join("."));
const subject = fc
  .tuple(fc.array(fc.oneof(token, token, fc.constant("*")), { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([t, tail]) => (tail ? [...t, ">"] : t).join("."));
const limit = fc.integer({ min: -1, max: 1_000_000_000 });
const permission: fc.Arbitrary<Permission> = fc.record(
  // An empty allow list means "everything" to NATS and is refused: a given allow names something.
  { allow: fc.array(subject, { minLength: 1, maxLength: 3 }), deny: fc.array(subject, { maxLength: 3 }) },
  { requiredKeys: [] },
);
const hms = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }))
  .map((p) => p.map((n) => String(n).padStart(2, "0")).join(":"));
const cidr = fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([ip, bits]) => `${ip}/${bits}`);
const duration = fc.oneof(
  fc.integer({ min: 0, max: 10_000 }).map((n) => `${n}ms`),
  fc.integer({ min: 1, max: 600 }).map((n) => `${n}s`),
  fc.integer({ min: 0, max: 1e12 }),
);
const date = (seconds: number) =>
  fc.constantFrom(seconds, new Date(seconds * 1000).toISOString().replace(".000Z", "Z"));
/** `expires` (in the future) after `notBefore`; either may be absent, as number or ISO text. */
const validity = fc
  .tuple(
    fc.integer({ min: NOW - 86_400 * 365, max: NOW + 86_400 * 365 }),
    fc.integer({ min: 60, max: 86_400 * 3650 }),
  )
  .chain(([nbf, span]) =>
    fc.record({ notBefore: date(nbf), expires: date(Math.max(nbf, NOW) + span) }, { requiredKeys: [] }),
  );
const tags = fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,8}$/), { maxLength: 3 });

const userInputs: fc.Arbitrary<UserClaims> = fc
  .tuple(
    fc.record(
      {
        pub: permission,
        sub: permission,
        resp: fc.record({ maxMsgs: limit, ttl: duration }, { requiredKeys: ["maxMsgs"] }),
        subs: limit,
        data: limit,
        payload: limit,
        sourceNetworks: fc.array(cidr, { minLength: 1, maxLength: 3 }),
        times: fc.array(fc.record({ start: hms, end: hms }), { minLength: 1, maxLength: 2 }),
        timeZone: fc.constantFrom("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"),
        bearerToken: fc.boolean(),
        allowedConnectionTypes: fc.subarray([...ConnectionTypes], { minLength: 1 }),
        tags,
      },
      { requiredKeys: [] },
    ),
    validity,
  )
  .map(([c, v]) => ({ ...c, ...v }));

const exportArb = fc.oneof(
  fc.record({ subject, type: fc.constant("stream" as const) }),
  fc.record(
    {
      subject,
      type: fc.constant("service" as const),
      responseType: fc.constantFrom("Singleton" as const, "Stream" as const, "Chunked" as const),
      responseThreshold: duration,
      tokenRequired: fc.boolean(),
      description: fc.string({ maxLength: 10 }),
    },
    { requiredKeys: ["subject", "type"] },
  ),
);
// As the jwt library allows: `share` on service imports, `allowTrace` on stream imports.
const importArb = fc.oneof(
  fc.record(
    {
      subject: literal,
      account: fc.constantFrom(...accountKeys),
      type: fc.constant("service" as const),
      localSubject: literal,
      share: fc.boolean(),
    },
    { requiredKeys: ["subject", "account", "type"] },
  ),
  fc.record(
    {
      subject: literal,
      account: fc.constantFrom(...accountKeys),
      type: fc.constant("stream" as const),
      localSubject: literal,
      allowTrace: fc.boolean(),
    },
    { requiredKeys: ["subject", "account", "type"] },
  ),
);
/** Distinct destinations whose weights (1..100: NATS reads 0 as 100) add up to at most 100. */
const destinations = fc
  .uniqueArray(fc.tuple(literal, fc.integer({ min: 1, max: 100 })), {
    minLength: 1,
    maxLength: 3,
    selector: ([s]) => s,
  })
  .map((ds) => {
    let left = 100;
    return ds.flatMap(([s, w]) => {
      const weight = Math.min(w, left);
      left -= weight;
      return weight ? [{ subject: s, weight }] : [];
    });
  });
/** Drops entries that overlap an earlier one of the same kind (and account), as the jwt library refuses that. */
function disjoint<T extends { subject: string; type: string; account?: string; localSubject?: string }>(
  list: T[],
  kinds: string[],
): T[] {
  const key = (e: T) => e.localSubject ?? e.subject;
  return list.filter(
    (e, j) =>
      !kinds.includes(e.type) ||
      !list
        .slice(0, j)
        .some(
          (o) =>
            o.type === e.type &&
            o.account === e.account &&
            (subjectContains(key(o), key(e)) || subjectContains(key(e), key(o))),
        ),
  );
}
const signingKeys = fc.shuffledSubarray(accountKeys.slice(1), { minLength: 0 }).chain((keys) =>
  fc.tuple(
    ...keys.map((key) =>
      fc.oneof(
        fc.constant(key),
        fc.record({
          key: fc.constant(key),
          role: fc.stringMatching(/^[a-z]{1,8}$/),
          template: fc.record({ pub: permission, subs: limit }, { requiredKeys: [] }),
        }),
      ),
    ),
  ),
);

const accountInputs: fc.Arbitrary<AccountClaims> = fc
  .tuple(
    fc.record(
      {
        limits: fc.record(
          {
            conn: limit,
            leaf: limit,
            data: limit,
            payload: limit,
            subs: limit,
            imports: limit,
            exports: limit,
            wildcardExports: fc.boolean(),
            disallowBearer: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
        jetstream: fc.record(
          {
            memStorage: limit,
            diskStorage: limit,
            streams: limit,
            consumer: limit,
            maxBytesRequired: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
        signingKeys,
        exports: fc.array(exportArb, { maxLength: 3 }).map((l) => disjoint(l, ["stream", "service"])),
        imports: fc.array(importArb, { maxLength: 3 }).map((l) => disjoint(l, ["service"])),
        mappings: fc.dictionary(literal, destinations, { maxKeys: 2 }),
        defaultPermissions: fc.record({ pub: permission, sub: permission }, { requiredKeys: [] }),
        revocations: fc.dictionary(fc.constantFrom(...userKeys, "*"), fc.integer({ min: 1, max: NOW })),
        tags,
        description: fc.string({ maxLength: 20 }),
        infoUrl: fc.constantFrom("https://example.com/info", ""),
      },
      { requiredKeys: [] },
    ),
    validity,
  )
  .map(([c, v]) => ({ ...c, ...v }) as AccountClaims);

// ---- helpers ----

function assertValid(check: (c: Checker) => void): void {
  const c = new Checker();
  check(c);
  assert.deepEqual(c.failures, [], "the generator made an input check refuses");
}

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/** An nkey public key as an Ed25519 KeyObject, decoded here (base32, prefix byte, 32 key bytes). */
function ed25519Key(publicKey: string) {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of publicKey) {
    value = ((value << 5) | B32.indexOf(ch)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  const raw = Buffer.from(bytes.slice(1, 33));
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw]);
  return createPublicKey({ key: spki, format: "der", type: "spki" });
}

/** Verifies a JWT's signature with node:crypto only. */
function verifiedBy(jwt: string, publicKey: string): boolean {
  const [h, b, s] = jwt.split(".");
  const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
  if (header.alg !== "ed25519-nkey") return false;
  return verify(null, Buffer.from(`${h}.${b}`), ed25519Key(publicKey), Buffer.from(s, "base64url"));
}

function withoutStamp(claims: object): unknown {
  const { iat: _i, jti: _j, ...rest } = claims as Record<string, unknown>;
  return normalize(rest);
}

/** A small deterministic PRNG, so a shrunk counterexample replays. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The same value with the keys of every object in a random order. */
function shuffleKeys(value: unknown, rnd: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, rnd));
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [entries[i], entries[j]] = [entries[j], entries[i]];
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v, rnd)]));
  }
  return value;
}

/** The same value with "nothing" added: empty lists and objects, nulls and undefineds under new keys. */
function padEmpty(value: unknown, rnd: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => padEmpty(v, rnd));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = padEmpty(v, rnd);
    const empties = [[], {}, null, undefined, { nothing: [] }];
    if (rnd() < 0.5)
      out[`zz_empty_${Math.floor(rnd() * 1000)}`] = empties[Math.floor(rnd() * empties.length)];
    return out;
  }
  return value;
}

/** User inputs with every absent optional list given as an empty one. */
function emptyListsForAbsent(c: UserClaims): UserClaims {
  return {
    sourceNetworks: [],
    times: [],
    allowedConnectionTypes: [],
    tags: [],
    pub: { allow: [], deny: [] },
    sub: {},
    bearerToken: false,
    ...c,
  };
}

function userWire(c: UserClaims): WireClaims {
  return userClaims("u", userKeys[0], accountKeys[0], c, {});
}

function accountWire(c: AccountClaims): WireClaims {
  return accountClaims("A", accountKeys[0], operator.getPublicKey(), c);
}

describe("properties", () => {
  it("properties - a signed user JWT decodes to the claims it was built from and verifies", async () => {
    await fc.assert(
      fc.asyncProperty(userInputs, async (inputs) => {
        assertValid((c) => c.userClaims(inputs));
        const claims = userWire(inputs);
        const jwt = await sign(claims, accounts[0]);
        const decoded = decodeJwt(jwt);
        assert.deepEqual(withoutStamp(decoded), withoutStamp(claims));
        assert.equal(claimsHash(decoded), claimsHash(claims));
        assert.equal(decoded.iss, accountKeys[0]);
        assert.ok(verifiedBy(jwt, accountKeys[0]), "node:crypto refuses the signature");
        assert.ok(!verifiedBy(jwt, accountKeys[1]), "a different key verifies the signature");
        const [h, , sig] = jwt.split(".");
        const forged = Buffer.from(JSON.stringify({ ...decoded, name: "x" })).toString("base64url");
        assert.ok(!verifiedBy(`${h}.${forged}.${sig}`, accountKeys[0]), "a changed body verifies");
      }),
      RUNS,
    );
  });

  it("properties - a signed account JWT decodes to the claims it was built from and verifies", async () => {
    await fc.assert(
      fc.asyncProperty(accountInputs, async (inputs) => {
        assertValid((c) => c.accountClaims(inputs));
        const claims = accountWire(inputs);
        const jwt = await sign(claims, operator);
        const decoded = decodeJwt(jwt);
        assert.deepEqual(withoutStamp(decoded), withoutStamp(claims));
        assert.equal(claimsHash(decoded), claimsHash(claims));
        assert.ok(verifiedBy(jwt, operator.getPublicKey()), "node:crypto refuses the signature");
      }),
      RUNS,
    );
  });

  it("properties - claimsHash ignores key order and absent-vs-empty", () => {
    fc.assert(
      fc.property(
        fc.oneof(userInputs.map(userWire), accountInputs.map(accountWire)),
        fc.integer(),
        (claims, seed) => {
          const rnd = prng(seed);
          const hash = claimsHash(claims);
          assert.equal(claimsHash(shuffleKeys(claims, rnd) as object), hash, "key order");
          assert.equal(claimsHash(padEmpty(claims, rnd) as object), hash, "absent vs empty");
          assert.equal(claimsHash({ ...claims, iat: seed, jti: String(seed) }), hash, "iat and jti");
        },
      ),
      RUNS,
    );
    fc.assert(
      fc.property(userInputs, (inputs) => {
        assert.equal(claimsHash(userWire(emptyListsForAbsent(inputs))), claimsHash(userWire(inputs)));
      }),
      RUNS,
    );
  });

  it("properties - normalize is idempotent", () => {
    fc.assert(
      fc.property(
        fc.oneof(userInputs.map(userWire), accountInputs.map(accountWire), fc.jsonValue()),
        (value) => {
          const once = normalize(value);
          assert.deepEqual(normalize(once), once);
        },
      ),
      RUNS,
    );
  });
});
