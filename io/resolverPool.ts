/**
 * Process-wide pool of resolver connections: one per (servers, creds hash, timeout), shared by every
 * resource of a `pulumi up`, so concurrent pushes of many accounts share one connection.
 */
import { createHash } from "node:crypto";
import {
  DEFAULT_TIMEOUT_MS,
  ResolverClient,
  type ResolverConnection,
  resolverUsage as usage,
} from "./resolverClient";

/** A pooled connection idle this long is closed. */
const POOL_IDLE_MS = 30_000;

interface PoolEntry {
  promise: Promise<ResolverClient>;
  client?: ResolverClient;
  timer?: NodeJS.Timeout;
}

const pool = new Map<string, PoolEntry>();

/**
 * The last creds hashed and their hash: every push looks its connections up here (one per listed
 * URL), always with the same creds, and hashing them each time was about 5 % of a push's client CPU.
 * Kept only while some connection (which holds the creds anyway) is pooled.
 */
let lastCreds: { creds: string; hash: string } | undefined;

function credsHash(creds: string): string {
  if (lastCreds?.creds !== creds) {
    lastCreds = { creds, hash: createHash("sha256").update(creds).digest("hex") };
  }
  return lastCreds.hash;
}

function poolKey(conn: ResolverConnection): string {
  const creds = credsHash(conn.creds);
  // TLS settings may hold a private key: only their hash goes into the key.
  const tls = conn.tls ? createHash("sha256").update(JSON.stringify(conn.tls)).digest("hex") : "";
  return JSON.stringify([[...conn.servers].sort(), creds, conn.timeoutMs ?? DEFAULT_TIMEOUT_MS, tls]);
}

function forget(key: string): void {
  const entry = pool.get(key);
  if (!entry) return;
  clearTimeout(entry.timer);
  pool.delete(key);
  if (pool.size === 0) lastCreds = undefined;
}

function scheduleIdleClose(key: string, entry: PoolEntry, delayMs: number): void {
  clearTimeout(entry.timer);
  entry.timer = setTimeout(() => {
    const client = entry.client;
    const u = client && usage.get(client);
    if (!client || !u || pool.get(key) !== entry) return;
    const idleFor = Date.now() - u.lastUsed;
    if (u.active > 0 || idleFor < POOL_IDLE_MS) {
      scheduleIdleClose(key, entry, Math.max(POOL_IDLE_MS - idleFor, 1000));
      return;
    }
    forget(key);
    void client.close().catch(() => undefined);
  }, delayMs);
  // The pool must never be the reason a process stays up.
  entry.timer.unref();
}

/**
 * Process-wide pool: one connection per (servers, creds hash, timeout), shared by every resource of a
 * `pulumi up`, so concurrent pushes of many accounts share one connection. A connection idle for 30 s
 * is closed; the idle timer is unref'd. The open socket itself still keeps a plain script alive until
 * then: call `closeAllResolvers()` when done. Callers must not `close()` a shared client.
 */
export function sharedResolver(conn: ResolverConnection): Promise<ResolverClient> {
  const key = poolKey(conn);
  const existing = pool.get(key);
  if (existing) {
    if (existing.client) {
      usage.get(existing.client)!.lastUsed = Date.now();
      scheduleIdleClose(key, existing, POOL_IDLE_MS);
    }
    return existing.promise;
  }
  const entry: PoolEntry = {
    promise: ResolverClient.connect(conn).then(
      (client) => {
        entry.client = client;
        client.onClosed(() => {
          if (pool.get(key) === entry) forget(key);
        });
        scheduleIdleClose(key, entry, POOL_IDLE_MS);
        return client;
      },
      (err: unknown) => {
        // A failed connection is not cached: the next resource retries.
        if (pool.get(key) === entry) forget(key);
        throw err;
      },
    ),
  };
  pool.set(key, entry);
  return entry.promise;
}

/** Closes every pooled connection (end of a run, tests). */
export async function closeAllResolvers(): Promise<void> {
  const entries = [...pool.entries()];
  for (const [key] of entries) forget(key);
  await Promise.all(
    entries.map(async ([, entry]) => {
      try {
        await (await entry.promise).close();
      } catch {
        // A connection that never opened has nothing to close.
      }
    }),
  );
}
