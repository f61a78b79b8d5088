/**
 * Identity JWTs judged by a real nats-server (operator mode, MEMORY resolver with every account
 * preloaded): the server accepting or refusing a credential is the test.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { decodeJwt } from "../../core/jwt";
import { claimsHash, normalize } from "../../core/normalize";
import { renderServerConfig } from "../../core/serverConfig";
import { handler as accountHandler } from "../../provider/account";
import type { SigningKeyState } from "../../provider/contracts";
import { handler as userHandler } from "../../provider/user";
import { held, heldUser, type Outs, type UserOuts, type World, world } from "../harness/identities";
import { NatsServer } from "../harness/natsServer";
import { toolPath } from "../harness/paths";

const te = new TextEncoder();

async function connectAs(server: NatsServer, creds: string): Promise<NatsConnection> {
  return connect({
    servers: server.url,
    authenticator: credsAuthenticator(te.encode(creds)),
    reconnect: false,
  });
}

async function refused(server: NatsServer, creds: string): Promise<string> {
  try {
    const nc = await connectAs(server, creds);
    await nc.close();
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail("the server accepted a credential it should refuse");
}

/** Waits briefly for a message on `sub`; undefined when none came. */
async function receives(
  nc: NatsConnection,
  subject: string,
  send: () => Promise<void>,
): Promise<string | undefined> {
  const sub = nc.subscribe(subject, { max: 1 });
  await nc.flush();
  await send();
  const timer = setTimeout(() => sub.unsubscribe(), 500);
  for await (const m of sub) {
    clearTimeout(timer);
    return m.string();
  }
  return undefined;
}

