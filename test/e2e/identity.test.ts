/**
 * Identity resources through the real pulumi CLI: up, a no-op preview, one permission change that
 * is exactly one update, and a nats-server (MEMORY resolver preloaded from the stack's outputs)
 * that enforces the permission before and after.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import * as pulumi from "@pulumi/pulumi";
import { decodeJwt } from "../../core/jwt";
import { renderServerConfig } from "../../core/serverConfig";
import { Account, OperatorWithSystemAccount, SigningKey, User } from "../../sdk";
import { NatsServer } from "../harness/natsServer";
import { changeCount, SEED_RE, TestStack } from "../harness/pulumi";

const program = async () => {
  const cfg = new pulumi.Config();
  const allow = cfg.get("allow") ?? "orders.>";
  const ops = new OperatorWithSystemAccount("op", {
    generateSigningKey: true,
    strictSigningKeyUsage: true,
    tags: [cfg.get("operatorTag") ?? "blue"],
  });
  const sk = new SigningKey("app-sk", { owner: "account" });
  const app = new Account("APP", {
    operator: ops.operator,
    signer: ops.signingKey,
    signingKeys: [sk],
    limits: { conn: 10 },
  });
  const svc = new User("svc", { account: app, signer: sk, pub: { allow: [allow] } });
  const admin = new User("admin", { account: app, signer: sk });
  return {
    operatorJwt: ops.operator.jwt,
    sysPub: ops.systemAccount.publicKey,
    sysJwt: ops.systemAccount.jwt,
    appPub: app.publicKey,
    appJwt: app.jwt,
    svcCreds: svc.creds,
    adminCreds: admin.creds,
  };
};

/** A MEMORY-resolver server config with SYS and APP preloaded from the stack's outputs. */
function memoryResolverConfig(out: Record<string, { value: unknown }>): string {
  const v = (k: string) => String(out[k].value);
  return renderServerConfig({
    operator: v("operatorJwt"),
    systemAccount: v("sysPub"),
    resolver: { type: "memory" },
    preload: { [v("sysPub")]: v("sysJwt"), [v("appPub")]: v("appJwt") },
  });
}

async function canPublish(
  server: NatsServer,
  creds: string,
  admin: string,
  subject: string,
): Promise<boolean> {
  const te = new TextEncoder();
  const opts = (c: string) => ({ servers: server.url, authenticator: credsAuthenticator(te.encode(c)) });
  const watcher: NatsConnection = await connect(opts(admin));
  const publisher: NatsConnection = await connect(opts(creds));
  const sub = watcher.subscribe(subject, { max: 1 });
  await watcher.flush();
  publisher.publish(subject, "x");
  await publisher.flush();
  const timer = setTimeout(() => sub.unsubscribe(), 500);
  let got = false;
  for await (const _ of sub) got = true;
  clearTimeout(timer);
  await watcher.close();
  await publisher.close();
  return got;
}

