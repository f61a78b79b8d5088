/**
 * Activation tokens through the real pulumi CLI against a real nats-server, beyond what the
 * examples/private-export README shows (examples.test.ts runs that project as its README says): a
 * private service export; the importer with the token gets replies; an importer without a token does
 * not; once the ActivationToken is removed from the program, the exporter is re-signed with the
 * importer revoked and pushed, and the importer (which still holds the token, as a team stack that was
 * handed it would) gets no more replies. The programs are inline (the example's accounts, users and
 * token, same names) so the test can change them between updates.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import * as pulumi from "@pulumi/pulumi";
import { decodeJwt } from "../../core/jwt";
import { renderServerConfig } from "../../core/serverConfig";
import { closeAllResolvers } from "../../io/resolverPool";
import { Account, ActivationToken, KeyPair, OperatorWithSystemAccount, User } from "../../sdk";
import { NatsServer } from "../harness/natsServer";
import { REPO_ROOT } from "../harness/paths";
import { changeCount, TestStack } from "../harness/pulumi";

const EXAMPLE = path.join(REPO_ROOT, "examples", "private-export", "index.ts");

/** The example's accounts, token and users, with the outputs the assertions read. */
async function withToken() {
  const servers = new pulumi.Config().getObject<string[]>("servers") ?? [];
  const local = new OperatorWithSystemAccount("local", { generateSigningKey: true });
  const issuer = { operator: local.operator, signer: local.signingKey };
  const resolver = { servers, creds: local.systemUser.creds };
  const shopKey = new KeyPair("SHOP-key", { kind: "account" });
  const billing = new Account("BILLING", {
    ...issuer,
    resolver,
    exports: [{ subject: "billing.>", type: "service", tokenRequired: true }],
  });
  const invoices = new ActivationToken("shop-invoices", {
    exporter: billing,
    importer: shopKey,
    subject: "billing.invoice",
    type: "service",
  });
  const shop = new Account("SHOP", {
    ...issuer,
    key: shopKey,
    resolver,
    imports: [
      { subject: "billing.invoice", account: billing.publicKey, type: "service", token: invoices.token },
    ],
  });
  const service = new User("billing-service", { account: billing, sub: { allow: ["billing.>"] } });
  const client = new User("shop-client", { account: shop });
  return {
    operatorJwt: local.operator.jwt,
    systemAccount: local.systemAccount.publicKey,
    systemAccountJwt: local.systemAccount.jwt,
    pushedTo: pulumi.all([billing.pushedTo, shop.pushedTo]),
    invoiceToken: invoices.token,
    serviceCreds: service.creds,
    clientCreds: client.creds,
  };
}

/**
 * The example with its ActivationToken taken out: SHOP keeps the token it was handed (`held`), and a
 * third account imports the private service without any token. Same resource names, same stack.
 */
function withoutToken(held: string) {
  return async () => {
    const servers = new pulumi.Config().getObject<string[]>("servers") ?? [];
    const local = new OperatorWithSystemAccount("local", { generateSigningKey: true });
    const issuer = { operator: local.operator, signer: local.signingKey };
    const resolver = { servers, creds: local.systemUser.creds };
    const shopKey = new KeyPair("SHOP-key", { kind: "account" });
    const billing = new Account("BILLING", {
      ...issuer,
      resolver,
      exports: [{ subject: "billing.>", type: "service", tokenRequired: true }],
    });
    const shop = new Account("SHOP", {
      ...issuer,
      key: shopKey,
      resolver,
      imports: [
        {
          subject: "billing.invoice",
          account: billing.publicKey,
          type: "service",
          token: pulumi.secret(held),
        },
      ],
    });
    // BILLING's key through an apply: the program cannot tell it names its BILLING (as with an account
    // of another stack), so preview leaves the import to the server. Named directly, preview refuses
    // an import of a private export without a token (test/unit/peers.test.ts).
    const other = new Account("OTHER", {
      ...issuer,
      resolver,
      imports: [{ subject: "billing.invoice", account: billing.publicKey.apply((k) => k), type: "service" }],
    });
    const service = new User("billing-service", { account: billing, sub: { allow: ["billing.>"] } });
    const client = new User("shop-client", { account: shop });
    const stranger = new User("other-client", { account: other });
    return {
      billingJwt: billing.jwt,
      shopPub: shop.publicKey,
      serviceCreds: service.creds,
      clientCreds: client.creds,
      strangerCreds: stranger.creds,
    };
  };
}

