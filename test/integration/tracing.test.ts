/**
 * Message tracing against a real nats-server: an account's `trace` destination receives the trace of
 * a message carrying a sampled `traceparent`; a `Nats-Trace-Dest` trace follows a stream import that
 * sets `allowTrace` into the importing account and stops at one that does not.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  connect,
  credsAuthenticator,
  headers,
  type NatsConnection,
  type Subscription,
} from "@nats-io/transport-node";
import { decodeJwt } from "../../core/jwt";
import { renderServerConfig } from "../../core/serverConfig";
import { type Outs, type World, world } from "../harness/identities";
import { NatsServer } from "../harness/natsServer";

interface TraceEvent {
  request: { header?: Record<string, string[]> };
  events: { type: string; acc?: string; sub?: string; to?: string }[];
}

describe("integration tracing - account trace destination, allowTrace across imports", () => {
  let w: World;
  let a: Outs;
  let b: Outs;
  let c: Outs;
  let server: NatsServer;
  const conns: NatsConnection[] = [];
  const as = async (creds: string) => {
    const nc = await connect({
      servers: server.url,
      authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
    });
    conns.push(nc);
    return nc;
  };
  const first = async (sub: Subscription): Promise<TraceEvent> => {
    for await (const m of sub) return m.json<TraceEvent>();
    throw new Error("no trace event");
  };

  before(async () => {
    w = await world();
    a = await w.newAccount("A", {
      exports: [
        { subject: "feed.>", type: "stream" },
        { subject: "svc.echo", type: "service", allowTrace: true },
      ],
      trace: { dest: "a.traces", sampling: 100 },
    });
    const feed = { subject: "feed.>", account: a.publicKey, type: "stream" as const };
    b = await w.newAccount("B", { imports: [{ ...feed, allowTrace: true }] });
    c = await w.newAccount("C", { imports: [feed] });
    server = await NatsServer.start({
      body: renderServerConfig({
        operator: w.operator.jwt,
        systemAccount: w.sys.publicKey,
        resolver: { type: "memory" },
        preload: Object.fromEntries([w.sys, a, b, c].map((x) => [x.publicKey, x.jwt])),
      }),
    });
  });
  after(async () => {
    await Promise.all(conns.map((nc) => nc.close()));
    await server?.[Symbol.asyncDispose]();
  });

  it("tracing - the claims say it as the jwt library does", () => {
    const n = decodeJwt(a.jwt).nats as unknown as { trace: unknown; exports: { allow_trace?: boolean }[] };
    assert.deepEqual(n.trace, { dest: "a.traces", sampling: 100 });
    assert.equal(n.exports[1].allow_trace, true);
    const imports = (x: Outs) => (decodeJwt(x.jwt).nats.imports as { allow_trace?: boolean }[])[0];
    assert.equal(imports(b).allow_trace, true);
    assert.equal(imports(c).allow_trace, undefined);
  });

  it("tracing - a sampled traceparent message is traced to the account's trace destination", async () => {
    const tracer = await as((await w.newUser(a, "tracer")).creds);
    const traces = tracer.subscribe("a.traces", { max: 1 });
    await tracer.flush();
    const pub = await as((await w.newUser(a, "pub")).creds);
    const h = headers();
    h.set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    pub.publish("feed.sampled", "x", { headers: h });
    const event = await first(traces);
    console.log(`trace event types: ${event.events.map((e) => e.type).join(",")}`);
    assert.ok(
      event.events.some((e) => e.type === "in"),
      "the ingress is traced",
    );
  });

  it("tracing - a Nats-Trace-Dest trace enters the import that allows it, and not the other", async () => {
    const inB = await as((await w.newUser(b, "sub-b")).creds);
    const inC = await as((await w.newUser(c, "sub-c")).creds);
    inB.subscribe("feed.>");
    inC.subscribe("feed.>");
    await Promise.all([inB.flush(), inC.flush()]);
    const pub = await as((await w.newUser(a, "pub2")).creds);
    const traces = pub.subscribe("my.traces", { max: 1 });
    await pub.flush();
    const h = headers();
    h.set("Nats-Trace-Dest", "my.traces");
    h.set("Nats-Trace-Only", "true");
    pub.publish("feed.x", "x", { headers: h });
    const event = await first(traces);
    const egress = event.events.filter((e) => e.type === "eg").map((e) => e.acc);
    console.log(`egress accounts: ${JSON.stringify(egress)}`);
    assert.ok(egress.includes(b.publicKey), "traced into B (allowTrace)");
    assert.ok(!egress.includes(c.publicKey), "not into C (no allowTrace)");
  });
});
