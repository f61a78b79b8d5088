import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as transport from "@nats-io/transport-node";
import { accountClaims, operatorClaims, userClaims } from "../../core/claims";
import { formatCreds } from "../../core/creds";
import { ResolverError } from "../../core/errors";
import { decodeJwt, sign } from "../../core/jwt";
import { createKeyPair, type NKeyPair } from "../../core/nkeys";
import { claimsHash } from "../../core/normalize";
import { validateForPush } from "../../core/pushCheck";
import { ResolverClient, type ResolverConnection } from "../../io/resolverClient";
import { closeAllResolvers, sharedResolver } from "../../io/resolverPool";
import { lookupAccount } from "../../provider/kit/accountResolver";
import { type Cluster, deadPort, NatsServer, startCluster } from "../harness/natsServer";

// transport-node re-exports nats-core at runtime through a subpath this project's module resolution
// cannot type, so the authenticator is typed from nats-core.
const nats = transport as unknown as typeof transport &
  Pick<typeof import("@nats-io/nats-core"), "credsAuthenticator">;

interface Trust {
  operator: NKeyPair;
  signer: NKeyPair;
  operatorJwt: string;
  sysPub: string;
  sysJwt: string;
  sysCreds: string;
  /** The user seed inside sysCreds, to check that no message leaks it. */
  sysUserSeed: string;
}

/** An operator with one signing key, a SYS account signed by that key, and a `sys` user. */
async function makeTrust(opts: { strict?: boolean } = {}): Promise<Trust> {
  const operator = createKeyPair("operator");
  const signer = createKeyPair("operator");
  const sys = createKeyPair("account");
  const user = createKeyPair("user");
  const operatorJwt = await sign(
    operatorClaims("op", operator.getPublicKey(), {
      signingKeys: [signer.getPublicKey()],
      systemAccount: sys.getPublicKey(),
      strictSigningKeyUsage: opts.strict,
    }),
    operator,
  );
  // Under strict usage the server also refuses users signed by the account identity key (accounts
  // issued by a strict operator's signing key lose their implicit self-signing), so sign with an
  // account signing key.
  const sysSigner = opts.strict ? createKeyPair("account") : sys;
  const sysJwt = await sign(
    accountClaims("SYS", sys.getPublicKey(), signer.getPublicKey(), {
      signingKeys: opts.strict ? [sysSigner.getPublicKey()] : undefined,
    }),
    signer,
  );
  const userJwt = await sign(
    userClaims(
      "sys",
      user.getPublicKey(),
      sysSigner.getPublicKey(),
      {},
      {
        issuerAccount: opts.strict ? sys.getPublicKey() : undefined,
      },
    ),
    sysSigner,
  );
  return {
    operator,
    signer,
    operatorJwt,
    sysPub: sys.getPublicKey(),
    sysJwt,
    sysCreds: formatCreds(userJwt, user.seed()),
    sysUserSeed: user.seed(),
  };
}

/** A new account signed by `issuer`, plus the creds of one of its users. */
async function makeAccount(
  name: string,
  issuer: NKeyPair,
  opts: { expires?: number } = {},
): Promise<{ pub: string; jwt: string; userCreds: string }> {
  const account = createKeyPair("account");
  const user = createKeyPair("user");
  const jwt = await sign(
    accountClaims(name, account.getPublicKey(), issuer.getPublicKey(), { expires: opts.expires }),
    issuer,
  );
  const userJwt = await sign(userClaims("u", user.getPublicKey(), account.getPublicKey(), {}, {}), account);
  return { pub: account.getPublicKey(), jwt, userCreds: formatCreds(userJwt, user.seed()) };
}

/** The trust and full-resolver part of a server config (the harness writes listeners and names). */
function resolverBody(t: Trust, opts: { allowDelete?: boolean } = {}): string {
  return `operator: ${t.operatorJwt}
system_account: ${t.sysPub}
resolver {
  type: full
  dir: "jwt"
  allow_delete: ${opts.allowDelete ?? true}
  interval: "2m"
  timeout: "1.9s"
}
resolver_preload { ${t.sysPub}: ${t.sysJwt} }
`;
}