function connectAs(url: string, creds: string): Promise<NatsConnection> {
  return connect({ servers: url, authenticator: credsAuthenticator(new TextEncoder().encode(creds)) });
}

describe("e2e activation tokens - a private service export, imported with a token, revoked on removal", () => {
  let t: TestStack;
  let server: NatsServer;
  const conns: NatsConnection[] = [];
  let outputs: Record<string, { value: unknown; secret: boolean }>;
  before(async () => {
    t = await TestStack.create("activation", withToken);
    const signed = (await t.up()).outputs;
    const sysPub = String(signed.systemAccount.value);
    server = await NatsServer.start({
      body: renderServerConfig({
        operator: String(signed.operatorJwt.value),
        systemAccount: sysPub,
        resolver: { type: "full", dir: "jwt", allowDelete: true },
        preload: { [sysPub]: String(signed.systemAccountJwt.value) },
      }),
    });
    await t.stack.setConfig("servers", { value: JSON.stringify([server.url]) });
    outputs = (await t.up()).outputs;
  });
  after(async () => {
    await Promise.all(conns.map((c) => c.close()));
    await t?.dispose();
    await closeAllResolvers();
    await server?.[Symbol.asyncDispose]();
  });

  const as = async (creds: unknown) => {
    const nc = await connectAs(server.url, String(creds));
    conns.push(nc);
    return nc;
  };

  it("activation - docs/patterns.md shows the example file unchanged", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "docs", "patterns.md"), "utf8");
    assert.ok(
      readme.includes(`\`\`\`ts\n${fs.readFileSync(EXAMPLE, "utf8")}\`\`\``),
      "docs/patterns.md embeds examples/private-export/index.ts verbatim",
    );
  });

  it("activation - the importer with the token gets replies; the token is a secret; a second preview is empty", async () => {
    assert.deepEqual(outputs.pushedTo.value, [1, 1]);
    assert.equal(outputs.invoiceToken.secret, true, "the token is a secret output");
    const token = decodeJwt(String(outputs.invoiceToken.value));
    assert.equal(token.nats.type, "activation");
    assert.equal(token.nats.subject, "billing.invoice");
    const service = await as(outputs.serviceCreds.value);
    service.subscribe("billing.>", {
      callback: (_e, m) => {
        m.respond(`invoice for ${m.subject}`);
      },
    });
    await service.flush();
    const client = await as(outputs.clientCreds.value);
    const reply = await client.request("billing.invoice", "", { timeout: 3000 });
    assert.equal(reply.string(), "invoice for billing.invoice");
    assert.equal(changeCount((await t.preview()).changeSummary), 0);
  });

  it("activation - without a token no reply; removing the ActivationToken revokes it: the importer holding it gets none", async () => {
    const held = String(outputs.invoiceToken.value);
    const issuedAt = Number(decodeJwt(held).iat);
    const program = withoutToken(held);
    const planned = await t.preview({ program });
    const up = await t.up({ program });
    assert.deepEqual(
      up.summary.resourceChanges,
      { ...planned.changeSummary },
      "the preview showed what up did",
    );
    assert.equal(up.summary.resourceChanges?.delete, 1, "the token is deleted");
    assert.equal(up.summary.resourceChanges?.update, 1, "only BILLING is re-signed; SHOP keeps its JWT");
    const billing = decodeJwt(String(up.outputs.billingJwt.value));
    const exports = billing.nats.exports as { revocations?: Record<string, number> }[];
    assert.equal(
      exports[0].revocations?.[String(up.outputs.shopPub.value)],
      issuedAt,
      "BILLING's export revokes SHOP's tokens issued at or before the removed one",
    );

    const service = await as(up.outputs.serviceCreds.value);
    service.subscribe("billing.>", {
      callback: (_e, m) => {
        m.respond("invoice");
      },
    });
    await service.flush();
    const stranger = await as(up.outputs.strangerCreds.value);
    await assert.rejects(
      stranger.request("billing.invoice", "", { timeout: 1000 }),
      /no responders|timeout/i,
      "an import without a token gets no reply",
    );
    const client = await as(up.outputs.clientCreds.value);
    await assert.rejects(
      client.request("billing.invoice", "", { timeout: 1000 }),
      /no responders|timeout/i,
      "the revoked token no longer imports the service",
    );
    assert.equal(changeCount((await t.preview({ program })).changeSummary), 0);
  });
});
