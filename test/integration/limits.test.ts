/**
 * Sizes the servers enforce, judged before anything is pushed or signed, against real nats-servers:
 * an account JWT over the servers' `max_payload` (here 8192) is refused before the publish, naming
 * the account, the size, the limit and the remedy (it used to end as "no server answered … is this a
 * system account user?"), and one just under it is pushed and used; a user JWT too large for the
 * CONNECT line (`max_control_line`, default 4096) is refused at preview naming the user, the size,
 * the limit and the remedy (it used to be signed, and then every connect failed), and one just under
 * the limit connects, as does a larger one on a server whose `max_control_line` was raised to match.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { formatCreds } from "../../core/creds";
import { createKeyPair } from "../../core/nkeys";
import { renderServerConfig } from "../../core/serverConfig";
import { ResolverClient } from "../../io/resolverClient";
import { closeAllResolvers } from "../../io/resolverPool";
import { handler as account } from "../../provider/account";
import type { AccountState, UserProps, UserState } from "../../provider/contracts";
import { handler as user } from "../../provider/user";
import { connectOnce } from "../harness/clients";
import { type Outs, type World, world } from "../harness/identities";
import { type CliResult, nats } from "../harness/natsCli";
import { NatsServer } from "../harness/natsServer";

const MAX_PAYLOAD = 8192;
const RAISED_CONTROL_LINE = 8192;

function body(w: World, extra: string): string {
  return `${renderServerConfig({
    operator: w.operator.jwt,
    systemAccount: w.sys.publicKey,
    resolver: { type: "full", dir: "jwt", allowDelete: true, interval: "2m", timeout: "1.9s" },
    preload: { [w.sys.publicKey]: w.sys.jwt },
  })}\n${extra}\n`;
}

/** The error a call threw (fails the test if it did not throw). */
async function failure(work: Promise<unknown>): Promise<Error> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof Error, "expected an error");
  return err;
}

/** `n` revocations of fresh user keys, at a fixed time. */
function revocations(n: number): Record<string, number> {
  return Object.fromEntries(
    Array.from({ length: n }, () => [createKeyPair("user").getPublicKey(), 1_700_000_000]),
  );
}

