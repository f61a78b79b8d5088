/**
 * Drift that names the claim, through the real pulumi CLI and real nats-servers: out-of-band JWTs
 * (a limit edit, wiped revocations, an extra signing key, a deleted account, another JWT on one of
 * three servers) show in `refresh --diff` and `preview --diff` as the claim with the servers' and the
 * program's values; `up` repairs and a final preview shows 0 changes.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { accountClaims } from "../../core/claims";
import { decodeJwt, sign } from "../../core/jwt";
import { createKeyPair, fromSeed } from "../../core/nkeys";
import { renderServerConfig } from "../../core/serverConfig";
import { ResolverClient } from "../../io/resolverClient";
import { closeAllResolvers } from "../../io/resolverPool";
import { type Cluster, NatsServer, startCluster } from "../harness/natsServer";
import { changeCount, SEED_RE, TestStack } from "../harness/pulumi";
import { program } from "./fixtures/driftProgram";

type Outputs = Record<string, { value: unknown }>;
const v = (o: Outputs, k: string) => String(o[k].value);

/** Pushes a JWT to exactly the given servers, as nsc or another tool would, behind the stack's back. */
async function pushBehindTheBack(urls: string[], sysCreds: string, jwt: string): Promise<void> {
  for (const url of urls) {
    const client = await ResolverClient.connect({ servers: [url], creds: sysCreds, timeoutMs: 2000 });
    try {
      assert.equal((await client.push(jwt)).accepted, 1);
    } finally {
      await client.close();
    }
  }
}

/** The stack's account JWT with `edit` applied to its claims, signed by the operator signing key. */
async function edited(o: Outputs, edit: (nats: Record<string, unknown>) => void): Promise<string> {
  const claims = decodeJwt(v(o, "appJwt"));
  edit(claims.nats);
  const { iat: _i, jti: _j, ...body } = claims;
  return sign(body, fromSeed(v(o, "operatorSigningSeed")));
}

