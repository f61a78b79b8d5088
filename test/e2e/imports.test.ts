/**
 * Two accounts that import services from each other: declared through separate KeyPairs, so the
 * graph has no cycle; a real server proves both imports work.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { renderServerConfig } from "../../core/serverConfig";
import { Account, KeyPair, OperatorWithSystemAccount, SigningKey, User } from "../../sdk";
import { NatsServer } from "../harness/natsServer";
import { changeCount, TestStack } from "../harness/pulumi";

const program = async () => {
  const ops = new OperatorWithSystemAccount("op", { generateSigningKey: true, strictSigningKeyUsage: true });
  const keyA = new KeyPair("A-key", { kind: "account" });
  const keyB = new KeyPair("B-key", { kind: "account" });
  const skA = new SigningKey("A-sk", { owner: "account" });
  const skB = new SigningKey("B-sk", { owner: "account" });
  const common = { operator: ops.operator, signer: ops.signingKey };
  const a = new Account("A", {
    ...common,
    key: keyA,
    signingKeys: [skA],
    exports: [{ subject: "a.svc", type: "service" }],
    imports: [{ subject: "b.svc", account: keyB.publicKey, type: "service" }],
  });
  const b = new Account("B", {
    ...common,
    key: keyB,
    signingKeys: [skB],
    exports: [{ subject: "b.svc", type: "service" }],
    imports: [{ subject: "a.svc", account: keyA.publicKey, type: "service", localSubject: "from-a.svc" }],
  });
  const ua = new User("ua", { account: a, signer: skA });
  const ub = new User("ub", { account: b, signer: skB });
  return {
    operatorJwt: ops.operator.jwt,
    sysPub: ops.systemAccount.publicKey,
    sysJwt: ops.systemAccount.jwt,
    aPub: a.publicKey,
    aJwt: a.jwt,
    bPub: b.publicKey,
    bJwt: b.jwt,
    uaCreds: ua.creds,
    ubCreds: ub.creds,
  };
};

describe("e2e imports - two accounts importing from each other", () => {
  let t: TestStack | undefined;
  let server: NatsServer | undefined;
  const conns: NatsConnection[] = [];
  after(async () => {
    await Promise.all(conns.map((c) => c.close()));
    await server?.[Symbol.asyncDispose]();
    await t?.dispose();
  });

  it("imports - no dependency cycle; each account reaches the other's service", async () => {
    t = await TestStack.create("imports", program);
    const up = await t.up();
    const o = up.outputs;
    const v = (k: string) => String(o[k].value);
    server = await NatsServer.start({
      body: renderServerConfig({
        operator: v("operatorJwt"),
        systemAccount: v("sysPub"),
        resolver: { type: "memory" },
        preload: { [v("sysPub")]: v("sysJwt"), [v("aPub")]: v("aJwt"), [v("bPub")]: v("bJwt") },
      }),
    });
    const as = async (creds: string) => {
      const nc = await connect({
        servers: server!.url,
        authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
      });
      conns.push(nc);
      return nc;
    };
    const ua = await as(v("uaCreds"));
    const ub = await as(v("ubCreds"));
    const answer = (nc: NatsConnection, subject: string, text: string) =>
      nc.subscribe(subject, {
        callback: (_e, m) => {
          m.respond(text);
        },
      });
    answer(ua, "a.svc", "from A");
    answer(ub, "b.svc", "from B");
    await ua.flush();
    await ub.flush();
    assert.equal((await ua.request("b.svc", "", { timeout: 2000 })).string(), "from B");
    assert.equal((await ub.request("from-a.svc", "", { timeout: 2000 })).string(), "from A");
    assert.equal(changeCount((await t.preview()).changeSummary), 0);
  });
});
