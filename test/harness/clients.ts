/** NATS clients for tests: connect with creds, watch for disconnects, prove a connection works. */
import assert from "node:assert/strict";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";

/** Connects with a `.creds` text, without reconnecting: a dropped connection stays closed. */
export function connectAs(url: string, creds: string): Promise<NatsConnection> {
  return connect({
    servers: url,
    authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
    reconnect: false,
  });
}

/** Connects with the creds, flushes and closes; throws when the server refuses them. */
export async function connectOnce(url: string, creds: string): Promise<void> {
  const nc = await connect({
    servers: url,
    authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
    reconnect: false,
    timeout: 3000,
  });
  await nc.flush();
  await nc.close();
}

/** "admitted" when the server accepts the creds (connect and a flush), else "refused: <why>". */
export async function admission(url: string, creds: string): Promise<string> {
  try {
    await connectOnce(url, creds);
    return "admitted";
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  }
}

/** A connection and every status event it saw (a "disconnect" means it was dropped). */
export interface WatchedClient {
  nc: NatsConnection;
  events: string[];
}

export async function watched(url: string, creds: string): Promise<WatchedClient> {
  const nc = await connectAs(url, creds);
  const events: string[] = [];
  void (async () => {
    for await (const s of nc.status()) events.push(s.type);
  })();
  return { nc, events };
}

/** Asserts the client was never dropped and still carries messages. */
export async function assertUndisturbed(c: WatchedClient, label: string): Promise<void> {
  assert.equal(c.nc.isClosed(), false, `${label}: still connected`);
  assert.deepEqual(
    c.events.filter((e) => e === "disconnect" || e === "error"),
    [],
    `${label}: never dropped`,
  );
  await roundTrip(c.nc, `check.${label.replace(/[^a-z0-9]/gi, "_")}`);
}

/** Resolves with the close reason once the server drops the connection; fails after `ms`. */
export async function droppedWithin(nc: NatsConnection, ms: number): Promise<string> {
  const closed = nc.closed().then((err) => (err ? String(err) : "closed"));
  const timeout = new Promise<string>((_, reject) =>
    setTimeout(() => reject(new Error(`connection still open after ${ms} ms`)), ms),
  );
  return Promise.race([closed, timeout]);
}

/** Publishes to `subject` and receives it back on the same connection. */
export async function roundTrip(nc: NatsConnection, subject: string): Promise<void> {
  const sub = nc.subscribe(subject, { max: 1 });
  nc.publish(subject, "x");
  for await (const m of sub) assert.equal(m.string(), "x");
}

/**
 * Requests `subject` until it is answered: interest crosses routes and leaf connections
 * asynchronously (and a leaf retries its remote), so the first requests may find no responders or
 * lose the reply. Throws the last error after `ms`.
 */
export async function requestUntilAnswered(
  nc: NatsConnection,
  subject: string,
  ms = 15_000,
): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return (await nc.request(subject, "hi", { timeout: 1000 })).string();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
