/**
 * Auth callout through the real pulumi CLI against a real nats-server, beyond what the
 * examples/auth-callout README shows (examples.test.ts runs that project as its README says): an
 * account whose users a callout service authorizes (the example's accounts, keys and users, inline,
 * so the test can read every account's JWT). The service (written here with @nats-io/transport-node, and this package's UTF-8 JWT
 * signing and decoding) places a client presenting the right token into APP with the permissions it
 * issues (one of them outside ASCII), and refuses a wrong token; then again with the requests
 * encrypted to an xkey (a KeyPair of kind "curve").
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { AuthorizationRequest } from "@nats-io/jwt";
import { fromCurveSeed } from "@nats-io/nkeys";
import {
  connect,
  credsAuthenticator,
  headers,
  type Msg,
  type NatsConnection,
  tokenAuthenticator,
} from "@nats-io/transport-node";
import * as pulumi from "@pulumi/pulumi";
import { userClaims, type WireClaims } from "../../core/claims";
import { decodeJwt, sign, signatureValid } from "../../core/jwt";
import { fromSeed } from "../../core/nkeys";
import { renderServerConfig } from "../../core/serverConfig";
import { Account, KeyPair, OperatorWithSystemAccount, SigningKey, User } from "../../sdk";
import { NatsServer } from "../harness/natsServer";
import { REPO_ROOT } from "../harness/paths";
import { changeCount, TestStack } from "../harness/pulumi";

const EXAMPLE = path.join(REPO_ROOT, "examples", "auth-callout", "index.ts");
const TOKEN = "s3cret-token";
/** The permissions the service issues: what the placed client must end up with. */
const ISSUED = {
  pub: { allow: ["app.>", "café.>", "$SYS.REQ.USER.INFO"] },
  sub: { allow: ["app.>", "café.>", "_INBOX.>"] },
};

type Outputs = Record<string, { value: unknown; secret: boolean }>;
const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * The callout service: answers `$SYS.REQ.USER.AUTH` with a user JWT for APP (signed by APP's signing
 * key) when the client's token is right, and with an error otherwise. With `xkeySeed` it opens the
 * sealed request and seals its answer to the server's xkey.
 */
async function startCallout(url: string, o: Outputs): Promise<NatsConnection> {
  const nc = await connect({
    servers: url,
    authenticator: credsAuthenticator(enc.encode(String(o.serviceCreds.value))),
  });
  const appSigner = fromSeed(String(o.userSigningKey.value), "account");
  const responseSigner = fromSeed(String(o.responseSigningKey.value), "account");
  const [, [appPub], [authPub]] = o.accountJwts.value as [string, string][];
  const xkp = o.xkeySeed?.value ? fromCurveSeed(enc.encode(String(o.xkeySeed.value))) : undefined;
  nc.subscribe("$SYS.REQ.USER.AUTH", {
    callback: (_err, m: Msg) => {
      void (async () => {
        const serverXkey = m.headers?.get("Nats-Server-Xkey");
        const opened = xkp && serverXkey ? xkp.open(m.data, serverXkey) : m.data;
        assert.ok(opened, "the request opens with the xkey");
        const text = dec.decode(opened);
        const request = decodeJwt(text);
        assert.ok(signatureValid(text, request.iss), "the request is signed by the server");
        const req = request.nats as unknown as AuthorizationRequest;
        const placed = {
          ...userClaims("placé", req.user_nkey, appSigner.getPublicKey(), ISSUED, { issuerAccount: appPub }),
          aud: appPub,
        };
        const data =
          req.connect_opts.auth_token === TOKEN
            ? { jwt: await sign(placed, appSigner) }
            : { error: "unknown token" };
        // An authorization response has no name.
        const response: Omit<WireClaims, "name"> = {
          iss: responseSigner.getPublicKey(),
          sub: req.user_nkey,
          aud: req.server_id.id,
          nats: { ...data, issuer_account: authPub, type: "authorization_response", version: 2 },
        };
        const res = await sign(response as WireClaims, responseSigner);
        m.respond(xkp && serverXkey ? xkp.seal(enc.encode(res), serverXkey) : res);
      })();
    },
  });
  await nc.flush();
  return nc;
}

async function serverFor(o: Outputs): Promise<NatsServer> {
  return NatsServer.start({
    body: renderServerConfig({
      operator: String(o.operatorJwt.value),
      systemAccount: String(o.systemAccount.value),
      resolver: { type: "memory" },
      preload: Object.fromEntries(o.accountJwts.value as [string, string][]),
    }),
  });
}

