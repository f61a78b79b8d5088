/**
 * An operator change through the real pulumi CLI and a real nats-server (full resolver): the
 * operator gains a second signing key and an account moves to it. nats-server cannot reload trusted
 * operators, so until the server restarts with the re-rendered config the push must fail clearly and
 * the account stay recorded as not pushed; after the restart `up` converges. Removing a signing key
 * an account of the stack still uses fails at preview.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { decodeJwt } from "../../core/jwt";
import { trustedKeys } from "../../core/pushCheck";
import { closeAllResolvers } from "../../io/resolverPool";
import { Account, OperatorWithSystemAccount, ServerConfig, SigningKey, User } from "../../sdk";
import { connectOnce } from "../harness/clients";
import { NatsServer } from "../harness/natsServer";
import { changeCount, TestStack } from "../harness/pulumi";

const program = async () => {
  const cfg = new pulumi.Config();
  // The second operator signing key exists from the start; `secondKey` lists it in the operator JWT.
  const sk2 = new SigningKey("op-sk2", { owner: "operator" });
  const ops = new OperatorWithSystemAccount("op", {
    generateSigningKey: true,
    strictSigningKeyUsage: true,
    signingKeys: cfg.getBoolean("secondKey") ? [sk2] : [],
  });
  const config = new ServerConfig("server", {
    operator: ops.operator.jwt,
    systemAccount: ops.systemAccount.publicKey,
    resolver: { type: "full", dir: "jwt", allowDelete: true, interval: "2m", timeout: "1.9s" },
    preload: [ops.systemAccount],
  });
  const base = {
    configText: config.text,
    restartRequired: config.restartRequired,
    sk2: sk2.publicKey,
  };
  const servers = cfg.getObject<string[]>("servers");
  if (!servers) return base;
  const appSk = new SigningKey("app-sk", { owner: "account" });
  const app = new Account("APP", {
    operator: ops.operator,
    signer: cfg.getBoolean("moved") ? sk2 : ops.signingKey,
    signingKeys: [appSk],
    resolver: { servers, creds: ops.systemUser.creds, timeoutMs: 2000 },
  });
  const user = new User("u", { account: app, signer: appSk });
  return { ...base, appPub: app.publicKey, appJwt: app.jwt, pushedTo: app.pushedTo, userCreds: user.creds };
};

/** The keys the operator JWT in a rendered config trusts. */
function operatorKeys(configText: string): string[] {
  const jwts = configText.match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g) ?? [];
  const op = jwts.find((j) => decodeJwt(j).nats.type === "operator");
  return op ? trustedKeys(op) : [];
}

