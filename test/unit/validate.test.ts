import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createKeyPair } from "../../core/nkeys";
import { parseDuration } from "../../core/units";
import { subjectProblem } from "../../core/validation";
import { containsUnknown, previewChecker, UNKNOWN } from "../../provider/kit/unknown";

describe("validate", () => {
  it("validate - subjects", () => {
    for (const ok of ["a", "a.b", "a.*.c", "a.>", ">", "$SYS.REQ.>"])
      assert.equal(subjectProblem(ok), undefined, ok);
    for (const bad of ["", "a..b", "a b", "a.>.b", "a*", ".a", "a."]) assert.ok(subjectProblem(bad), bad);
    assert.ok(subjectProblem("a.*", false));
  });

  it("validate - durations", () => {
    assert.equal(parseDuration("1s"), 1e9);
    assert.equal(parseDuration("1m30s"), 90e9);
    assert.equal(parseDuration("250ms"), 250e6);
    assert.equal(parseDuration(5), 5);
    assert.throws(() => parseDuration("1 second"));
    assert.throws(() => parseDuration(-1));
  });

  it("validate - unknown values are skipped, never judged", () => {
    const c = previewChecker();
    c.subject("s", UNKNOWN);
    c.publicKey("k", UNKNOWN, "account");
    c.limit("l", UNKNOWN);
    assert.deepEqual(c.failures, []);
    assert.ok(containsUnknown({ a: [1, { b: UNKNOWN }] }));
  });

  it("validate - account claims name each bad field", () => {
    const c = previewChecker();
    c.accountClaims({
      limits: { conn: -2 },
      exports: [{ subject: "a..b", type: "stream" }],
      imports: [{ subject: "x", account: "nope", type: "service" }],
      signingKeys: [createKeyPair("operator").getPublicKey()],
      mappings: {
        foo: [
          { subject: "bar", weight: 70 },
          { subject: "baz", weight: 40 },
        ],
      },
    });
    const props = c.failures.map((f) => f.property);
    assert.deepEqual(props, [
      "limits.conn",
      "signingKeys[0]",
      "exports[0].subject",
      "imports[0].account",
      'mappings["foo"]',
    ]);
  });

  it("validate - user template fields", () => {
    const c = previewChecker();
    c.userClaims({
      pub: { allow: ["ok", "bad subject"] },
      sourceNetworks: ["10.0.0.0/8", "300.1.1.1"],
      times: [{ start: "25:00:00", end: "10:00:00" }],
      timeZone: "Mars/Olympus",
      allowedConnectionTypes: ["STANDARD", "FAX" as "STANDARD"],
      expires: "not a date",
    });
    assert.deepEqual(
      c.failures.map((f) => f.property),
      [
        "pub.allow[1]",
        "sourceNetworks[1]",
        "times[0].start",
        "timeZone",
        "allowedConnectionTypes[1]",
        "expires",
      ],
    );
  });
});
