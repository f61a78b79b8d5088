/**
 * The resolver client against nats-server 2.9.10 (the Debian package's version): no `active_servers`
 * in statsz (the server count falls back to a quiet window), no reply to a lookup of a missing
 * account, and no headers accepted on UPDATE/DELETE.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, credsAuthenticator } from "@nats-io/transport-node";
import { fromSeed } from "../../core/nkeys";
import { renderServerConfig } from "../../core/serverConfig";
import { ResolverClient } from "../../io/resolverClient";
import { closeAllResolvers } from "../../io/resolverPool";
import { handler as account } from "../../provider/account";
import { type World, world } from "../harness/identities";
import { NatsServer } from "../harness/natsServer";

describe("old server - resolver protocol on nats-server 2.9.10", () => {
  let w: World;
  let server: NatsServer;
  let client: ResolverClient;
  before(async () => {
    w = await world({ strict: true });
    server = await NatsServer.start({
      binary: "nats-server-old",
      body: renderServerConfig({
        operator: w.operator.jwt,
        systemAccount: w.sys.publicKey,
        resolver: { type: "full", dir: "jwt", allowDelete: true },
        preload: { [w.sys.publicKey]: w.sys.jwt },
      }),
    });
    assert.match(server.logs(), /Version:\s+2\.9\.10/);
    client = await ResolverClient.connect({ servers: [server.url], creds: w.sysUser.creds, timeoutMs: 1500 });
  });
  after(async () => {
    await client?.close();
    await closeAllResolvers();
    await server?.[Symbol.asyncDispose]();
  });

  it("old server - push (no headers), then a user of the account connects", async () => {
    assert.equal(await client.serverCount(), 1);
    const app = await w.newAccount("APP");
    const started = Date.now();
    const pushed = await client.push(app.jwt);
    console.log(`push to 2.9.10 took ${Date.now() - started} ms`);
    assert.equal(pushed.accepted, 1, JSON.stringify(pushed.replies));
    const u = await w.newUser(app, "u");
    const nc = await connect({
      servers: server.url,
      authenticator: credsAuthenticator(new TextEncoder().encode(u.creds)),
    });
    await nc.close();
  });

  it("old server - a missing account gets no reply; refresh reports it as not pushed", async () => {
    const ghost = await w.newAccount("GHOST");
    const found = await client.lookup(ghost.publicKey);
    assert.equal(found.found.length, 0);
    assert.equal(found.answered, 0, "no reply: the lookup ends at its timeout");
    // As a refresh would see an account recorded as pushed that the resolver does not have.
    const resolver = { servers: [server.url], creds: w.sysUser.creds, timeoutMs: 1500 };
    const read = await account.read!(ghost.publicKey, {
      ...ghost,
      resolver,
      pushedHash: ghost.claimsHash,
      pushedTo: 1,
    });
    assert.equal(read.props?.pushedHash, "", "drift: the resolver lacks the account");
  });

  it("old server - delete works and the account is gone", async () => {
    const gone = await w.newAccount("GONE");
    assert.equal((await client.push(gone.jwt)).accepted, 1);
    const del = await client.deleteAccounts([gone.publicKey], fromSeed(w.operatorSigningKey.seed));
    assert.equal(del.accepted, 1, JSON.stringify(del.replies));
    assert.equal((await client.lookup(gone.publicKey)).found.length, 0);
  });
});
