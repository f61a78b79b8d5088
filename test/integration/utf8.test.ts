/**
 * Text outside ASCII judged by a real nats-server (operator mode, full resolver) and by the real nsc
 * (issue 20, item 1): an account named in Latin-1, CJK and emoji is pushed and held as declared; a
 * user allowed `café.>`, `東京.*` and `🚀.>` may publish and subscribe exactly there and is refused on
 * the neighbours (including the Latin-1 and U+FFFD misreadings of `café`); refresh finds no drift;
 * nsc decodes the same claims. An account and a user that an earlier release (0.1.0) signed in
 * Latin-1 bytes are enforced as something else by the server, and converge in one update.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { Algorithms, encode } from "@nats-io/jwt";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import type { WireClaims } from "../../core/claims";
import { formatCreds } from "../../core/creds";
import { decodeJwt } from "../../core/jwt";
import { fromSeed, type NKeyPair } from "../../core/nkeys";
import { claimsHash, normalize } from "../../core/normalize";
import { renderServerConfig } from "../../core/serverConfig";
import { closeAllResolvers } from "../../io/resolverPool";
import { handler as account, accountSpec } from "../../provider/account";
import type { AccountProps, AccountState, UserProps, UserState } from "../../provider/contracts";
import { pushAccount } from "../../provider/kit/accountResolver";
import { handler as user, userSpec } from "../../provider/user";
import { type Outs, type UserOuts, type World, world } from "../harness/identities";
import { NatsServer } from "../harness/natsServer";
import { toolPath } from "../harness/paths";

const te = new TextEncoder();
const NAME = "Zürich 東京 🚀";
const ALLOWED = ["café.>", "東京.*", "🚀.>"];
/** Publishes the allowed user may make, and neighbours it must be refused. */
const INSIDE = ["café.x", "東京.x", "🚀.go"];
const OUTSIDE = ["cafe.x", "cafÃ©.x", "caf\ufffd.x", "café", "東京.a.b", "東.x", "🚁.go"];

/** What an earlier release (0.1.0) signed with: @nats-io/jwt's encoder, Latin-1 bytes for U+0080–U+00FF. */
async function signedBy010(claims: WireClaims, signer: NKeyPair): Promise<string> {
  const body = JSON.parse(JSON.stringify(claims)) as WireClaims;
  return encode(
    Algorithms.v2,
    body as unknown as Parameters<typeof encode>[1],
    signer as unknown as Parameters<typeof encode>[2],
  );
}

async function connectAs(server: NatsServer, creds: string): Promise<NatsConnection> {
  return connect({
    servers: server.url,
    authenticator: credsAuthenticator(te.encode(creds)),
    reconnect: false,
  });
}

/** Whether a message `from` publishes on `subject` reaches a subscriber of `to` (on `>`). */
async function delivered(to: NatsConnection, from: NatsConnection, subject: string): Promise<boolean> {
  const sub = to.subscribe(">", { max: 1 });
  await to.flush();
  from.publish(subject, "m");
  await from.flush().catch(() => undefined);
  // A marker the listener is allowed to send itself: once it arrives, the probe has had its chance.
  to.publish("zz.marker", "marker");
  for await (const m of sub) return m.subject === subject;
  return false;
}

/** The inputs an account was created from: its outputs without what signing and pushing added. */
function inputsOf(s: Outs): AccountProps {
  const {
    jwt: _jwt,
    claimsHash: _hash,
    issuer: _issuer,
    publicKey: _key,
    pushedHash: _pushed,
    pushedTo: _to,
    removedUsers: _removed,
    revokedActivations: _revoked,
    revocationTimes: _times,
    userSignerSeed: _signer,
    ...inputs
  } = s;
  return inputs;
}