/** Connects as an account's user and proves the connection works with a round trip. */
async function canConnect(url: string, creds: string): Promise<void> {
  const nc = await nats.connect({
    servers: url,
    authenticator: nats.credsAuthenticator(new TextEncoder().encode(creds)),
    reconnect: false,
    timeout: 3000,
  });
  try {
    const sub = nc.subscribe("hello", { max: 1 });
    nc.publish("hello", "x");
    for await (const m of sub) assert.equal(m.string(), "x");
  } finally {
    await nc.close();
  }
}

describe("resolver - one full-resolver server", () => {
  let trust: Trust;
  let server: NatsServer;
  let client: ResolverClient;
  let conn: ResolverConnection;

  before(async () => {
    trust = await makeTrust();
    server = await NatsServer.start({ name: "s1", body: resolverBody(trust) });
    conn = { servers: [server.url], creds: trust.sysCreds };
    client = await ResolverClient.connect(conn);
  });
  after(async () => {
    await client?.close();
    await closeAllResolvers();
    await server?.[Symbol.asyncDispose]();
  });

  it("resolver - serverCount counts the one server", async () => {
    const start = performance.now();
    assert.equal(await client.serverCount(), 1);
    console.log(`serverCount (uncached) took ${(performance.now() - start).toFixed(1)} ms`);
    assert.equal(await client.serverCount(), 1, "and again (cached: bench/ measures it)");
  });

  it("resolver - push stores a new account and its users can connect", async () => {
    const acct = await makeAccount("A1", trust.signer);
    await assert.rejects(canConnect(server.url, acct.userCreds), "unknown account before the push");
    await client.serverCount();
    const start = performance.now();
    const out = await client.push(acct.jwt);
    const ms = performance.now() - start;
    console.log(`push latency (one server, connected, count cached): ${ms.toFixed(2)} ms`);
    assert.equal(out.account, acct.pub);
    assert.equal(out.expected, 1);
    assert.equal(out.accepted, 1);
    assert.deepEqual(out.rejected, []);
    assert.equal(out.replies[0].server, "s1");
    assert.equal(out.replies[0].message, "jwt updated");
    // The account JWT carries explicit limits; without them the user would get 0 connections.
    await canConnect(server.url, acct.userCreds);
  });

  it("resolver - a first push on a fresh connection waits for no fixed delay", async () => {
    // With an hour's timeout a push that waited for it would never return within the test's limit:
    // returning at all shows it ended with the replies.
    const fresh = await ResolverClient.connect({ ...conn, timeoutMs: 3_600_000 });
    try {
      const acct = await makeAccount("Fresh", trust.signer);
      const start = performance.now();
      const out = await fresh.push(acct.jwt);
      const ms = performance.now() - start;
      console.log(`push latency (fresh connection, server count not cached): ${ms.toFixed(2)} ms`);
      assert.equal(out.accepted, 1);
      assert.equal(out.expected, 1);
    } finally {
      await fresh.close();
    }
  });

  it("resolver - lookup finds a pushed account", async () => {
    const acct = await makeAccount("A2", trust.signer);
    await client.push(acct.jwt);
    const out = await client.lookup(acct.pub);
    assert.equal(out.expected, 1);
    assert.equal(out.answered, 1);
    assert.equal(out.found.length, 1);
    assert.equal(out.found[0].jwt, acct.jwt);
    assert.deepEqual(out.missing, []);
  });

  it("resolver - lookup of an unknown account reports it missing at once", async () => {
    const start = performance.now();
    const out = await client.lookup(createKeyPair("account").getPublicKey());
    const ms = performance.now() - start;
    console.log(`lookup of a missing account: answered ${out.answered}, ${ms.toFixed(1)} ms`);
    assert.deepEqual(out.found, []);
    // 2.9.17+ answers with an empty message, so this ends with the reply, not the timeout.
    assert.equal(out.answered, 1);
    assert.equal(out.missing.length, 1);
  });

  it("resolver - list includes a pushed account", async () => {
    const acct = await makeAccount("A3", trust.signer);
    await client.push(acct.jwt);
    const out = await client.list();
    assert.equal(out.length, 1);
    assert.equal(out[0].server, "s1");
    assert.ok(out[0].accounts.includes(acct.pub));
    assert.ok(out[0].accounts.includes(trust.sysPub), "the preloaded system account is listed too");
  });

  it("resolver - deleteAccounts removes an account", async () => {
    const acct = await makeAccount("A4", trust.signer);
    await client.push(acct.jwt);
    assert.equal((await client.lookup(acct.pub)).found.length, 1);
    const out = await client.deleteAccounts([acct.pub], trust.signer);
    assert.equal(out.expected, 1);
    assert.equal(out.accepted, 1, JSON.stringify(out.replies));
    assert.match(out.replies[0].message, /deleted 1 accounts/);
    const after = await client.lookup(acct.pub);
    assert.deepEqual(after.found, []);
    assert.equal(after.missing.length, 1);
    assert.ok(!(await client.list())[0].accounts.includes(acct.pub));
  });

  it("resolver - deleteAccounts of the system account is refused with the server's reason", async () => {
    const out = await client.deleteAccounts([trust.sysPub], trust.signer);
    assert.equal(out.accepted, 0);
    assert.match(out.rejected[0].message, /not allowed to delete system account/);
  });

  it("resolver - an untrusted issuer still gets 'jwt updated' (the trap validateForPush closes)", async () => {
    const stranger = createKeyPair("operator");
    const acct = await makeAccount("Untrusted", stranger);
    const out = await client.push(acct.jwt);
    console.log(`untrusted push reply: ${JSON.stringify(out.replies)}`);
    assert.equal(out.accepted, 1);
    assert.equal(out.replies[0].message, "jwt updated");
    await assert.rejects(canConnect(server.url, acct.userCreds), "the stored account is unusable");
    const reasons = validateForPush(acct.jwt, {
      publicKey: trust.operator.getPublicKey(),
      signingKeys: [trust.signer.getPublicKey()],
    });
    assert.equal(reasons.length, 1);
    assert.match(reasons[0], /neither operator/);
  });

  it("resolver - an expired account JWT still gets 'jwt updated'", async () => {
    const acct = await makeAccount("Expired", trust.signer, { expires: Math.floor(Date.now() / 1000) - 60 });
    const out = await client.push(acct.jwt);
    console.log(`expired push reply: ${JSON.stringify(out.replies)}`);
    assert.equal(out.accepted, 1);
    assert.equal(out.replies[0].message, "jwt updated");
    await assert.rejects(canConnect(server.url, acct.userCreds), "the expired account is unusable");
  });

  it("resolver - refresh reports an account JWT that expired as expired, not as lost by the resolver", async () => {
    // Full resolvers drop a JWT once it expires: the servers hold nothing, as if they had lost it.
    const acct = await makeAccount("Gone", trust.signer, { expires: Math.floor(Date.now() / 1000) - 60 });
    const props = {
      name: "Gone",
      publicKey: acct.pub,
      jwt: acct.jwt,
      operatorPublicKey: trust.operator.getPublicKey(),
      operatorSigningKeys: [trust.signer.getPublicKey()],
      signerSeed: "",
    };
    const held = await lookupAccount({ servers: [server.url], creds: trust.sysCreds }, props);
    console.log(`expired account drift: ${JSON.stringify(held.drift)}`);
    assert.equal(held.pushedHash, "");
    assert.doesNotMatch(JSON.stringify(held.drift), /lost it/, "not reported as lost");
    assert.match(String(held.drift?.account), /expired at/);
    assert.match(String(held.drift?.expired), /expired at .*set a later expires/);
    // An account that is not expired and missing is still reported as lost.
    const live = await makeAccount("Live", trust.signer);
    const lost = await lookupAccount(
      { servers: [server.url], creds: trust.sysCreds },
      { ...props, name: "Live", publicKey: live.pub, jwt: live.jwt },
    );
    assert.match(String(lost.drift?.account), /the resolver lost it/);
  });

  it("resolver - refresh takes a held JWT that spells JetStream's 'unlimited' otherwise as the program's: no drift, no re-push", async () => {
    const account = createKeyPair("account");
    const claims = accountClaims("JS", account.getPublicKey(), trust.signer.getPublicKey(), {
      jetstream: { memStorage: -1, diskStorage: -1 },
    });
    const program = await sign(claims, trust.signer);
    // The same limits as nsc writes them: streams and consumer left out, max_ack_pending 0.
    const limits = { ...(claims.nats.limits as Record<string, unknown>) };
    delete limits.streams;
    delete limits.consumer;
    limits.max_ack_pending = 0;
    const nscs = await sign({ ...claims, nats: { ...claims.nats, limits } }, trust.signer);
    await client.push(nscs);
    const held = await lookupAccount(
      { servers: [server.url], creds: trust.sysCreds },
      {
        name: "JS",
        publicKey: account.getPublicKey(),
        jwt: program,
        operatorPublicKey: trust.operator.getPublicKey(),
        operatorSigningKeys: [trust.signer.getPublicKey()],
        signerSeed: "",
      },
    );
    assert.equal(held.drift, undefined, `no drift: ${JSON.stringify(held.drift)}`);
    assert.equal(held.pushedHash, claimsHash(decodeJwt(program)), "held: nothing to push again");
  });

  it("resolver - sharedResolver pools one connection for concurrent pushes", async () => {
    const [a, b] = await Promise.all([sharedResolver(conn), sharedResolver(conn)]);
    assert.equal(a, b);
    assert.equal(await sharedResolver({ ...conn }), a, "same servers and creds reuse the connection");
    const accounts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => makeAccount(`P${i}`, trust.signer)),
    );
    const start = performance.now();
    const outs = await Promise.all(accounts.map((acct) => a.push(acct.jwt)));
    console.log(
      `20 concurrent pushes on one pooled connection: ${(performance.now() - start).toFixed(1)} ms`,
    );
    assert.deepEqual(
      outs.map((o) => o.accepted),
      accounts.map(() => 1),
    );
    assert.deepEqual(
      outs.map((o) => o.account),
      accounts.map((acct) => acct.pub),
    );
    await closeAllResolvers();
    const fresh = await sharedResolver(conn);
    assert.notEqual(fresh, a, "a new connection after closeAllResolvers");
    await closeAllResolvers();
  });

  it("resolver - push rejects what is not an account JWT before sending", async () => {
    await assert.rejects(client.push("not-a-jwt"), ResolverError);
    await assert.rejects(client.push(trust.operatorJwt), /expected an account JWT/);
  });
});

