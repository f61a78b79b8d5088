/** The drift report in words (core/driftReport): names, ISO times, severity order and exit codes. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { accountsOf } from "../../cli/drift";
import { claimsDrift } from "../../core/drift";
import { describeDrift, driftReport, formatDriftReport } from "../../core/driftReport";

const KEY = "UCQITIQBANNEDKEY";

describe("drift report", () => {
  it("a wiped revocation reads as a re-admitted user, by name, with an ISO time", () => {
    const f = describeDrift(
      `revocations.${KEY}`,
      "servers: absent, program: 1700000000",
      new Map([[KEY, "alice"]]),
    );
    assert.equal(f.severity, "critical");
    assert.equal(
      f.text,
      `a revoked user was re-admitted: user "alice" (${KEY}), revoked by the program at 2023-11-14T22:13:20Z, is not revoked on all servers`,
    );
  });

  it("limits say raised or lowered, both values and on how many servers", () => {
    assert.equal(
      describeDrift("limits.conn", "1 of 3 servers: 7, program: 50").text,
      "limit lowered out of band: conn 50 → 7 on 1 of 3 servers",
    );
    const up = describeDrift("limits.subs", "servers: -1, program: 5");
    assert.equal(up.text, "limit raised out of band: subs 5 → -1 (unlimited) on all servers");
    assert.equal(up.severity, "high");
  });

  it("foreign signer, added signing key and a deleted account are named", () => {
    const issuer = describeDrift("issuer", "1 of 3 servers: not signed by this stack's operator keys");
    assert.equal(issuer.severity, "critical");
    assert.match(issuer.text, /^foreign signer: the JWT on 1 of 3 servers/);
    const sk = describeDrift("signing_keys", 'servers: ["AOLD","ANEW"], program: ["AOLD"]');
    assert.equal(sk.severity, "critical");
    assert.match(sk.text, /signing keys changed out of band on all servers: added ANEW/);
    const gone = describeDrift("account", "servers: absent, program: signed (the resolver lost it)");
    assert.match(gone.text, /missing from all servers/);
  });

  it("per-server holdings and a later copy's iat read as findings, not as an unknown claim", () => {
    const per = describeDrift(
      "servers",
      "b-1 (cluster b) holds a JWT issued at 2026-12-05T06:00:40.000Z signed by OX",
    );
    assert.equal(per.severity, "medium");
    assert.equal(
      per.text,
      "per server: b-1 (cluster b) holds a JWT issued at 2026-12-05T06:00:40.000Z signed by OX",
    );
    const iat = describeDrift(
      "iat",
      "a server holds a JWT issued at 2026-12-05T06:00:40.000Z, not before the stack's",
    );
    assert.equal(iat.severity, "high");
    assert.doesNotMatch(iat.text, /^iat:/);
  });

  it("entries written by core/drift.ts parse (the two modules agree on the format)", () => {
    const program = {
      iss: "O",
      sub: "A",
      iat: 1,
      jti: "x",
      name: "A",
      nats: { limits: { conn: 10 }, type: "account", version: 2 },
    };
    const held = { ...program, nats: { ...program.nats, limits: { conn: 9 } } };
    const [[claim, value]] = Object.entries(claimsDrift(program as never, held as never));
    assert.equal(describeDrift(claim, value).text, "limit lowered out of band: conn 10 → 9 on all servers");
  });

  it("orders worst first and sets the exit code: 0 agree, 1 drift, 2 could not ask", () => {
    const r = driftReport([
      { name: "B", urn: "u:B", drift: { "limits.conn": "servers: 9, program: 10" } },
      {
        name: "A",
        urn: "u:A",
        drift: { "limits.conn": "servers: 9, program: 10", issuer: "servers: not signed" },
      },
      { name: "C", urn: "u:C" },
    ]);
    assert.equal(r.exitCode, 1);
    assert.deepEqual(
      r.accounts.map((a) => a.name),
      ["A", "B"],
    );
    assert.equal(r.accounts[0].findings[0].claim, "issuer");
    assert.match(formatDriftReport(r, "prod"), /DRIFT .* 2 of 3 accounts/);
    assert.equal(driftReport([{ name: "C", urn: "u:C" }]).exitCode, 0);
    const down = driftReport([
      { name: "A", urn: "u:A", drift: { unverified: "no server answered: ECONNREFUSED" } },
    ]);
    assert.equal(down.exitCode, 2);
    assert.match(formatDriftReport(down, "prod"), /could not ask: no server answered: ECONNREFUSED/);
  });
});

describe("drift command - reading the stack's state", () => {
  it("finds accounts and user names under both type tokens (dynamic provider and native plugin)", () => {
    const { accounts, names } = accountsOf([
      {
        urn: "urn:pulumi:s::p::pulumi-nodejs:dynamic/nats-auth:Account::APP",
        type: "pulumi-nodejs:dynamic/nats-auth:Account",
        outputs: { publicKey: "AAPP", drift: { "limits.conn": "servers: 9, program: 10" } },
      },
      {
        urn: "urn:pulumi:s::p::nats-auth:index:Account::YAML",
        type: "nats-auth:index:Account",
        outputs: { publicKey: "AYAML", removedUsers: { UGONE: { at: 1, name: "bob" } } },
      },
      {
        urn: "urn:pulumi:s::p::nats-auth:index:User::alice",
        type: "nats-auth:index:User",
        outputs: { publicKey: "UALICE", name: "alice" },
      },
      { urn: "urn:pulumi:s::p::other:index:Account::X", type: "other:index:Account", outputs: {} },
    ]);
    assert.deepEqual(
      accounts.map((a) => a.name),
      ["APP", "YAML"],
    );
    assert.equal(names.get("UALICE"), "alice");
    assert.equal(names.get("UGONE"), "bob, removed from the program");
  });
});