/** The example's accounts, keys and users, with the outputs the service and the assertions read. */
async function calloutProgram() {
  const encrypt = new pulumi.Config().getBoolean("encrypt") ?? false;
  const local = new OperatorWithSystemAccount("local", { generateSigningKey: true });
  const issuer = { operator: local.operator, signer: local.signingKey };
  const appKey = new SigningKey("APP-sk", { owner: "account" });
  const app = new Account("APP", { ...issuer, signingKeys: [appKey] });
  const serviceKey = new KeyPair("callout-service-key", { kind: "user" });
  const xkey = encrypt ? new KeyPair("callout-xkey", { kind: "curve" }) : undefined;
  const authKey = new SigningKey("AUTH-sk", { owner: "account" });
  const auth = new Account("AUTH", {
    ...issuer,
    signingKeys: [authKey],
    authorization: {
      authUsers: [serviceKey.publicKey],
      allowedAccounts: [app.publicKey],
      xkey: xkey?.publicKey,
    },
  });
  const service = new User("callout-service", { account: auth, key: serviceKey });
  const sentinel = new User("sentinel", { account: auth, pub: { deny: [">"] }, sub: { deny: [">"] } });
  return {
    operatorJwt: local.operator.jwt,
    systemAccount: local.systemAccount.publicKey,
    accountJwts: pulumi.all([
      [local.systemAccount.publicKey, local.systemAccount.jwt],
      [app.publicKey, app.jwt],
      [auth.publicKey, auth.jwt],
    ]),
    serviceCreds: service.creds,
    responseSigningKey: authKey.seed,
    userSigningKey: appKey.seed,
    xkeySeed: xkey?.seed,
    sentinelCreds: sentinel.creds,
  };
}

describe("e2e auth callout - an account whose users a callout service authorizes", () => {
  let t: TestStack;
  const closers: (() => Promise<unknown>)[] = [];
  before(async () => {
    t = await TestStack.create("callout", calloutProgram);
  });
  after(async () => {
    for (const close of closers.reverse()) await close();
    await t?.dispose();
  });

  it("callout - docs/patterns.md shows the example file unchanged", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "docs", "patterns.md"), "utf8");
    assert.ok(
      readme.includes(`\`\`\`ts\n${fs.readFileSync(EXAMPLE, "utf8")}\`\`\``),
      "docs/patterns.md embeds examples/auth-callout/index.ts verbatim",
    );
  });

  for (const encrypt of [false, true]) {
    it(`callout - ${encrypt ? "with xkey encryption: " : ""}the right token is placed in APP with the issued permissions; a wrong token is refused`, async () => {
      await t.stack.setConfig("encrypt", { value: String(encrypt) });
      const o = (await t.up()).outputs as Outputs;
      const authClaims = decodeJwt((o.accountJwts.value as [string, string][])[2][1]).nats.authorization as {
        xkey?: string;
        allowed_accounts: string[];
      };
      assert.equal(Boolean(authClaims.xkey?.startsWith("X")), encrypt);
      assert.equal(o.responseSigningKey.secret, true);
      const server = await serverFor(o);
      closers.push(() => server[Symbol.asyncDispose]());
      const service = await startCallout(server.url, o);
      closers.push(() => service.close());

      const sentinel = credsAuthenticator(enc.encode(String(o.sentinelCreds.value)));
      const client = await connect({
        servers: server.url,
        authenticator: [sentinel, tokenAuthenticator(TOKEN)],
      });
      closers.push(() => client.close());
      const info = (await client.request("$SYS.REQ.USER.INFO", "", { timeout: 3000 })).json<{
        data: {
          account: string;
          permissions: { publish: { allow: string[] }; subscribe: { allow: string[] } };
        };
      }>().data;
      assert.equal(info.account, authClaims.allowed_accounts[0], "placed in APP");
      // The server reports a permission list in no fixed order (it keeps them in a set).
      const sorted = (l: string[]) => [...l].sort();
      assert.deepEqual(sorted(info.permissions.publish.allow), sorted(ISSUED.pub.allow));
      assert.deepEqual(sorted(info.permissions.subscribe.allow), sorted(ISSUED.sub.allow));
      const sub = client.subscribe("app.hello", { max: 1 });
      client.publish("app.hello", "hi", { headers: headers() });
      for await (const m of sub) assert.equal(m.string(), "hi");

      await assert.rejects(
        connect({
          servers: server.url,
          authenticator: [sentinel, tokenAuthenticator("wrong")],
          reconnect: false,
        }),
        /Authorization Violation/i,
      );
      assert.equal(changeCount((await t.preview()).changeSummary), 0);
    });
  }
});