describe("resolver - server without allow_delete", () => {
  let trust: Trust;
  let server: NatsServer;
  let client: ResolverClient;

  before(async () => {
    trust = await makeTrust();
    server = await NatsServer.start({ name: "nd1", body: resolverBody(trust, { allowDelete: false }) });
    client = await ResolverClient.connect({ servers: [server.url], creds: trust.sysCreds });
  });
  after(async () => {
    await client?.close();
    await server?.[Symbol.asyncDispose]();
  });

  it("resolver - deleteAccounts surfaces 'delete must be enabled' as a rejected reply", async () => {
    const acct = await makeAccount("Keep", trust.signer);
    assert.equal((await client.push(acct.jwt)).accepted, 1);
    const out = await client.deleteAccounts([acct.pub], trust.signer);
    console.log(`delete without allow_delete: ${JSON.stringify(out.rejected)}`);
    assert.equal(out.accepted, 0);
    assert.equal(out.rejected.length, 1);
    assert.equal(out.rejected[0].server, "nd1");
    assert.match(out.rejected[0].message, /delete must be enabled in server config/);
    assert.equal((await client.lookup(acct.pub)).found.length, 1, "the account is still there");
  });
});

describe("resolver - operator with strict signing key usage", () => {
  let trust: Trust;
  let server: NatsServer;
  let client: ResolverClient;

  before(async () => {
    trust = await makeTrust({ strict: true });
    server = await NatsServer.start({ name: "st1", body: resolverBody(trust) });
    client = await ResolverClient.connect({ servers: [server.url], creds: trust.sysCreds });
  });
  after(async () => {
    await client?.close();
    await server?.[Symbol.asyncDispose]();
  });

  it("resolver - the server refuses an account signed by the operator identity key", async () => {
    const acct = await makeAccount("ById", trust.operator);
    const out = await client.push(acct.jwt);
    console.log(`strict push signed by the identity key: ${JSON.stringify(out.rejected)}`);
    assert.equal(out.accepted, 0);
    assert.match(out.rejected[0].message, /operator requires issuer to be a signing key/);
    assert.equal((await client.push((await makeAccount("BySk", trust.signer)).jwt)).accepted, 1);
  });

  it("resolver - a delete signed by the identity key is not trusted; by a signing key it is", async () => {
    const acct = await makeAccount("Del", trust.signer);
    assert.equal((await client.push(acct.jwt)).accepted, 1);
    const byId = await client.deleteAccounts([acct.pub], trust.operator);
    assert.equal(byId.accepted, 0);
    assert.match(byId.rejected[0].message, /not trusted/);
    const bySk = await client.deleteAccounts([acct.pub], trust.signer);
    assert.equal(bySk.accepted, 1, JSON.stringify(bySk.replies));
  });
});

