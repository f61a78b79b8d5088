/**
 * Every listed server, and only JWTs the running servers trust: the Account handler against real
 * nats-servers that are not one cluster (two standalone servers; a cluster plus a standalone one),
 * with one of them down, and against servers whose operator predates the account's signing key.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, before, describe, it } from "node:test";
import { connect, credsAuthenticator } from "@nats-io/transport-node";
import { TrustError } from "../../core/errors";
import { fromSeed } from "../../core/nkeys";
import { renderServerConfig } from "../../core/serverConfig";
import { ResolverClient } from "../../io/resolverClient";
import { ResolverFleet } from "../../io/resolverFleet";
import { closeAllResolvers } from "../../io/resolverPool";
import { handler as account } from "../../provider/account";
import type {
  AccountProps,
  AccountResolver,
  AccountState,
  OperatorState,
  SigningKeyState,
} from "../../provider/contracts";
import { PartialFailure } from "../../provider/kit/partialFailure";
import { handler as operator } from "../../provider/operator";
import { handler as signingKey } from "../../provider/signingKey";
import { create, type World, world } from "../harness/identities";
import { type Cluster, deadPort, NatsServer, startCluster } from "../harness/natsServer";

function body(w: World, operatorJwt = w.operator.jwt): string {
  return renderServerConfig({
    operator: operatorJwt,
    systemAccount: w.sys.publicKey,
    resolver: { type: "full", dir: "jwt", allowDelete: true, interval: "2m", timeout: "1.9s" },
    preload: { [w.sys.publicKey]: w.sys.jwt },
  });
}

function resolver(w: World, servers: string[], extra: Partial<AccountResolver> = {}): AccountResolver {
  return { servers, creds: w.sysUser.creds, timeoutMs: 1500, ...extra };
}

/** The error a handler call threw (fails the test if it did not throw). */
async function failure(work: Promise<unknown>): Promise<Error> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof Error, "expected an error");
  return err;
}

/** Whether each server's resolver holds the account (looked up through that server alone). */
async function holds(urls: string[], creds: string, pub: string): Promise<boolean[]> {
  const out: boolean[] = [];
  for (const url of urls) {
    const c = await ResolverClient.connect({ servers: [url], creds, timeoutMs: 1500 });
    try {
      out.push((await c.lookup(pub)).found.length > 0);
    } finally {
      await c.close();
    }
  }
  return out;
}

async function userConnects(url: string, w: World, acct: AccountState & { userSignerSeed?: string }) {
  const u = await w.newUser(acct, "u");
  const nc = await connect({
    servers: url,
    authenticator: credsAuthenticator(new TextEncoder().encode(u.creds)),
    reconnect: false,
    timeout: 3000,
  });
  await nc.close();
}

