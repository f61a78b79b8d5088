/**
 * The pure parts of "never say done where the servers disagree": which servers trust an account's
 * signer, the preview checks of `resolver`, and ServerConfig's `restartRequired`.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { accountClaims, operatorClaims } from "../../core/claims";
import { sign } from "../../core/jwt";
import { createKeyPair, type NKeyPair } from "../../core/nkeys";
import { expiredAt, type ServerTrust, trustedKeys, trustProblems } from "../../core/pushCheck";
import { handler as account } from "../../provider/account";
import type { AccountProps } from "../../provider/contracts";
import { UNKNOWN } from "../../provider/kit/unknown";
import { handler as serverConfig } from "../../provider/serverConfigFile";
import { type World, world } from "../harness/identities";

describe("resolver truth - trustProblems", () => {
  let op: NKeyPair;
  let sk1: NKeyPair;
  let sk2: NKeyPair;
  let trust: ServerTrust[];
  before(() => {
    op = createKeyPair("operator");
    sk1 = createKeyPair("operator");
    sk2 = createKeyPair("operator");
    trust = [
      {
        server: "n1",
        operators: [{ publicKey: op.getPublicKey(), signingKeys: [sk1.getPublicKey()], strict: true }],
      },
    ];
  });
  const accountBy = async (signer: NKeyPair, exp?: number) => {
    const a = createKeyPair("account");
    return sign(accountClaims("A", a.getPublicKey(), signer.getPublicKey(), { expires: exp }), signer);
  };

  it("trustProblems - a trusted signing key passes", async () => {
    assert.deepEqual(trustProblems(await accountBy(sk1), trust), []);
  });

  it("trustProblems - a key the running server lacks names server, key, account and the restart", async () => {
    const jwt = await accountBy(sk2);
    const [p, ...rest] = trustProblems(jwt, [...trust, { ...trust[0], server: "n2" }]);
    assert.equal(rest.length, 1, "one problem per server");
    assert.equal(p.server, "n1");
    assert.equal(p.signer, sk2.getPublicKey());
    assert.match(p.reason, /server "n1" does not trust signing key O/);
    assert.match(
      p.reason,
      /restart the servers with the new operator config: nats-server cannot reload operators/,
    );
  });

  it("trustProblems - identity key under strict usage, and a server that did not report", async () => {
    assert.match(trustProblems(await accountBy(op), trust)[0].reason, /strict_signing_key_usage/);
    const silent = trustProblems(await accountBy(sk1), [{ server: "quiet" }]);
    assert.match(silent[0].reason, /\$SYS\.REQ\.SERVER\.PING\.VARZ/);
  });

  it("expiredAt - only past expiries", async () => {
    const now = Date.now();
    assert.equal(expiredAt(await accountBy(sk1, Math.floor(now / 1000) + 60), now), undefined);
    assert.match(String(expiredAt(await accountBy(sk1, Math.floor(now / 1000) - 60), now)), /^\d{4}-/);
  });

  it("trustedKeys - the operator key first, then its signing keys sorted", async () => {
    const jwt = await sign(
      operatorClaims("o", op.getPublicKey(), { signingKeys: [sk2.getPublicKey(), sk1.getPublicKey()] }),
      op,
    );
    assert.deepEqual(trustedKeys(jwt), [
      op.getPublicKey(),
      ...[sk1.getPublicKey(), sk2.getPublicKey()].sort(),
    ]);
  });
});

describe("resolver truth - Account resolver checks at preview", () => {
  let w: World;
  let base: AccountProps;
  before(async () => {
    w = await world({ strict: true });
    base = {
      name: "A",
      operatorPublicKey: w.operator.publicKey,
      operatorSigningKeys: w.operator.signingKeys,
      operatorStrict: true,
      signerSeed: w.operatorSigningKey.seed,
    };
  });
  const failures = async (resolver: AccountProps["resolver"]) =>
    ((await account.check({}, { ...base, resolver })).failures ?? []).map(
      (f) => `${f.property}: ${f.reason}`,
    );

  it("resolver checks - nats, tls, ws and wss URLs pass", async () => {
    const servers = ["nats://a:4222", "tls://b:4222", "ws://c:8080", "wss://d:443"];
    assert.deepEqual(await failures({ servers, creds: w.sysUser.creds, expectedServers: 4 }), []);
  });

  it("resolver checks - an http URL is named by its index", async () => {
    const f = await failures({ servers: ["nats://a:4222", "http://b:8222"], creds: w.sysUser.creds });
    assert.equal(f.length, 1);
    assert.match(f[0], /^resolver\.servers\[1\]: "http:\/\/b:8222" uses http:\/\//);
  });

  it("resolver checks - expectedServers must be a whole number of at least 1", async () => {
    for (const n of [0, -1, 1.5]) {
      const f = await failures({ servers: ["nats://a:4222"], creds: w.sysUser.creds, expectedServers: n });
      assert.deepEqual(f.length, 1, `expectedServers ${n}`);
      assert.match(f[0], /^resolver\.expectedServers: must be a whole number/);
    }
  });

  it("resolver checks - unknown values at preview are not judged", async () => {
    assert.deepEqual(await failures({ servers: [UNKNOWN], creds: UNKNOWN }), []);
  });
});

describe("resolver truth - ServerConfig restartRequired", () => {
  let w: World;
  before(async () => {
    w = await world({ strict: true });
  });

  it("restartRequired - false on create and on unrelated updates, true when the operator's keys change", async () => {
    const inputs = {
      serverName: "s",
      operator: w.operator.jwt,
      systemAccount: w.sys.publicKey,
      resolver: { type: "memory" as const },
      preload: { [w.sys.publicKey]: w.sys.jwt },
    };
    assert.deepEqual((await serverConfig.check({}, inputs)).failures, []);
    const { outs } = await serverConfig.create(inputs);
    assert.equal(outs.restartRequired, false);

    const port = (await serverConfig.update!("id", outs, { ...inputs, port: 4333 })).outs;
    assert.equal(port.restartRequired, false, "a port change is no operator change");

    const sk = createKeyPair("operator");
    const op2 = await sign(
      operatorClaims("test-op", w.operator.publicKey, {
        signingKeys: [...(w.operator.signingKeys ?? []), sk.getPublicKey()],
        systemAccount: w.sys.publicKey,
        strictSigningKeyUsage: true,
      }),
      createKeyPair("operator"),
    );
    const moved = (await serverConfig.update!("id", port, { ...inputs, port: 4333, operator: op2 })).outs;
    assert.equal(moved.restartRequired, true);
    assert.ok(!moved.text.includes("restartRequired"), "not rendered into the config");

    // 0.1.0 state has no restartRequired: it reads as false and updates as usual.
    const { restartRequired: _r, ...old } = outs;
    assert.equal((await serverConfig.diff("id", old, inputs)).changes, false);
    assert.equal(
      (await serverConfig.update!("id", old, { ...inputs, port: 4333 })).outs.restartRequired,
      false,
    );
  });
});