describe("resolver - three-server cluster", () => {
  let trust: Trust;
  let cluster: Cluster;
  let servers: NatsServer[] = [];
  let client: ResolverClient;

  before(async () => {
    trust = await makeTrust();
    // The harness waits until every server routes to the other two.
    cluster = await startCluster(3, { name: "c", body: resolverBody(trust) });
    servers = cluster.servers;
    client = await ResolverClient.connect({ servers: [servers[1].url], creds: trust.sysCreds });
  });
  after(async () => {
    await client?.close();
    await cluster?.[Symbol.asyncDispose]();
  });

  it("resolver - serverCount is 3", async () => {
    const start = performance.now();
    assert.equal(await client.serverCount(), 3);
    console.log(`cluster serverCount took ${(performance.now() - start).toFixed(1)} ms`);
  });

  it("resolver - push reaches all three servers", async () => {
    const acct = await makeAccount("C", trust.signer);
    await client.serverCount();
    const start = performance.now();
    const out = await client.push(acct.jwt);
    console.log(`push latency (3-server cluster): ${(performance.now() - start).toFixed(2)} ms`);
    assert.equal(out.expected, 3);
    assert.equal(out.accepted, 3);
    assert.deepEqual(out.replies.map((r) => r.server).sort(), ["c-1", "c-2", "c-3"]);
    const found = await client.lookup(acct.pub);
    assert.equal(found.found.length, 3);
    const lists = await client.list();
    assert.deepEqual(lists.map((l) => l.server).sort(), ["c-1", "c-2", "c-3"]);
    for (const l of lists) assert.ok(l.accounts.includes(acct.pub), `${l.server} lists the account`);
    for (const s of servers) await canConnect(s.url, acct.userCreds);
  });

  it("resolver - deleteAccounts removes the account from every server", async () => {
    const acct = await makeAccount("D", trust.signer);
    assert.equal((await client.push(acct.jwt)).accepted, 3);
    const out = await client.deleteAccounts([acct.pub], trust.signer);
    assert.equal(out.accepted, 3, JSON.stringify(out.replies));
    const after = await client.lookup(acct.pub);
    assert.equal(after.found.length, 0);
    assert.equal(after.missing.length, 3);
  });
});