describe("resolver fleet - two standalone servers", () => {
  let w: World;
  let a: NatsServer;
  let b: NatsServer;
  before(async () => {
    w = await world({ strict: true });
    [a, b] = await Promise.all([
      NatsServer.start({ name: "solo-a", body: body(w) }),
      NatsServer.start({ name: "solo-b", body: body(w) }),
    ]);
  });
  after(async () => {
    await closeAllResolvers();
    await Promise.all([a?.[Symbol.asyncDispose](), b?.[Symbol.asyncDispose]()]);
  });

  it("resolver fleet - both servers take the push (pushedTo 2), refresh sees both, destroy clears both", async () => {
    const app = await w.newAccount("TWO", { resolver: resolver(w, [a.url, b.url]) });
    assert.equal(app.pushedTo, 2);
    assert.equal(app.pushedHash, app.claimsHash);
    assert.deepEqual(await holds([a.url, b.url], w.sysUser.creds, app.publicKey), [true, true]);
    await userConnects(a.url, w, app);
    await userConnects(b.url, w, app);

    const read = await account.read!(app.publicKey, app);
    assert.equal(read.props.pushedTo, 2);
    assert.equal(read.props.pushedHash, app.claimsHash);

    await account.delete!(app.publicKey, app);
    assert.deepEqual(await holds([a.url, b.url], w.sysUser.creds, app.publicKey), [false, false]);
  });

  it("resolver fleet - refresh reports drift when only one of the two holds the account", async () => {
    const app = await w.newAccount("HALF", { resolver: resolver(w, [a.url, b.url]) });
    const c = await ResolverClient.connect({ servers: [b.url], creds: w.sysUser.creds });
    await c.deleteAccounts([app.publicKey], fromSeed(w.operatorSigningKey.seed));
    await c.close();
    const read = await account.read!(app.publicKey, app);
    assert.equal(read.props.pushedHash, "", "not every listed server holds it");
  });

  it("resolver fleet - with one of the two down, the push fails naming that URL and records nothing", async () => {
    const app = await w.newAccount("DOWN", { resolver: resolver(w, [a.url, b.url]) });
    await b.stop();
    try {
      const news: AccountProps = { ...app, limits: { conn: 5 } };
      const err = await failure(account.update!(app.publicKey, app, news));
      console.log(`one of two down: ${err.message}`);
      assert.ok(err instanceof PartialFailure);
      assert.match(err.message, /Account "DOWN"/);
      // Named by the server the last push reached (and its URL, which could not be asked).
      assert.match(err.message, /solo-b \(no cluster\) did not answer/);
      assert.ok(err.message.includes(`${b.url} not asked`), err.message);
      assert.ok(!err.message.includes(`${a.url} not asked`), "the server that is up confirmed");
      assert.match(err.message, /Stored by: solo-a \(no cluster\)/);
      const recorded = err.properties as AccountState;
      assert.equal(recorded.pushedTo, 0);
      assert.equal(recorded.pushedHash, "");
    } finally {
      await b.restart();
      // The pooled connection to b is still waiting to reconnect; start the next test afresh.
      await closeAllResolvers();
    }
  });

  it("resolver fleet - a server without server_name is restarted (a new id) between two pushes: the second push goes through", async () => {
    const unnamed = await NatsServer.start({ unnamed: true, body: body(w) });
    try {
      const app = await w.newAccount("RESTARTED", { resolver: resolver(w, [unnamed.url]) });
      assert.equal(app.pushedTo, 1);
      await unnamed.restart();
      await closeAllResolvers();
      const news: AccountProps = { ...app, limits: { conn: 7 } };
      const updated = await account.update!(app.publicKey, app, news);
      assert.equal(updated.outs.pushedTo, 1, "the restarted server (another id, no name) took the push");
    } finally {
      await closeAllResolvers();
      await unnamed[Symbol.asyncDispose]();
    }
  });

  it("resolver fleet - a dead URL fails the delete naming it", async () => {
    const app = await w.newAccount("DEL", { resolver: resolver(w, [a.url, b.url]) });
    const dead = `nats://127.0.0.1:${await deadPort()}`;
    const err = await failure(
      account.delete!(app.publicKey, { ...app, resolver: resolver(w, [a.url, b.url, dead]) }),
    );
    assert.match(err.message, /Account "DEL": the delete was not confirmed/);
    assert.ok(err.message.includes(dead), err.message);
  });
});

describe("resolver fleet - a cluster and a standalone server", () => {
  let w: World;
  let cluster: Cluster;
  let solo: NatsServer;
  before(async () => {
    w = await world({ strict: true });
    cluster = await startCluster(2, { name: "fc", body: body(w) });
    solo = await NatsServer.start({ name: "fsolo", body: body(w) });
  });
  after(async () => {
    await closeAllResolvers();
    await cluster?.[Symbol.asyncDispose]();
    await solo?.[Symbol.asyncDispose]();
  });

  it("resolver fleet - every distinct server counts once (pushedTo 3), whichever URLs are listed", async () => {
    const all = [...cluster.urls, solo.url];
    const app = await w.newAccount("MIX", { resolver: resolver(w, all) });
    assert.equal(app.pushedTo, 3);
    assert.deepEqual(await holds(all, w.sysUser.creds, app.publicKey), [true, true, true]);
    // The cluster is asked once, through the first of its URLs: one reply per server, not per URL.
    const fleet = await ResolverFleet.open({ servers: all, creds: w.sysUser.creds, timeoutMs: 1500 });
    const again = await fleet.push(app.jwt);
    assert.equal(again.replies.length, 3, JSON.stringify(again.replies));
    assert.deepEqual(again.unconfirmed, []);
    const one = await w.newAccount("MIX1", { resolver: resolver(w, [cluster.urls[1], solo.url]) });
    assert.equal(one.pushedTo, 3, "one URL of the cluster reaches both of its servers");
    const read = await account.read!(one.publicKey, one);
    assert.equal(read.props.pushedTo, 3);
    assert.equal(read.props.pushedHash, one.claimsHash);
  });
});