describe("utf8 - non-ASCII names and subjects through a real nats-server and nsc", () => {
  let w: World;
  let server: NatsServer;
  let resolver: AccountProps["resolver"];
  let app: Outs;
  let appInputs: AccountProps;
  let limited: UserOuts;
  let listener: UserOuts;

  before(async () => {
    w = await world({ strict: false });
    server = await NatsServer.start({
      body: renderServerConfig({
        operator: w.operator.jwt,
        systemAccount: w.sys.publicKey,
        resolver: { type: "full", dir: "jwt", allowDelete: true },
        preload: { [w.sys.publicKey]: w.sys.jwt },
      }),
    });
    resolver = { servers: [server.url], creds: w.sysUser.creds, timeoutMs: 3000 };
    const claims = {
      tags: ["zürich", "東京", "🚀"],
      description: "Café – “cross-border” 東京 🚀",
      exports: [
        { subject: "café.>", type: "stream" as const, name: "Café feed" },
        { subject: "東京.>", type: "service" as const, name: "東京 service" },
      ],
    };
    app = await w.newAccount(NAME, claims, { resolver });
    appInputs = inputsOf(app);
    limited = await w.newUser(app, "Zoë 🚀", {
      pub: { allow: ALLOWED },
      sub: { allow: [...ALLOWED, "_INBOX.>"] },
    });
    listener = await w.newUser(app, "listener");
  });
  after(async () => {
    await closeAllResolvers();
    await server?.[Symbol.asyncDispose]();
  });

  it("utf8 - the server enforces exactly the declared subjects: allowed publishes arrive, neighbours are refused", async () => {
    const to = await connectAs(server, listener.creds);
    const from = await connectAs(server, limited.creds);
    try {
      for (const s of INSIDE) assert.equal(await delivered(to, from, s), true, `publish ${s} is allowed`);
      for (const s of OUTSIDE) assert.equal(await delivered(to, from, s), false, `publish ${s} is refused`);
      // The server says why, and shows the account's name as declared.
      for (const s of OUTSIDE) assert.ok(server.logs().includes(`Publish Violation - Subject "${s}"`), s);
      assert.ok(server.logs().includes(`/${NAME}/nkey:`), "the server logs the account name as declared");
      // Subscribing: café.x is inside, cafe.x is not.
      const ok = from.subscribe("café.x", { max: 1 });
      await from.flush();
      to.publish("café.x", "s");
      for await (const m of ok) assert.equal(m.string(), "s");
      const refused = from.subscribe("cafe.x");
      await assert.rejects(
        (async () => {
          for await (const _ of refused) break;
        })(),
        /Permissions Violation for Subscription to "cafe\.x"/,
      );
    } finally {
      await to.close();
      await from.close().catch(() => undefined);
    }
  });

  it("utf8 - the resolver holds the account as declared: refresh finds no drift, the next diff no change", async () => {
    const r = await account.read!(app.publicKey, app);
    assert.equal((r.props as AccountState).drift, undefined, JSON.stringify((r.props as AccountState).drift));
    assert.equal((r.props as AccountState).pushedHash, app.claimsHash);
    const d = await account.diff(app.publicKey, r.props as AccountState, appInputs);
    assert.equal(d.changes, false);
    const nc = await connectAs(server, w.sysUser.creds);
    try {
      const reply = await nc.request(`$SYS.REQ.ACCOUNT.${app.publicKey}.CLAIMS.LOOKUP`, "", {
        timeout: 2000,
      });
      const claims = decodeJwt(reply.string());
      assert.equal(claims.name, NAME);
      assert.deepEqual(claims.nats.tags, ["zürich", "東京", "🚀"]);
    } finally {
      await nc.close();
    }
  });

  it("utf8 - nsc describe jwt reads the same names, tags and subjects", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-nsc-utf8-"));
    try {
      for (const jwt of [app.jwt, limited.jwt]) {
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
      const text = execFileSync(toolPath("nsc"), ["describe", "jwt", "--file", path.join(dir, "x.jwt")], {
        encoding: "utf8",
        env: {
          ...process.env,
          XDG_CONFIG_HOME: dir,
          XDG_DATA_HOME: dir,
          NKEYS_PATH: path.join(dir, "nkeys"),
        },
      });
      for (const s of ["Zoë 🚀", ...ALLOWED]) assert.ok(text.includes(s), `nsc shows ${s}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("utf8 - an account and a user signed in Latin-1 by 0.1.0 are enforced wrongly, and converge in one update", async () => {
    // State as 0.1.0 left it: JWTs in Latin-1 bytes, the account pushed, claimsHash of the declared claims.
    const exports = [{ subject: "café.>", type: "stream" as const }];
    const fresh = await w.newAccount("Café Zürich", { exports }, { resolver });
    const inputs = inputsOf(fresh);
    const opSigner = fromSeed(String(w.operatorSigningKey.seed));
    // The servers keep the JWT with the later iat, and a push never goes back (or sideways) in iat:
    // the 0.1.0 JWT this test pushes over the fresh one is signed in a later second.
    const freshIat = Number(decodeJwt(fresh.jwt).iat);
    while (Math.floor(Date.now() / 1000) <= freshIat) await new Promise((r) => setTimeout(r, 50));
    const oldAcctJwt = await signedBy010(
      accountSpec.claims(inputs, fresh.publicKey, opSigner.getPublicKey()),
      opSigner,
    );
    await pushAccount("Café Zürich", inputs, oldAcctJwt);
    const oldAcct: AccountState = { ...fresh, jwt: oldAcctJwt, pushedHash: fresh.claimsHash };
    const uInputs: UserProps = {
      name: "Zoë",
      accountPublicKey: fresh.publicKey,
      accountSigningKeys: fresh.signingKeys,
      signerSeed: fresh.userSignerSeed,
      pub: { allow: ["café.>"] },
      sub: { allow: ["_INBOX.>"] },
    };
    const u = await user.create(uInputs);
    const signer = fromSeed(fresh.userSignerSeed);
    const oldUserJwt = await signedBy010(
      userSpec.claims(uInputs, u.outs.publicKey, signer.getPublicKey()),
      signer,
    );
    const oldUser: UserState = { ...u.outs, jwt: oldUserJwt };
    const other = await w.newUser(fresh, "listener");

    // What 0.1.0 made the server enforce: café.x refused to a user allowed café.>.
    const to = await connectAs(server, other.creds);
    const before = await connectAs(server, formatCreds(oldUserJwt, String(u.outs.seed)));
    try {
      assert.equal(await delivered(to, before, "café.x"), false, "0.1.0's user is refused café.x");
    } finally {
      await before.close().catch(() => undefined);
    }
    const refreshed = (await account.read!(fresh.publicKey, oldAcct)).props as AccountState;
    assert.notEqual(refreshed.pushedHash, fresh.claimsHash, "the server holds something else than declared");

    // One update each.
    assert.equal((await account.diff(fresh.publicKey, refreshed, inputs)).changes, true);
    assert.equal((await user.diff(u.outs.publicKey, oldUser, uInputs)).changes, true);
    const acctNow = (await account.update!(fresh.publicKey, refreshed, inputs)).outs;
    const userNow = (await user.update!(u.outs.publicKey, oldUser, uInputs)).outs;
    assert.equal(decodeJwt(acctNow.jwt).name, "Café Zürich");
    const after = await connectAs(server, formatCreds(userNow.jwt, String(userNow.seed)));
    try {
      assert.equal(await delivered(to, after, "café.x"), true, "re-signed: café.x is allowed");
      assert.equal(await delivered(to, after, "cafe.x"), false, "and cafe.x is not");
    } finally {
      await after.close().catch(() => undefined);
      await to.close();
    }
    // Then stable: refresh finds the declared claims, and nothing changes.
    const again = (await account.read!(fresh.publicKey, acctNow)).props as AccountState;
    assert.equal(again.drift, undefined);
    assert.equal(again.pushedHash, acctNow.claimsHash);
    assert.equal((await account.diff(fresh.publicKey, again, inputs)).changes, false);
    assert.equal((await user.diff(userNow.publicKey, userNow, uInputs)).changes, false);
  });
});
