/**
 * Waiting for resolver servers that are still starting. A program that also starts the servers (a
 * container or VM resource depending on the ServerConfig) reaches an Account's push while they may
 * not listen yet; with `resolver.waitMs` the push retries until every listed server answers, within
 * that bound, and a give-up says how long it waited, how often it tried and what each server said.
 */
import { describe, ResolverError } from "../../core/errors";
import {
  type ResolverConnection,
  type ServerIdentity,
  sameServer,
  serverLabel,
} from "../../io/resolverClient";
import { ResolverFleet } from "../../io/resolverFleet";

/** What to wait for besides the listed URLs, and where progress lines go. */
export interface WaitOptions {
  /** Servers expected to answer the ping too (those an earlier push reached). */
  remembered?: ServerIdentity[];
  /** Receives a line after each attempt that still waits: who answered, who is awaited. */
  log?: (line: string) => void;
  /** Names what waits, for the progress lines ("push of account APP"). */
  what?: string;
}

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 2_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Opens the fleet once every listed server answers, trying again for up to `waitMs`. With `waitMs`
 * 0 it is one attempt. When time runs out while some servers answer, the fleet is returned and the
 * push reports the others; when none answers, the error carries the progress.
 */
export async function openWhenAnswering(
  conn: ResolverConnection,
  waitMs: number,
  opts: WaitOptions = {},
): Promise<ResolverFleet> {
  const remembered = opts.remembered ?? [];
  const started = Date.now();
  const deadline = started + waitMs;
  let delay = FIRST_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    let fleet: ResolverFleet | undefined;
    let last: string;
    try {
      fleet = await ResolverFleet.open(conn, remembered);
      const reached = fleet.reached;
      const absent = remembered.filter((s) => !reached.some((r) => sameServer(r, s)));
      if (fleet.unreachable.length === 0 && (absent.length === 0 || waitMs <= 0)) return fleet;
      last = [
        ...fleet.unreachable.map((u) => `${u.url}: ${u.reason}`),
        ...absent.map((s) => `${serverLabel(s)}: did not answer the ping`),
      ].join("; ");
      if (opts.log && waitMs > 0) {
        opts.log(
          `${opts.what ?? "resolver"}: waiting for servers (${Math.round((Date.now() - started) / 100) / 10} s of ` +
            `${waitMs / 1000} s, resolver.waitMs): answered ${fleet.reached.map(serverLabel).join(", ") || "none"}; ` +
            `awaited ${last}`,
        );
      }
    } catch (e) {
      if (waitMs <= 0) throw e;
      last = describe(e);
      opts.log?.(`${opts.what ?? "resolver"}: waiting for servers: none answered yet (${last})`);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      if (fleet) return fleet;
      const waited = Math.round((Date.now() - started) / 100) / 10;
      throw new ResolverError(
        `no resolver server answered within resolver.waitMs (${waitMs} ms): ${attempt} attempts over ` +
          `${waited} s, last: ${last}; check that the servers are starting, or raise resolver.waitMs`,
      );
    }
    await sleep(Math.min(delay, remaining));
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
}
