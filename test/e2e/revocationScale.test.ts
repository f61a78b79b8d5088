/**
 * Issue 26, end to end: the checkpoint of an account with 10,000 explicit revocations and 3 users
 * grows by about what the Account itself must hold, not by users × revocations (each User once stored
 * the whole map: 700 KB per user). Two stacks, same program, 0 and 10,000 revocations; no server
 * (the account is not pushed: only state is measured). Then, on the big stack, one added revocation:
 * `preview --diff` names `revocations` (a line diff of the packed text), `up` signs it, and the program
 * previews no change again.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { createKeyPair } from "../../core/nkeys";
import { Account, Operator, User } from "../../sdk";
import { TestStack } from "../harness/pulumi";

const COUNT = 10_000;

/** The seeds of Users "b" and "c" (fixed per stack: a later run of the program must change nothing). */
const userSeeds = () => ({ b: createKeyPair("user").seed(), c: createKeyPair("user").seed() });

function program(revocations: Record<string, number> | undefined, seeds = userSeeds()) {
  return async () => {
    const operator = new Operator("op", { name: "op" });
    const account = new Account("APP", { operator, revocations });
    // A generated key, a given seed, and a given seed of a key revoked before this run would refuse.
    const users = ["a", "b", "c"].map((u) =>
      u === "a"
        ? new User(u, { account })
        : new User(u, { account, seed: pulumi.secret(seeds[u as "b" | "c"]) }),
    );
    return { jwtBytes: account.jwt.apply((j) => Buffer.byteLength(j)), users: users.map((u) => u.publicKey) };
  };
}

describe("e2e revocation scale - checkpoint with 10,000 revocations and 3 users", () => {
  const stacks: TestStack[] = [];
  let revocations: Record<string, number>;
  before(async () => {
    revocations = {};
    for (let i = 0; i < COUNT; i++) revocations[createKeyPair("user").getPublicKey()] = 1700000000 + i;
  });
  after(async () => {
    for (const t of stacks) await t.dispose();
  });

  it("revocation scale - only the Account grows with its revocations: each User's state is the same size as without them", async (ctx) => {
    const none = await TestStack.create("rscale0", program(undefined));
    stacks.push(none);
    const seeds = userSeeds();
    const many = await TestStack.create("rscale1", program(revocations, seeds));
    stacks.push(many);
    await none.up();
    const up = await many.up();
    const jwtBytes = Number(up.outputs.jwtBytes.value);
    type Res = { type: string; urn: string };
    const resources = async (t: TestStack) => (await t.stack.exportStack()).deployment.resources as Res[];
    const byName = async (t: TestStack) =>
      new Map((await resources(t)).map((r) => [r.urn.split("::").pop() ?? r.urn, JSON.stringify(r).length]));
    const [small, big] = [await byName(none), await byName(many)];
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const grown = total(big) - total(small);
    const accountGrown = (big.get("APP") ?? 0) - (small.get("APP") ?? 0);
    ctx.diagnostic(
      `checkpoint resources ${total(small)} → ${total(big)} bytes (+${grown}, ${(grown / jwtBytes).toFixed(2)}× ` +
        `the ${jwtBytes}-byte account JWT); the Account alone +${accountGrown}`,
    );
    assert.ok(jwtBytes > COUNT * 80, `the JWT holds the revocations (${jwtBytes} bytes)`);
    for (const u of ["a", "b", "c"]) {
      // The same size give or take a key's encoding (both stacks hold different keys of equal length).
      assert.ok(
        Math.abs((big.get(u) ?? 0) - (small.get(u) ?? 0)) <= 64,
        `User ${u}: ${small.get(u)} bytes without revocations, ${big.get(u)} with ${COUNT}`,
      );
    }
    assert.ok(
      grown - accountGrown <= 1024,
      `besides the Account, state grew by ${grown - accountGrown} bytes`,
    );
    // The Account holds the map once, in its inputs (the program's), besides the JWT that carries it:
    // its outputs keep no copy (they held one until issue 26, 2.50× the JWT in all).
    const app = (await resources(many)).find((r) => r.urn.endsWith("::APP")) as Res & {
      outputs?: Record<string, unknown>;
    };
    assert.equal(app.outputs?.revocations, undefined, "no copy of the map in the Account's outputs");
    // Issue 26's goal: the inputs store the map packed (kit/storedRevocations.ts), 1.75× before.
    assert.ok(grown <= 1.5 * jwtBytes, `state grew ${(grown / jwtBytes).toFixed(2)}× the account JWT`);
    // As `pulumi stack export` prints it (indented by 4), which bench/large.ts measures.
    const pretty = async (t: TestStack) =>
      Buffer.byteLength(JSON.stringify(await t.stack.exportStack(), null, 4));
    const exported = (await pretty(many)) - (await pretty(none));
    ctx.diagnostic(
      `pulumi stack export (pretty-printed): +${exported}, ${(exported / jwtBytes).toFixed(2)}× the JWT`,
    );

    const changes = (summary: Record<string, number>) => Object.keys(summary).filter((k) => k !== "same");
    // One more revocation: the preview says the Account's revocations change, and `up` signs it.
    const extra = createKeyPair("user").getPublicKey();
    const more = program({ ...revocations, [extra]: 1800000000 }, seeds);
    const changed = await many.preview({ diff: true, program: more });
    assert.equal(changed.changeSummary.update, 1, JSON.stringify(changed.changeSummary));
    assert.match(changed.stdout, /~ revocations: /);
    ctx.diagnostic(`preview --diff of one added revocation prints ${changed.stdout.length} characters`);
    // A line diff of the packed text (the changed line and two around it), not the map twice (1.3 MB).
    assert.ok(changed.stdout.length < 64_000, `preview --diff printed ${changed.stdout.length} characters`);
    await many.up({ program: more });
    const signed = (await resources(many)).find((r) => r.urn.endsWith("::APP")) as Res & {
      outputs: { jwt: string };
    };
    const inJwt = JSON.parse(Buffer.from(signed.outputs.jwt.split(".")[1], "base64url").toString()).nats
      .revocations as Record<string, number>;
    assert.deepEqual(inJwt, { ...revocations, [extra]: 1800000000 }, "the JWT carries the program's map");
    // The stored form previews as the program's map: no change.
    const noop = await many.preview({ program: more });
    assert.deepEqual(changes(noop.changeSummary), [], "a no-op preview changes nothing");
  });
});
