/**
 * Claims newer servers read (names as nats-io/jwt v2.8 writes them): user `proxy_required` (2.12,
 * also in scoped signing key templates), account `cluster_traffic` ("system" or "owner", 2.11) and
 * operator `assert_server_version` ("major.minor.update", the oldest server that may trust it).
 * Signed, read back from the JWT (drift, nsc import) without loss, and judged at preview. Also the
 * preview warning for subjects in the v1 `$JS.ACK.<stream>.…` form, which the v2 ack subjects
 * (`$JS.ACK.<domain>.<account hash>.<stream>.…`, nats-server feature flag js_ack_fc_v2) no longer match.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccountClaims } from "../../core/claimInputs";
import { accountClaims, operatorClaims, userClaims } from "../../core/claims";
import { accountInputs, operatorInputs, rebuild, unexpressed, userInputs } from "../../core/claimsFromJwt";
import { jsAckWarnings } from "../../core/jsAck";
import { createKeyPair, encodePublicKey } from "../../core/nkeys";
import { Checker } from "../../core/validation";
import { nativeProvider } from "../../plugin/provider";

const OP = encodePublicKey("operator", new Uint8Array(32).fill(1));
const ACC = encodePublicKey("account", new Uint8Array(32).fill(2));
const OTHER = encodePublicKey("account", new Uint8Array(32).fill(4));
const USR = encodePublicKey("user", new Uint8Array(32).fill(3));

describe("newer claims - signed under the names nats-server reads", () => {
  it("claims - proxy_required, cluster_traffic and assert_server_version on the wire", () => {
    const u = userClaims("u", USR, ACC, { proxyRequired: true }, {});
    assert.equal(u.nats.proxy_required, true);
    const a = accountClaims("A", ACC, OP, {
      clusterTraffic: "owner",
      signingKeys: [{ key: OTHER, role: "edge", template: { proxyRequired: true } }],
    });
    assert.equal(a.nats.cluster_traffic, "owner");
    const sk = (a.nats.signing_keys as { template: Record<string, unknown> }[])[0];
    assert.equal(sk.template.proxy_required, true);
    const o = operatorClaims("O", OP, { assertServerVersion: "2.10.0" });
    assert.equal(o.nats.assert_server_version, "2.10.0");
    // Unset: not written at all (omitempty in the Go library).
    assert.doesNotMatch(JSON.stringify(userClaims("u", USR, ACC, {}, {}).nats), /proxy_required/);
    assert.equal(accountClaims("A", ACC, OP, {}).nats.cluster_traffic, undefined);
    assert.equal(operatorClaims("O", OP, {}).nats.assert_server_version, undefined);
  });

  it("claimsFromJwt - read back (drift, nsc import) and re-built without a difference", () => {
    const u = userClaims("u", USR, ACC, { proxyRequired: true }, {});
    assert.equal(userInputs(u).proxyRequired, true);
    assert.deepEqual(unexpressed(u, rebuild.user(u, false)), []);
    const a = accountClaims("A", ACC, OP, { clusterTraffic: "owner" });
    assert.equal(accountInputs(a).clusterTraffic, "owner");
    assert.deepEqual(unexpressed(a, rebuild.account(a)), []);
    const o = operatorClaims("O", OP, { assertServerVersion: "2.11.3" });
    assert.equal(operatorInputs(o).assertServerVersion, "2.11.3");
    assert.deepEqual(unexpressed(o, rebuild.operator(o)), []);
  });

  it("validation - cluster_traffic is system or owner, assert_server_version is major.minor.update", () => {
    const c = new Checker();
    c.accountClaims({ clusterTraffic: "both" as never });
    c.operatorClaims({ assertServerVersion: "2.10" });
    c.operatorClaims({ assertServerVersion: "v2.10.0" });
    c.userClaims({ proxyRequired: "yes" as never });
    const by = Object.fromEntries(c.failures.map((f) => [f.property, f.reason]));
    assert.match(by.clusterTraffic, /"system".*"owner"/);
    assert.match(by.assertServerVersion, /major\.minor\.update/);
    assert.match(by.proxyRequired, /true or false/);
    const ok = new Checker();
    ok.accountClaims({ clusterTraffic: "system" });
    ok.operatorClaims({ assertServerVersion: "2.12.0" });
    ok.userClaims({ proxyRequired: true });
    assert.deepEqual(ok.failures, []);
  });
});

describe("newer claims - $JS.ACK subjects in the v1 form are warned about at preview", () => {
  it("jsAckWarnings - exports, imports, default permissions and signing key templates naming a stream", () => {
    const claims: AccountClaims = {
      exports: [
        { subject: "$JS.ACK.ORDERS.>", type: "service" },
        { subject: "$JS.ACK.>", type: "service" },
      ],
      imports: [
        {
          subject: "$JS.ACK.*.*.ORDERS.>",
          account: OTHER,
          type: "service",
          localSubject: "$JS.ACK.ORDERS.>",
        },
      ],
      defaultPermissions: { pub: { allow: ["$JS.ACK.ORDERS.C1.>"] }, sub: { deny: ["$JS.ACK.*.>"] } },
      signingKeys: [{ key: OTHER, role: "r", template: { pub: { allow: ["$JS.ACK.ORDERS.*.*.*.*.*.*"] } } }],
    };
    const warnings = jsAckWarnings(claims);
    const fields = warnings.map((w) => w.property);
    assert.deepEqual(fields, [
      "exports[0].subject",
      "imports[0].localSubject",
      "defaultPermissions.pub.allow[0]",
      "signingKeys[0].template.pub.allow[0]",
    ]);
    for (const w of warnings) {
      assert.match(w.message, /\$JS\.ACK\.<domain>\.<account hash>\.<stream>/, "says what changes");
      assert.match(w.message, /js_ack_fc_v2/, "says where");
      assert.match(w.message, /\$JS\.ACK\.\*\.\*\./, "says the fix");
    }
    // The fix it suggests for the first one.
    assert.match(warnings[0].message, /"\$JS\.ACK\.\*\.\*\.ORDERS\.>"/);
  });

  it("jsAckWarnings - user permissions too; nothing for subjects that match both forms", () => {
    assert.equal(jsAckWarnings({ pub: { deny: ["$JS.ACK.ORDERS.>"] } }).length, 1);
    assert.deepEqual(jsAckWarnings({ pub: { allow: ["$JS.ACK.>", "$JS.API.>", "orders.>"] } }), []);
  });
});

describe("newer claims - the native plugin shows check warnings on the resource", () => {
  it("plugin check - a User permission in the v1 $JS.ACK form is warned about, naming the field; a clean one is not", async () => {
    const seen: [string, string][] = [];
    const p = nativeProvider("0.0.0-test", { warn: (urn, message) => seen.push([urn, message]) });
    const acct = createKeyPair("account");
    const urn = "urn:pulumi:dev::proj::nats-auth:index:User::alice";
    const base = { name: "alice", accountPublicKey: acct.getPublicKey(), signerSeed: acct.seed() };
    const r = await p.check!(urn, {}, { ...base, sub: { allow: ["$JS.ACK.ORDERS.>", "_INBOX.>"] } });
    assert.deepEqual(r.failures, []);
    assert.equal(seen.length, 1);
    assert.equal(seen[0][0], urn);
    assert.match(seen[0][1], /^sub\.allow\[0\]: sub allow permission "\$JS\.ACK\.ORDERS\.>"/);
    await p.check!(urn, {}, { ...base, sub: { allow: ["$JS.ACK.>"] } });
    assert.equal(seen.length, 1);
  });
});

describe("check warnings survive the provider configuration's Account wrapper", () => {
  it("plugin check - an Account's warnings (a $JS.ACK export) reach the engine under a provider with servers", async () => {
    const seen: [string, string][] = [];
    const p = nativeProvider("0.0.0-test", { warn: (urn, message) => seen.push([urn, message]), env: {} });
    await p.configureProvider!({ servers: ["nats://127.0.0.1:4222"] });
    const op = createKeyPair("operator");
    const urn = "urn:pulumi:dev::proj::nats-auth:index:Account::APP";
    const r = await p.check!(
      urn,
      {},
      {
        name: "APP",
        operatorPublicKey: op.getPublicKey(),
        signerSeed: op.seed(),
        resolver: { servers: [] },
        exports: [{ subject: "$JS.ACK.ORDERS.>", type: "stream" }],
      },
    );
    assert.deepEqual(r.failures, []);
    assert.equal(seen.length, 1, "the Account's check warning is shown");
    assert.match(seen[0][1], /\$JS\.ACK\.ORDERS\.>/);
  });
});