describe("resolver - validateForPush", () => {
  let trust: Trust;
  let operator: { publicKey: string; signingKeys: string[] };
  before(async () => {
    trust = await makeTrust();
    operator = { publicKey: trust.operator.getPublicKey(), signingKeys: [trust.signer.getPublicKey()] };
  });

  it("validateForPush - accepts a JWT signed by an operator signing key", async () => {
    const acct = await makeAccount("ok", trust.signer);
    assert.deepEqual(validateForPush(acct.jwt, operator), []);
    assert.deepEqual(validateForPush(acct.jwt, { ...operator, strict: true }), []);
  });

  it("validateForPush - refuses an untrusted issuer", async () => {
    const acct = await makeAccount("x", createKeyPair("operator"));
    const reasons = validateForPush(acct.jwt, operator);
    assert.equal(reasons.length, 1);
    assert.match(reasons[0], /is neither operator/);
  });

  it("validateForPush - refuses an expired JWT", async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const acct = await makeAccount("x", trust.signer, { expires: exp });
    assert.deepEqual(validateForPush(acct.jwt, operator), []);
    const reasons = validateForPush(acct.jwt, operator, (exp + 1) * 1000);
    assert.equal(reasons.length, 1);
    assert.match(reasons[0], /expired at/);
  });

  it("validateForPush - refuses an identity-key signature under strict signing", async () => {
    const acct = await makeAccount("x", trust.operator);
    assert.deepEqual(validateForPush(acct.jwt, operator), []);
    const reasons = validateForPush(acct.jwt, { ...operator, strict: true });
    assert.equal(reasons.length, 1);
    assert.match(reasons[0], /strict_signing_key_usage/);
  });

  it("validateForPush - refuses a forged signature and a non-account JWT", async () => {
    const acct = await makeAccount("x", trust.signer);
    const [h, p] = acct.jwt.split(".");
    const forged = `${h}.${p}.${Buffer.alloc(64).toString("base64url")}`;
    assert.match(validateForPush(forged, operator).join("; "), /signature does not verify/);
    assert.match(validateForPush(trust.operatorJwt, operator).join("; "), /not an account JWT/);
    assert.match(validateForPush("garbage", operator).join("; "), /not a JWT/);
  });

  it("validateForPush - claims decode as pushed", async () => {
    const acct = await makeAccount("x", trust.signer);
    assert.equal(decodeJwt(acct.jwt).sub, acct.pub);
  });
});

describe("resolver - connection failures", () => {
  it("resolver - connecting to a dead port throws a ResolverError naming the server", async () => {
    const trust = await makeTrust();
    const port = await deadPort();
    const url = `nats://127.0.0.1:${port}`;
    const start = performance.now();
    const err = await ResolverClient.connect({ servers: [url], creds: trust.sysCreds, timeoutMs: 2000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    console.log(`dead port: ${(performance.now() - start).toFixed(1)} ms: ${String(err)}`);
    assert.ok(err instanceof ResolverError, `a ResolverError, got ${String(err)}`);
    assert.ok(err.message.includes(`127.0.0.1:${port}`), err.message);
    assert.ok(!err.message.includes(trust.sysUserSeed), "no seed in the message");
    await assert.rejects(
      sharedResolver({ servers: [url], creds: trust.sysCreds, timeoutMs: 2000 }),
      ResolverError,
    );
  });

  it("resolver - creds that are not a .creds text are refused without echoing them", async () => {
    const seed = createKeyPair("user").seed();
    const err = await ResolverClient.connect({ servers: ["nats://127.0.0.1:1"], creds: seed }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ResolverError);
    assert.ok(!err.message.includes(seed));
  });
});