describe("resolver fleet - servers that do not trust the account's signer", () => {
  let w: World;
  let server: NatsServer;
  let old: NatsServer;
  let newKey: SigningKeyState;
  let operator2: OperatorState;
  before(async () => {
    w = await world({ strict: true });
    [server, old] = await Promise.all([
      NatsServer.start({ name: "trust-new", body: body(w) }),
      NatsServer.start({ name: "trust-old", binary: "nats-server-old", body: body(w) }),
    ]);
    // The operator gains a second signing key; the running servers still have the first only.
    newKey = await create(signingKey, { owner: "operator" });
    operator2 = (
      await operator.update!(w.operator.publicKey, w.operator, {
        ...w.operator,
        signingKeys: [w.operatorSigningKey.publicKey, newKey.publicKey],
      })
    ).outs;
  });
  after(async () => {
    await closeAllResolvers();
    await Promise.all([server?.[Symbol.asyncDispose](), old?.[Symbol.asyncDispose]()]);
  });

  function movedProps(url: string, name: string): AccountProps {
    return {
      name,
      operatorPublicKey: operator2.publicKey,
      operatorSigningKeys: operator2.signingKeys,
      operatorStrict: true,
      signerSeed: newKey.seed,
      resolver: resolver(w, [url]),
    };
  }

  it("resolver fleet - both server versions report their trusted operators and max_payload", async () => {
    for (const s of [server, old]) {
      const c = await ResolverClient.connect({ servers: [s.url], creds: w.sysUser.creds });
      try {
        const trust = await c.trustedOperators();
        assert.deepEqual(trust, [
          {
            server: s.name,
            operators: [
              {
                publicKey: w.operator.publicKey,
                signingKeys: [w.operatorSigningKey.publicKey],
                strict: true,
              },
            ],
            // The push judges a JWT's size by it (default 1 MiB).
            maxPayload: 1024 * 1024,
          },
        ]);
      } finally {
        await c.close();
      }
    }
  });

  it("resolver fleet - a push signed by a key the servers do not trust fails naming account, server, key and the restart", async () => {
    for (const s of [server, old]) {
      const err = await failure(account.create(movedProps(s.url, `MOVED-${s.name}`)));
      console.log(`untrusted signer on ${s.name}: ${err.message}`);
      assert.ok(err instanceof PartialFailure);
      assert.ok(err.cause instanceof TrustError);
      const recorded = err.properties as AccountState;
      assert.equal(recorded.pushedTo, 0);
      assert.equal(recorded.pushedHash, "");
      assert.ok(err.message.includes(`Account "MOVED-${s.name}"`), err.message);
      assert.ok(err.message.includes(recorded.publicKey), "names the account key");
      assert.ok(err.message.includes(`server "${s.name}"`), err.message);
      assert.ok(err.message.includes(newKey.publicKey), "names the key it lacks");
      assert.match(err.message, /restart the servers with the new operator config/);
      assert.deepEqual(await holds([s.url], w.sysUser.creds, recorded.publicKey), [false], "nothing pushed");
    }
  });

  it("resolver fleet - refresh reports an account the server holds but does not trust as not pushed", async () => {
    const props = movedProps(server.url, "STORED");
    const err = await failure(account.create(props));
    const state = (err as PartialFailure).properties as AccountState;
    // Pushed behind the provider's back (as nsc would): stored, "jwt updated", yet unusable.
    const c = await ResolverClient.connect({ servers: [server.url], creds: w.sysUser.creds });
    assert.equal((await c.push(state.jwt)).accepted, 1);
    await c.close();
    const read = await account.read!(state.publicKey, {
      ...state,
      pushedHash: state.claimsHash,
      pushedTo: 1,
    });
    assert.equal(read.props.pushedHash, "", "held but unusable is drift");
    assert.equal(read.props.pushedTo, 0);
    const d = await account.diff(state.publicKey, read.props, props);
    assert.equal(d.changes, true, "the next up tries again");
  });

  it("resolver fleet - refresh reports an expired account the server holds as not pushed", async () => {
    const props: AccountProps = {
      name: "EXPIRED",
      operatorPublicKey: w.operator.publicKey,
      operatorSigningKeys: w.operator.signingKeys,
      operatorStrict: true,
      signerSeed: w.operatorSigningKey.seed,
      // Valid through the create, push and first read even on a loaded machine (the provider refuses
      // to sign an expired JWT, and the read must see it unexpired): +2 from a floored second left
      // as little as 1 s for all three.
      expires: Math.floor(Date.now() / 1000) + 4,
      resolver: resolver(w, [server.url]),
    };
    const { outs } = await account.create(props);
    assert.equal(outs.pushedTo, 1);
    assert.equal((await account.read!(outs.publicKey, outs)).props.pushedHash, outs.claimsHash);
    // Past the expiry by this machine's clock (the server's), with a second to spare.
    while (Date.now() / 1000 <= Number(props.expires) + 1) await new Promise((r) => setTimeout(r, 200));
    const read = await account.read!(outs.publicKey, outs);
    assert.equal(read.props.pushedHash, "", "held but expired is drift");
  });

  it("resolver fleet - after a restart with the new operator the push goes through and users connect", async () => {
    fs.writeFileSync(server.configPath, server.configText.replace(w.operator.jwt, operator2.jwt));
    await server.restart();
    await closeAllResolvers();
    const props = movedProps(server.url, "AFTER");
    const sk = await create(signingKey, { owner: "account" });
    const app = await account.create({ ...props, signingKeys: [sk.ref] });
    assert.equal(app.outs.pushedTo, 1);
    await userConnects(server.url, w, { ...app.outs, userSignerSeed: sk.seed });
  });
});
