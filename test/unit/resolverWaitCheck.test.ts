import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatCreds } from "../../core/creds";
import { createKeyPair } from "../../core/nkeys";
import { Checker } from "../../core/validation";
import { checkResolver } from "../../provider/kit/accountResolver";

const creds = formatCreds("a.b.c", createKeyPair("user").seed());

describe("resolver waitMs check", () => {
  it("resolver - waitMs must be a whole number of milliseconds, 0 or more", () => {
    for (const waitMs of [0, 60_000, undefined]) {
      const c = new Checker();
      checkResolver(c, { servers: ["nats://127.0.0.1:4222"], creds, waitMs });
      assert.deepEqual(c.failures, [], String(waitMs));
    }
    for (const waitMs of [-1, 1.5, Number.NaN]) {
      const c = new Checker();
      checkResolver(c, { servers: ["nats://127.0.0.1:4222"], creds, waitMs });
      assert.deepEqual(
        c.failures.map((f) => f.property),
        ["resolver.waitMs"],
        String(waitMs),
      );
    }
  });
});