/** `nats pub` with the creds, as a Go client (the nats CLI) connects: its exit code and output. */
async function natsCliWith(url: string, creds: string): Promise<CliResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-limits-cli-"));
  try {
    const file = path.join(dir, "u.creds");
    fs.writeFileSync(file, creds, { mode: 0o600 });
    return await nats(dir, ["-s", url, "--creds", file, "pub", "orders.region-0.x", "x"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("limits - sizes the servers enforce are judged before push and at preview", () => {
  let w: World;
  let small: NatsServer;
  let raised: NatsServer;
  let acct: Outs;

  before(async () => {
    w = await world();
    small = await NatsServer.start({ name: "small-payload", body: body(w, `max_payload: ${MAX_PAYLOAD}`) });
    raised = await NatsServer.start({
      name: "raised-control-line",
      body: body(w, `max_control_line: ${RAISED_CONTROL_LINE}`),
    });
    acct = await w.newAccount("APP", {
      resolver: { servers: [small.url, raised.url], creds: w.sysUser.creds, timeoutMs: 2000 },
    });
    assert.equal(acct.pushedTo, 2);
  });
  after(async () => {
    await closeAllResolvers();
    await small?.[Symbol.asyncDispose]();
    await raised?.[Symbol.asyncDispose]();
  });

  /** An account with `n` revocations, pushed to `servers` (none: only signed), and its users' signer. */
  async function accountWith(
    name: string,
    n: number,
    servers: string[],
  ): Promise<{ done: Promise<{ outs: AccountState }>; userSignerSeed: string }> {
    const sk = await w.newSigningKey();
    const done = account.create({
      name,
      operatorPublicKey: w.operator.publicKey,
      operatorSigningKeys: w.operator.signingKeys,
      operatorStrict: w.operator.strictSigningKeyUsage,
      signerSeed: w.operatorSigningKey.seed,
      signingKeys: [sk.ref],
      revocations: revocations(n),
      ...(servers.length ? { resolver: { servers, creds: w.sysUser.creds, timeoutMs: 2000 } } : {}),
    });
    // Settled by the caller; a rejection is not unhandled in between.
    done.catch(() => undefined);
    return { done, userSignerSeed: sk.seed };
  }

  it("limits - an account JWT over max_payload is refused before the publish, naming account, size, limit and remedy", async () => {
    const err = await failure((await accountWith("BIG", 120, [small.url])).done);
    console.log(`refused push: ${err.message}`);
    const pub = String((err as { properties?: { publicKey?: string } }).properties?.publicKey ?? "");
    assert.doesNotMatch(err.message, /no server answered/, "a refused publish is not a silence");
    assert.match(err.message, /Account "BIG"/);
    assert.match(err.message, /max_payload 8192/);
    assert.match(err.message, /the JWT is \d{5} bytes/);
    assert.match(err.message, /fewer revocations/);
    assert.match(err.message, /raise\s+max_payload/);
    assert.match(err.message, /nothing was pushed/);
    assert.ok(pub.startsWith("A"), "the account is recorded (with its key) as not pushed");
    const c = await ResolverClient.connect({ servers: [small.url], creds: w.sysUser.creds, timeoutMs: 1500 });
    try {
      assert.equal((await c.lookup(pub)).found.length, 0, "the server never got it");
    } finally {
      await c.close();
    }
  });

  it("limits - the resolver client says max_payload too, never a timeout, when given an oversized JWT", async () => {
    const { outs } = await (await accountWith("BIG2", 120, [])).done;
    assert.ok(outs.jwt.length > MAX_PAYLOAD);
    const c = await ResolverClient.connect({ servers: [small.url], creds: w.sysUser.creds, timeoutMs: 1500 });
    try {
      const err = await failure(c.push(outs.jwt));
      assert.doesNotMatch(err.message, /no server answered/);
      assert.match(err.message, /max_payload 8192/);
      assert.match(err.message, new RegExp(`${outs.jwt.length} bytes`));
    } finally {
      await c.close();
    }
  });

  it("limits - an account JWT just under max_payload is pushed and its users connect", async () => {
    // The most revocations that still fit (about 93 bytes each).
    let n = 70;
    while ((await (await accountWith("FIT", n + 1, [])).done).outs.jwt.length <= MAX_PAYLOAD) n++;
    const fit = await accountWith("FIT", n, [small.url]);
    const { outs } = await fit.done;
    assert.ok(outs.jwt.length <= MAX_PAYLOAD && outs.jwt.length > MAX_PAYLOAD - 200, `${outs.jwt.length}`);
    assert.equal(outs.pushedTo, 1);
    const u = await w.newUser({ ...outs, userSignerSeed: fit.userSignerSeed }, "fit-user");
    await connectOnce(small.url, u.creds);
  });

  it("limits - a push the server refuses by permission says so, not that no server answered", async () => {
    // A system user that may count servers and read VARZ, but not push.
    const limited = await w.newUser(w.sys, "no-push", {
      pub: { allow: ["$SYS.REQ.SERVER.PING", "$SYS.REQ.SERVER.PING.VARZ"] },
      sub: { allow: ["_INBOX.>"] },
    });
    const { outs } = await (await accountWith("DENIED", 0, [])).done;
    const c = await ResolverClient.connect({ servers: [small.url], creds: limited.creds, timeoutMs: 1500 });
    try {
      const err = await failure(c.push(outs.jwt));
      console.log(`refused by permission: ${err.message}`);
      assert.doesNotMatch(err.message, /is this a system account user/);
      assert.match(
        err.message,
        /the server refused it: .*Permissions Violation for Publish to "\$SYS\.REQ\.CLAIMS\.UPDATE"/i,
      );
      assert.match(err.message, /needs to publish \$SYS\.REQ\.CLAIMS\.UPDATE/);
    } finally {
      await c.close();
    }
  });

  /** User props of APP whose JWT is exactly as long as the most that fits `limit` (a padded name). */
  async function userNear(limit: number, extra: Partial<UserProps> = {}): Promise<UserProps> {
    const pub = { allow: Array.from({ length: 40 }, (_, i) => `orders.region-${i}.>`) };
    const props = (pad: number): UserProps => ({
      name: `u${"x".repeat(pad)}`,
      accountPublicKey: acct.publicKey,
      accountSigningKeys: acct.signingKeys,
      operatorStrict: acct.operatorStrict,
      signerSeed: acct.userSignerSeed,
      pub,
      ...extra,
    });
    // Measured with a limit nothing reaches; the JWT grows by 4 characters per 3 of the name.
    const length = async (pad: number) =>
      (await user.create({ ...props(pad), maxControlLine: 1 << 22 })).outs.jwt.length;
    let lo = 0;
    let hi = 8000;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if ((await length(mid)) <= limit) lo = mid;
      else hi = mid - 1;
    }
    assert.ok((await length(lo)) > limit - 4, "the padding reaches the limit");
    return props(lo);
  }

  it("limits - a user JWT too large for max_control_line is refused at preview, naming user, size, limit and remedy", async () => {
    const props = await userNear(5000);
    const check = await user.check({}, props);
    const failures = check.failures ?? [];
    assert.equal(failures.length, 1, JSON.stringify(failures));
    assert.equal(failures[0].property, "jwt size");
    console.log(`refused user: ${failures[0].reason}`);
    assert.match(failures[0].reason, /the user JWT would be 5\d{3} bytes/);
    assert.match(failures[0].reason, /max_control_line 4096/);
    assert.match(failures[0].reason, /at most 3584 bytes/);
    assert.match(failures[0].reason, /fewer permissions/);
    assert.match(failures[0].reason, /scoped signing key/);
    // And create refuses before signing anything into state.
    const err = await failure(user.create(props));
    assert.match(err.message, /User "ux+": jwt size: the user JWT would be/);
    // The refusal is right: the same claims, signed anyway, cannot connect to a default server.
    const signed = (await user.create({ ...props, maxControlLine: 1 << 22 })).outs as UserState;
    const connectErr = await failure(connectOnce(small.url, formatCreds(signed.jwt, String(signed.seed))));
    assert.match(connectErr.message, /maximum control line exceeded|EPIPE|closed/i);
    const cli = await natsCliWith(small.url, formatCreds(signed.jwt, String(signed.seed)));
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /maximum control line exceeded/);
  });

  it("limits - a user JWT just under the limit passes preview and connects", async () => {
    const props = await userNear(3584);
    const check = await user.check({}, props);
    assert.deepEqual(check.failures ?? [], []);
    const { outs } = await user.create(props);
    assert.ok(outs.jwt.length <= 3584 && outs.jwt.length > 3580, `${outs.jwt.length}`);
    await connectOnce(small.url, formatCreds(outs.jwt, String(outs.seed)));
    // The Go client (nats CLI) too: it sends about as much besides the JWT (284 bytes measured).
    const cli = await natsCliWith(small.url, formatCreds(outs.jwt, String(outs.seed)));
    assert.equal(cli.code, 0, cli.stderr);
    // One padding step more is refused.
    const over = await user.check({}, { ...props, name: `${props.name}xxx` });
    assert.equal(over.failures?.[0]?.property, "jwt size");
  });

  it("limits - with maxControlLine raised to the servers' own, a larger user passes and connects there", async () => {
    const props = await userNear(5000, { maxControlLine: RAISED_CONTROL_LINE });
    const check = await user.check({}, props);
    assert.deepEqual(check.failures ?? [], []);
    const { outs } = await user.create(props);
    await connectOnce(raised.url, formatCreds(outs.jwt, String(outs.seed)));
    const bad = await user.check({}, { ...props, maxControlLine: 100 });
    assert.equal(bad.failures?.[0]?.property, "maxControlLine");
  });
});