describe("identity - JWTs accepted and enforced by a real nats-server", () => {
  let w: World;
  let app: Outs;
  let other: Outs;
  let mapped: Outs;
  let unsignedStrict: Outs;
  let scopedKey: SigningKeyState;
  let server: NatsServer;
  const users: Record<string, UserOuts> = {};
  /** The unix second the "expired" user's JWT expires at. */
  let expiredAt = 0;

  before(async () => {
    w = await world({ strict: true });
    scopedKey = await w.newSigningKey({
      role: "reader",
      template: { sub: { allow: ["scoped.>"] }, pub: { allow: ["scoped.>"] } },
    });
    app = await w.newAccount("APP", { signingKeys: [scopedKey.ref] });
    other = await w.newAccount("OTHER", { limits: { conn: 1 } });
    mapped = await w.newAccount("MAPPED", {
      mappings: { "orders.in": [{ subject: "orders.processed", weight: 100 }] },
    });
    // Signed by the operator identity key although the operator demands signing keys: made by hand,
    // since the provider's check refuses it.
    const strictOp = { ...w.operator };
    const badSk = await w.newSigningKey();
    const bad = await accountHandler.create({
      name: "BAD",
      operatorPublicKey: strictOp.publicKey,
      signerSeed: strictOp.seed,
      signingKeys: [badSk.ref],
    });
    unsignedStrict = { ...held(bad.outs), userSignerSeed: badSk.seed };

    users.full = await w.newUser(app, "full");
    users.limited = await w.newUser(app, "limited", {
      pub: { allow: ["allowed.>"] },
      sub: { allow: ["allowed.>", "_INBOX.>"], deny: ["allowed.secret"] },
    });
    // Expires a few seconds from now: the provider refuses to sign a JWT whose expiry has passed (at
    // check and again before signing), so the test signs it while still valid (+2 from a floored
    // second left as little as 1 s, short on a loaded machine) and the test below waits the expiry
    // out before connecting.
    expiredAt = Math.floor(Date.now() / 1000) + 4;
    users.expired = heldUser(
      (
        await userHandler.create({
          name: "expired",
          accountPublicKey: app.publicKey,
          accountSigningKeys: app.signingKeys,
          operatorStrict: app.operatorStrict,
          signerSeed: app.userSignerSeed,
          expires: expiredAt,
        })
      ).outs,
    );
    users.scoped = await w.newUser(app, "scoped", {}, scopedKey.seed);
    users.responder = await w.newUser(app, "responder", {
      sub: { allow: ["svc"] },
      pub: { deny: [">"] },
      resp: { maxMsgs: 1, ttl: "5s" },
    });
    const now = new Date();
    const hour = (h: number) => `${String((h + 24) % 24).padStart(2, "0")}:00:00`;
    const utcHour = now.getUTCHours();
    users.outsideHours = await w.newUser(app, "outside", {
      times: [{ start: hour(utcHour + 2), end: hour(utcHour + 3) }],
      timeZone: "UTC",
    });
    users.insideHours = await w.newUser(app, "inside", {
      times: [{ start: "00:00:00", end: "23:59:59" }],
      timeZone: "Asia/Tokyo",
    });
    users.other1 = await w.newUser(other, "o1");
    users.mapped = await w.newUser(mapped, "m");
    users.other2 = await w.newUser(other, "o2");
    users.bad = await w.newUser(unsignedStrict, "bad");
    // Strict signing keys cover users too: one signed by the account identity key is refused.
    users.identitySigned = heldUser(
      (await userHandler.create({ name: "id-signed", accountPublicKey: app.publicKey, signerSeed: app.seed }))
        .outs,
    );

    const preload = Object.fromEntries(
      [w.sys, app, other, mapped, unsignedStrict].map((a) => [a.publicKey, a.jwt]),
    );
    server = await NatsServer.start({
      body: renderServerConfig({
        operator: w.operator.jwt,
        systemAccount: w.sys.publicKey,
        resolver: { type: "memory" },
        preload,
      }),
    });
  });
  after(async () => server?.[Symbol.asyncDispose]());

  it("identity - a user connects with its creds and an account without explicit limits is usable", async () => {
    const nc = await connectAs(server, users.full.creds);
    assert.equal(await receives(nc, "hello", async () => nc.publish("hello", "hi")), "hi");
    await nc.close();
  });

  it("identity - the server enforces publish and subscribe permissions", async () => {
    const full = await connectAs(server, users.full.creds);
    const limited = await connectAs(server, users.limited.creds);
    assert.equal(await receives(full, "allowed.x", async () => limited.publish("allowed.x", "ok")), "ok");
    assert.equal(await receives(full, "denied.x", async () => limited.publish("denied.x", "no")), undefined);
    const sub = limited.subscribe("allowed.secret");
    await assert.rejects(
      (async () => {
        for await (const _ of sub) break;
      })(),
      /Permissions Violation for Subscription/i,
    );
    await full.close();
    await limited.close();
  });

  it("identity - an expired user is refused", async () => {
    // Wait until the server's clock (this machine's) is past the expiry, with a second to spare.
    while (Date.now() / 1000 <= expiredAt + 1) await new Promise((r) => setTimeout(r, 200));
    assert.match(await refused(server, users.expired.creds), /authorization|expired/i);
  });

  it("identity - users of a scoped signing key get the template's permissions", async () => {
    const claims = decodeJwt(users.scoped.jwt);
    assert.equal(claims.nats.issuer_account, app.publicKey);
    const full = await connectAs(server, users.full.creds);
    const scoped = await connectAs(server, users.scoped.creds);
    assert.equal(await receives(full, "scoped.a", async () => scoped.publish("scoped.a", "in")), "in");
    assert.equal(
      await receives(full, "elsewhere", async () => scoped.publish("elsewhere", "out")),
      undefined,
    );
    await full.close();
    await scoped.close();
  });

  it("identity - response permissions use nanoseconds: a responder without publish rights can reply", async () => {
    const responder = await connectAs(server, users.responder.creds);
    const requester = await connectAs(server, users.full.creds);
    responder.subscribe("svc", {
      callback: (_e, m) => {
        m.respond("pong");
      },
    });
    await responder.flush();
    const reply = await requester.request("svc", "ping", { timeout: 2000 });
    assert.equal(reply.string(), "pong");
    await responder.close();
    await requester.close();
  });

  it("identity - connection time windows are read from times_location", async () => {
    assert.match(await refused(server, users.outsideHours.creds), /authorization/i);
    const nc = await connectAs(server, users.insideHours.creds);
    await nc.close();
  });

  it("identity - account limits are enforced (max 1 connection)", async () => {
    const first = await connectAs(server, users.other1.creds);
    const msg = await refused(server, users.other2.creds);
    // The client sees the -ERR or, depending on timing, the reset; the server's log says why.
    assert.match(msg, /maximum account active connections|ECONNRESET|EPIPE/i);
    assert.match(server.logs(), /maximum account active connections exceeded/i);
    await first.close();
  });

  it("identity - under strict signing keys an account signed by the identity key is not trusted", async () => {
    assert.match(await refused(server, users.bad.creds), /authorization/i);
  });

  it("identity - under strict signing keys a user signed by the account identity key is refused", async () => {
    assert.match(await refused(server, users.identitySigned.creds), /authorization/i);
  });

  it("identity - subject mappings (untyped in the JS library) are applied by the server", async () => {
    const nc = await connectAs(server, users.mapped.creds);
    assert.equal(await receives(nc, "orders.processed", async () => nc.publish("orders.in", "o-1")), "o-1");
    await nc.close();
  });

  it("identity - nsc describe jwt reads our JWTs back with the same claims", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-nsc-"));
    try {
      for (const jwt of [
        w.operator.jwt,
        app.jwt,
        users.limited.jwt,
        users.scoped.jwt,
        users.insideHours.jwt,
      ]) {
        const file = path.join(dir, "x.jwt");
        fs.writeFileSync(file, jwt);
        const out = execFileSync(toolPath("nsc"), ["describe", "jwt", "--file", file, "--json"], {
          encoding: "utf8",
          env: {
            ...process.env,
            XDG_CONFIG_HOME: dir,
            XDG_DATA_HOME: dir,
            NKEYS_PATH: path.join(dir, "nkeys"),
          },
        });
        const theirs = JSON.parse(out) as Record<string, unknown>;
        const ours = decodeJwt(jwt);
        assert.deepEqual(normalize(theirs), normalize(ours), `nsc reads ${ours.name} the same`);
        assert.equal(claimsHash(theirs), claimsHash(ours));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