describe("e2e identity - pulumi up, no-op preview, one update, enforced by nats-server", () => {
  let t: TestStack;
  let server: NatsServer | undefined;
  let oldSvcCreds = "";
  before(async () => {
    t = await TestStack.create("identity", program);
  });
  after(async () => {
    await server?.[Symbol.asyncDispose]();
    await t?.dispose();
  });

  it("identity e2e - the full cycle", async () => {
    const up = await t.up();
    assert.equal(up.summary.result, "succeeded");
    const out = up.outputs;
    assert.equal(out.svcCreds.secret, true);
    assert.equal(out.adminCreds.secret, true);

    const preview = await t.preview();
    assert.equal(
      changeCount(preview.changeSummary),
      0,
      `no-op preview: ${JSON.stringify(preview.changeSummary)}`,
    );

    server = await NatsServer.start({ body: memoryResolverConfig(out) });
    const admin = String(out.adminCreds.value);
    assert.equal(await canPublish(server, String(out.svcCreds.value), admin, "orders.new"), true);
    assert.equal(await canPublish(server, String(out.svcCreds.value), admin, "payments.x"), false);

    await t.stack.setConfig("allow", { value: "payments.>" });
    const changed = await t.preview({ diff: true });
    assert.deepEqual(
      Object.fromEntries(Object.entries(changed.changeSummary).filter(([op]) => op !== "same")),
      { update: 1 },
    );
    assert.match(changed.stdout, /payments\.>/, "preview --diff shows the changed permission");

    const up2 = await t.up();
    assert.equal(up2.summary.resourceChanges?.update, 1);
    const creds2 = String(up2.outputs.svcCreds.value);
    oldSvcCreds = creds2;
    assert.equal(await canPublish(server, creds2, admin, "payments.x"), true);
    assert.equal(await canPublish(server, creds2, admin, "orders.new"), false);

    const again = await t.preview();
    assert.equal(changeCount(again.changeSummary), 0);

    // An operator claim change re-signs the operator only, in the preview as in the update.
    await t.stack.setConfig("operatorTag", { value: "green" });
    const opPreview = await t.preview();
    assert.deepEqual(
      Object.fromEntries(Object.entries(opPreview.changeSummary).filter(([op]) => op !== "same")),
      { update: 1 },
    );
    assert.equal((await t.up()).summary.resourceChanges?.update, 1);

    const state = await t.exportText();
    assert.doesNotMatch(state, SEED_RE, "no seed in plain text in pulumi stack export");
    assert.doesNotMatch(t.logs.join(""), SEED_RE, "no seed in the CLI output");
  });

  it("identity e2e - rotating the account signing key re-signs the account and every user it signed", async () => {
    const resources = (await t.stack.exportStack()).deployment.resources as { urn: string; type: string }[];
    const skUrn = resources.find((r) => r.type.endsWith(":SigningKey") && r.urn.endsWith("::app-sk"))?.urn;
    assert.ok(skUrn, "app-sk in state");
    const rotated = await t.stack.up({ replace: [skUrn], onOutput: (l) => t.logs.push(l) });
    assert.equal(rotated.summary.resourceChanges?.replace, 1, "the signing key is replaced");
    assert.equal(rotated.summary.resourceChanges?.update, 3, "APP, svc and admin are re-signed");
    const out = rotated.outputs;
    const svcIssuer = decodeJwt(String(out.svcCreds.value).split("\n")[1]).iss;
    assert.notEqual(svcIssuer, decodeJwt(oldSvcCreds.split("\n")[1]).iss, "new issuer");

    // A server that loads the re-signed account accepts the new creds and refuses the old ones.
    await server?.[Symbol.asyncDispose]();
    server = await NatsServer.start({ body: memoryResolverConfig(out) });
    assert.equal(
      await canPublish(server, String(out.svcCreds.value), String(out.adminCreds.value), "payments.x"),
      true,
    );
    await assert.rejects(
      connect({
        servers: server.url,
        authenticator: credsAuthenticator(new TextEncoder().encode(oldSvcCreds)),
        reconnect: false,
      }),
      /Authorization Violation/i,
    );
    assert.equal(changeCount((await t.preview()).changeSummary), 0);
  });

  it("identity e2e - preview refuses bad input, naming the resource, the field and the reason", () => {
    /** A field as the engine names it: a top-level input, or a path leading the reason. */
    const field = (path: string) =>
      new RegExp(`(property ${path}\\S* value .* has a problem|has a problem: ${path}\\S*: )`);
    const expectations: Record<string, RegExp[]> = {
      strict: [/strict-violation/, field(String.raw`signer`), /the operator requires signing keys/],
      user: [
        /bad-user/,
        field(String.raw`pub\.allow\[0\]`),
        /white space/,
        field(String.raw`subs`),
        /integer >= -1/,
      ],
      scoped: [/scoped-user/, field(String.raw`pub`), /scoped signing key carries no permissions/],
      seed: [/op/, field(String.raw`identity`), /seed: is a account seed, expected operator/],
      window: [/late/, field(String.raw`expires`), /is not after notBefore/],
      expired: [/gone/, field(String.raw`expires`), /has already passed/],
      duplicateKeys: [/twice/, field(String.raw`signingKeys`), /twice|duplicate/i],
      resolverUrl: [/pushed/, /resolver/, /http/, /expectedServers/],
      serverConfig: [/srv/, field(String.raw`(resolver|preload)`), field(String.raw`cluster\.routes\[0\]`)],
      leafRemote: [/leaf/, field(String.raw`urls`), /must start with one of nats-leaf/],
      controlChars: [
        /tabbed/,
        field(String.raw`name`),
        /control character U\+0009 \(tab\)/,
        field(String.raw`tags\[0\]`),
        /U\+000A \(newline\)/,
      ],
      nulSubject: [/nul/, field(String.raw`pub\.allow\[0\]`), /control character U\+0000 \(NUL\)/],
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-bad-input-"));
    const file = path.join(dir, "server.conf");
    for (const [name, patterns] of Object.entries(expectations)) {
      const out = execFileSync(process.execPath, [path.join(__dirname, "fixtures", "badInput.js"), name], {
        encoding: "utf8",
        timeout: 180_000,
        env: { ...process.env, BAD_INPUT_FILE: file },
      });
      const { message } = JSON.parse(out.trim().split("\n").pop() ?? "{}") as { message: string };
      assert.ok(message, `${name}: preview should fail`);
      for (const p of patterns) assert.match(message, p, name);
      // The engine looks a failure's property up among the top-level inputs: a nested path printed
      // as `value {<nil>}` until such failures were sent with their path in the reason.
      assert.doesNotMatch(message, /<nil>/, `${name}: no engine noise in the message`);
      assert.doesNotMatch(message, SEED_RE, `${name}: no seed in the error`);
    }
    assert.deepEqual(fs.readdirSync(dir), [], "no file written by a preview that failed");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