describe("e2e drift - what drifted, by claim, on three standalone servers", () => {
  let t: TestStack;
  const servers: NatsServer[] = [];
  let o: Outputs;
  let urls: string[];
  before(async () => {
    t = await TestStack.create("drift", program);
    const signed = (await t.up()).outputs;
    for (let i = 0; i < 3; i++) {
      servers.push(
        await NatsServer.start({
          body: renderServerConfig({
            operator: v(signed, "operatorJwt"),
            systemAccount: v(signed, "sysPub"),
            resolver: { type: "full", dir: "jwt", allowDelete: true },
            preload: { [v(signed, "sysPub")]: v(signed, "sysJwt") },
          }),
        }),
      );
    }
    urls = servers.map((s) => s.url);
    await t.stack.setConfig("servers", { value: JSON.stringify(urls) });
    o = (await t.up()).outputs;
  });
  after(async () => {
    await t?.dispose();
    await Promise.all(servers.map((s) => s[Symbol.asyncDispose]()));
    await closeAllResolvers();
  });

  /** The Account's `drift` output as refresh recorded it (stack outputs change only with up). */
  async function accountDrift(): Promise<Record<string, string> | undefined> {
    const resources = (await t.stack.exportStack()).deployment.resources as {
      type: string;
      outputs?: { drift?: Record<string, string> };
    }[];
    return resources.find((r) => r.type.endsWith(":Account") && r.outputs?.drift !== undefined)?.outputs
      ?.drift;
  }

  /** refresh --diff, then preview --diff: both must show every expected line; then up repairs. */
  async function seeAndRepair(expected: RegExp[], label: string): Promise<void> {
    const refreshed = await t.refresh({ diff: true });
    const drift = await accountDrift();
    console.log(`${label}: drift output ${JSON.stringify(drift)}`);
    assert.ok(drift, `${label}: the account has a drift output`);
    const preview = await t.preview({ diff: true });
    const previewText = preview.stdout;
    for (const re of expected) {
      assert.match(refreshed.stdout, re, `${label}: refresh --diff names it`);
      assert.match(previewText, re, `${label}: preview --diff names it`);
      assert.ok(
        Object.entries(drift).some(([k, val]) => re.test(`${k}: ${val}`)),
        `${label}: drift output`,
      );
    }
    assert.equal(preview.changeSummary.update, 1, `${label}: the account is to be updated`);
    assert.doesNotMatch(await t.exportText(), SEED_RE, `${label}: no seed in state after refresh`);
    await t.up();
    assert.equal(changeCount((await t.preview()).changeSummary), 0, `${label}: repaired`);
    await t.refresh();
    assert.equal(await accountDrift(), undefined, `${label}: no drift after the repair`);
  }

  it("drift - a limit edited out of band: limits.conn with both values", async () => {
    await pushBehindTheBack(
      urls,
      v(o, "sysCreds"),
      await edited(o, (n) => {
        (n.limits as Record<string, unknown>).conn = 9;
      }),
    );
    await seeAndRepair([/limits\.conn.*servers: 9, program: 10/], "limit");
  });

  it("drift - revocations wiped out of band (a revoked user re-admitted) is named per key", async () => {
    await pushBehindTheBack(
      urls,
      v(o, "sysCreds"),
      await edited(o, (n) => {
        delete n.revocations;
      }),
    );
    const banned = v(o, "bannedPub");
    await seeAndRepair(
      [new RegExp(`revocations\\.${banned}.*servers: absent, program: 1700000000`)],
      "revocations",
    );
  });

  it("drift - a signing key added out of band shows in signing_keys", async () => {
    const extra = createKeyPair("account").getPublicKey();
    await pushBehindTheBack(
      urls,
      v(o, "sysCreds"),
      await edited(o, (n) => {
        (n.signing_keys as unknown[]).push(extra);
      }),
    );
    await seeAndRepair([new RegExp(`signing_keys.*${extra}`)], "signing key");
  });

  it("drift - the account deleted from the resolver", async () => {
    for (const url of urls) {
      const c = await ResolverClient.connect({ servers: [url], creds: v(o, "sysCreds"), timeoutMs: 2000 });
      await c.deleteAccounts([v(o, "appPub")], fromSeed(v(o, "operatorSigningSeed")));
      await c.close();
    }
    await seeAndRepair([/account.*servers: absent/], "deleted");
  });

  it("drift - another JWT on one of three servers is named with its count", async () => {
    await pushBehindTheBack(
      [urls[2]],
      v(o, "sysCreds"),
      await edited(o, (n) => {
        (n.limits as Record<string, unknown>).subs = 5;
      }),
    );
    await seeAndRepair([/limits\.subs.*1 of 3 servers: 5, program: -1/], "one server");
  });

  it("drift - a JWT from another operator is called out", async () => {
    const stranger = createKeyPair("operator");
    const claims = accountClaims("APP", v(o, "appPub"), stranger.getPublicKey(), { limits: { conn: 10 } });
    await pushBehindTheBack([urls[0]], v(o, "sysCreds"), await sign(claims, stranger));
    await seeAndRepair([/issuer.*1 of 3 servers: not signed by this stack's operator keys/], "foreign");
  });
});

describe("e2e drift - one server of a 3-server cluster holding another JWT", () => {
  let t: TestStack;
  let cluster: Cluster | undefined;
  before(async () => {
    t = await TestStack.create("drift-cluster", program);
    const signed = (await t.up()).outputs;
    // A full resolver syncs with its peers only on its interval (no sync at start): an hour keeps
    // the divergence in place for the test, as a server that missed a push would hold it for a while.
    cluster = await startCluster(3, {
      body: renderServerConfig({
        operator: v(signed, "operatorJwt"),
        systemAccount: v(signed, "sysPub"),
        resolver: { type: "full", dir: "jwt", allowDelete: true, interval: "1h" },
        preload: { [v(signed, "sysPub")]: v(signed, "sysJwt") },
      }),
    });
    await t.stack.setConfig("servers", { value: JSON.stringify(cluster.urls) });
  });
  after(async () => {
    await t?.dispose();
    await cluster?.[Symbol.asyncDispose]();
    await closeAllResolvers();
  });

  it("drift - the odd server is named with its count; up brings it back in line", async () => {
    const o = (await t.up()).outputs;
    assert.equal(
      (await t.stack.exportStack()).deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::APP"))
        ?.outputs?.pushedTo,
      3,
      "every server of the cluster took the push, each counted once",
    );
    // The third server, stopped, gets another JWT in its resolver dir behind everyone's back.
    const odd = cluster!.servers[2];
    await odd.stop();
    const other = await edited(o, (n) => {
      (n.limits as Record<string, unknown>).subs = 5;
    });
    fs.writeFileSync(path.join(odd.dir, "jwt", `${v(o, "appPub")}.jwt`), other);
    await odd.restart();

    const refreshed = await t.refresh({ diff: true });
    const odd1 = /limits\.subs.*1 of 3 servers: 5, program: -1/;
    assert.match(refreshed.stdout, odd1, "refresh --diff names the claim and the count");
    const preview = await t.preview({ diff: true });
    assert.match(preview.stdout, odd1, "preview --diff too");
    assert.equal(preview.changeSummary.update, 1, "the account is to be updated");
    await t.up();
    assert.equal(changeCount((await t.preview()).changeSummary), 0, "repaired");
    const after = await t.refresh({ diff: true });
    assert.doesNotMatch(after.stdout, /limits\.subs/, "every server holds the program's JWT again");
  });
});