function firstLine(text: string, re: RegExp): string {
  return (
    text
      .split("\n")
      .find((l) => re.test(l))
      ?.trim() ?? ""
  );
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

interface StateResource {
  urn: string;
  type: string;
  outputs?: Record<string, unknown>;
}

describe("e2e operator change - servers must restart before accounts move to a new operator key", () => {
  let t: TestStack;
  let server: NatsServer;
  let first: Record<string, { value: unknown }>;
  before(async () => {
    t = await TestStack.create("operator-change", program);
    first = (await t.up()).outputs;
    assert.equal(first.restartRequired.value, false, "a new config needs no restart");
    server = await NatsServer.start({ name: "opchange", body: String(first.configText.value) });
    await t.stack.setConfig("servers", { value: JSON.stringify([server.url]) });
  });
  after(async () => {
    await t?.stack.setConfig("secondKey", { value: "true" });
    await t?.dispose();
    await closeAllResolvers();
    await server?.[Symbol.asyncDispose]();
  });

  /** The Account and ServerConfig outputs as recorded in state (also after a failed up). */
  async function recorded(): Promise<{ app: Record<string, unknown>; config: Record<string, unknown> }> {
    // The Automation API's export decrypts secrets (ServerConfig's text is one); the CLI's would not.
    const resources = (await t.stack.exportStack()).deployment.resources as StateResource[];
    const find = (suffix: string, pred: (o: Record<string, unknown>) => boolean) =>
      resources.find((r) => r.type.endsWith(suffix) && r.outputs && pred(r.outputs))?.outputs ?? {};
    return {
      app: find(":Account", (o) => o.name === "APP"),
      config: find(":ServerConfig", () => true),
    };
  }

  it("operator change e2e - without a restart up fails naming account, server, key and the restart; after it up converges", async () => {
    const up = await t.up();
    assert.equal(up.outputs.pushedTo.value, 1);
    const creds = String(up.outputs.userCreds.value);
    await connectOnce(server.url, creds);
    const appPub = String(up.outputs.appPub.value);
    const sk2 = String(up.outputs.sk2.value);

    // The operator gains sk2 and APP moves to it; the running server still has the old operator.
    await t.stack.setConfig("secondKey", { value: "true" });
    await t.stack.setConfig("moved", { value: "true" });
    let message = "";
    try {
      await t.up();
      assert.fail("up should fail while the server does not trust the new key");
    } catch (e) {
      message = errorText(e);
    }
    console.log(`up without restart: ${firstLine(message, /refusing to push/)}`);
    assert.match(message, /Account "APP"/);
    assert.ok(message.includes(appPub), "names the account key");
    assert.match(message, /server "opchange" does not trust signing key/);
    assert.ok(message.includes(sk2), "names the signing key the server lacks");
    assert.match(
      message,
      /restart the servers with the new operator config: nats-server cannot reload operators/,
    );
    // The config re-render may have lost the race with the failed push: render it as a user would
    // before restarting the servers (a targeted up of the ServerConfig alone).
    const configUrn = ((await t.stack.exportStack()).deployment.resources as StateResource[]).find((r) =>
      r.type.endsWith(":ServerConfig"),
    )?.urn;
    await t.stack.up({ target: [String(configUrn)], onOutput: (l) => t.logs.push(l) });
    const state = await recorded();
    assert.equal(state.app.pushedTo, 0, "not recorded as pushed");
    assert.equal(state.app.pushedHash, "");
    assert.equal(decodeJwt(String(state.app.jwt)).iss, sk2, "the new JWT is kept in state");
    assert.equal(state.config.restartRequired, true, "ServerConfig says the servers must restart");
    // The server kept the JWT it can use: the user still connects.
    await connectOnce(server.url, creds);
    assert.ok(changeCount((await t.preview()).changeSummary) >= 1, "preview shows the account still to push");

    // Restart with the re-rendered config (the operator JWT with sk2): up converges.
    // A decrypted export keeps secrets as { <sig>, plaintext: <JSON> }.
    const secretText = state.config.text as string | { plaintext?: string };
    const text = typeof secretText === "string" ? secretText : JSON.parse(String(secretText.plaintext));
    assert.ok(operatorKeys(text).includes(sk2), "the re-rendered config trusts sk2");
    fs.writeFileSync(server.configPath, server.configText.replace(String(first.configText.value), text));
    await server.restart();
    const up2 = await t.up();
    assert.equal(up2.outputs.pushedTo.value, 1);
    assert.equal(decodeJwt(String(up2.outputs.appJwt.value)).iss, sk2);
    await connectOnce(server.url, String(up2.outputs.userCreds.value));
    assert.equal(changeCount((await t.preview()).changeSummary), 0, "converged");
  });

  it("operator change e2e - removing a signing key an account still uses fails at preview naming the account", async () => {
    await t.stack.setConfig("secondKey", { value: "false" });
    let message = "";
    try {
      await t.preview();
      assert.fail("preview should fail while APP is signed by the key being removed");
    } catch (e) {
      message = errorText(e);
    }
    console.log(`preview removing the key: ${firstLine(message, /signer/)}`);
    assert.match(message, /APP/);
    assert.match(message, /signer/);
    assert.match(message, /neither the operator's identity key nor one of its signing keys/);
  });
});
