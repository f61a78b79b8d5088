/**
 * Push and lookup on a real 3-server cluster with a full resolver. The accounts are made by the real
 * nsc (an operator with SYS and a signing key, then `nsc add account` N times); the same JWTs are
 * pushed by this package's push path (provider/kit/accountResolver pushAccount: validation, trust
 * check, one request per cluster, every server's own confirmation required) and by `nsc push -A`, each
 * to a fresh cluster, and what every server then holds is counted with $SYS.REQ.CLAIMS.LIST.
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { ResolverFleet } from "../io/resolverFleet";
import { closeAllResolvers, sharedResolver } from "../io/resolverPool";
import type { AccountProps } from "../provider/contracts";
import { lookupAccount, pushAccount } from "../provider/kit/accountResolver";
import { startCluster } from "../test/harness/natsServer";
import { toolPath } from "../test/harness/paths";
import { type LoadSample, loadText, watchLoad } from "./machine";
import { descendantsCpuMs } from "./processes";

/** One push of every account, and what the machine did meanwhile. */
export interface PushWindow {
  ms: number;
  load: LoadSample;
  /** CPU ms of the 3 nats-server processes over exactly this window (from /proc; 10 ms ticks each). */
  serversMs: number;
  /** CPU ms of this process (the client) over the same window. */
  clientMs: number;
}

/** One way of pushing: the package's push, and the bare store of the same JWTs at the same concurrency. */
export interface PushMode {
  /** How many pushes are in flight at once. */
  limit: number;
  label: string;
  /** Whether this is the most `pulumi up` has in flight (the engine's default `--parallel`). */
  up: boolean;
  /** provider/kit/accountResolver `pushAccount`: validation, trust check, `iat` check, push, every server's confirmation. */
  ours: PushWindow;
  /** `$SYS.REQ.CLAIMS.UPDATE` alone, 3 replies awaited each: the servers' own work for storing the JWTs. */
  bare: PushWindow;
  /** Every run (BENCH_PUSH_REPEAT); `ours` and `bare` are the run with the median goal ratio. */
  runs: { ours: PushWindow; bare: PushWindow }[];
}

/** The goal's ratio of one run: the push's wall time over the servers' CPU in the same window. */
function goalRatio(run: { ours: PushWindow }): number {
  return run.ours.ms / Math.max(run.ours.serversMs, 1);
}

export interface PushResults {
  accounts: number;
  modes: PushMode[];
  /** Absent when BENCH_PUSH_NSC=false. */
  nsc?: { ms: number; load: LoadSample; heldPerServer: number[]; error?: string };
  lookups: { count: number; ms: number; load: LoadSample; concurrentMs: number; heldEverywhere: number };
}

/** The servers' and the client's CPU during a push (the servers' is what bounds it on this machine). */
function cpuText(c: { serversMs: number; clientMs: number }): string {
  return `[cpu: 3 servers ${(c.serversMs / 1000).toFixed(2)} s, this client ${(c.clientMs / 1000).toFixed(2)} s]`;
}

/** The goal's ratio (issue 26): wall time over the servers' CPU time for storing the accounts. */
export function wallOverServers(wallMs: number, serversMs: number): string {
  return serversMs > 0 ? `${(wallMs / serversMs).toFixed(2)}×` : "n/a (no server CPU tick seen)";
}

/** Pulumi's default `--parallel` on this machine (`pulumi up --help`: 4 per core, 8 here). */
const PULUMI_PARALLEL = 8;

/** An nsc store in a temp dir: operator BENCH (SYS, signing key) and `n` accounts. */
function nscStore(n: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-bench-nsc-"));
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(dir, "config"),
    XDG_DATA_HOME: path.join(dir, "data"),
    NKEYS_PATH: path.join(dir, "nkeys"),
  };
  const nsc = (...args: string[]) =>
    execFileSync(toolPath("nsc"), args, { env, encoding: "utf8", stdio: "pipe", cwd: dir });
  nsc("add", "operator", "--name", "BENCH", "--sys", "--generate-signing-key");
  for (let i = 0; i < n; i++) nsc("add", "account", "--name", `A${i}`);
  const conf = path.join(dir, "resolver.conf");
  nsc("generate", "config", "--nats-resolver", "--config-file", conf);
  const store = path.join(dir, "data", "nats", "nsc", "stores", "BENCH");
  const read = (...p: string[]) => fs.readFileSync(path.join(store, ...p), "utf8").trim();
  const operatorJwt = read("BENCH.jwt");
  const operator = JSON.parse(Buffer.from(operatorJwt.split(".")[1], "base64url").toString()) as {
    sub: string;
    nats: { signing_keys?: string[] };
  };
  return {
    dir,
    env,
    config: fs.readFileSync(conf, "utf8"),
    creds: fs.readFileSync(path.join(dir, "nkeys", "creds", "BENCH", "SYS", "sys.creds"), "utf8"),
    jwts: Array.from({ length: n }, (_, i) => read("accounts", `A${i}`, `A${i}.jwt`)),
    operator: { publicKey: operator.sub, signingKeys: operator.nats.signing_keys ?? [] },
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

const subOf = (jwt: string): string =>
  (JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString()) as { sub: string }).sub;

async function timed<T>(fn: () => Promise<T>): Promise<{ out: T; ms: number; load: LoadSample }> {
  const end = watchLoad();
  const start = process.hrtime.bigint();
  const out = await fn();
  return { out, ms: Number(process.hrtime.bigint() - start) / 1e6, load: end() };
}

/** Runs `fn` over `items`, at most `limit` at a time (as the engine runs resource operations). */
async function pool<T, R>(items: T[], limit: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

export async function runPush(accounts: number, lookups: number, repeat = 3): Promise<PushResults> {
  const w = process.stdout;
  w.write(`\n# Push: ${accounts} accounts (made by nsc) to a 3-server cluster, full resolver\n`);
  const store = nscStore(accounts);
  try {
    const props = (urls: string[]) =>
      ({
        operatorPublicKey: store.operator.publicKey,
        operatorSigningKeys: store.operator.signingKeys,
        operatorStrict: false,
        resolver: { servers: urls, creds: store.creds, expectedServers: 3 },
      }) as unknown as AccountProps;

    // This package: every push needs all 3 servers' own confirmation (expectedServers 3), or it throws.
    // Each way of pushing gets a fresh cluster: a server that already holds a JWT does not write it
    // again, so pushing the same accounts twice to one cluster would flatter the second figure.
    // `push` runs inside the measured window; `then` runs on the same cluster after it (the lookups).
    // The cluster stops either way.
    const onFresh = async <T>(
      push: (urls: string[]) => Promise<unknown>,
      then?: (urls: string[]) => Promise<T>,
    ): Promise<{ window: PushWindow; after?: T }> => {
      await using cluster = await startCluster(3, { body: store.config });
      try {
        // Connected, counted and trusted outside the window: a `pulumi up` opens its pooled connections
        // once for all its resources, so the window holds the pushes alone.
        await ResolverFleet.open({ servers: cluster.urls, creds: store.creds }).then((f) => f.trust());
        // CPU of the servers and of this process (the client) over the push window only, from /proc.
        const servers0 = descendantsCpuMs(process.pid, "nats-server");
        const client0 = process.cpuUsage();
        const run = await timed(() => push(cluster.urls));
        const client = process.cpuUsage(client0);
        const serversMs = descendantsCpuMs(process.pid, "nats-server") - servers0;
        // The servers are this run's own processes, but still running (not yet waited for), so
        // watchLoad counted their CPU as the rest of the machine's: moved back to this run's share.
        const serverCores = serversMs / run.ms;
        const load: LoadSample = {
          ...run.load,
          ownCores: run.load.ownCores + serverCores,
          otherCores: Math.max(0, run.load.otherCores - serverCores),
        };
        const window: PushWindow = {
          ms: run.ms,
          load,
          serversMs,
          clientMs: (client.user + client.system) / 1000,
        };
        return { window, after: then ? await then(cluster.urls) : undefined };
      } finally {
        await closeAllResolvers();
      }
    };

    // The package's push, as the Account handler calls it.
    const ours = (limit: number) => (urls: string[]) =>
      pool(store.jwts, limit, (jwt, i) => pushAccount(`A${i}`, props(urls), jwt));
    // The servers' own work for storing the JWTs: the UPDATE alone on one pooled connection, each
    // awaited until all 3 servers said "jwt updated"; nothing checked before, nothing looked up.
    const bare = (limit: number) => async (urls: string[]) => {
      const client = await sharedResolver({ servers: [urls[0]], creds: store.creds });
      const short = await pool(store.jwts, limit, async (jwt) => (await client.push(jwt)).accepted < 3);
      // Said, not retried (a retry would add to the figure): on a loaded machine a server count taken
      // while one server is slow to answer the ping can end a request at 2 replies.
      const n = short.filter(Boolean).length;
      if (n) w.write(`    (bare store: ${n} of ${accounts} confirmed by fewer than 3 servers)\n`);
    };

    // Refresh with a resolver: each account's read looks it up on every server and checks trust.
    const lookAll = async (urls: string[]): Promise<PushResults["lookups"]> => {
      const p = props(urls);
      const n = Math.min(lookups, accounts);
      const look = (jwt: string) =>
        lookupAccount(p.resolver!, { ...p, publicKey: subOf(jwt), jwt } as AccountProps);
      const lseq = await timed(async () => {
        let held = 0;
        for (const jwt of store.jwts.slice(0, n)) if ((await look(jwt)).pushedTo === 3) held++;
        return held;
      });
      const lpar = await timed(() => pool(store.jwts.slice(0, n), 16, look));
      w.write(
        `  lookups of ${n} accounts (refresh with resolver): ${(lseq.ms / 1000).toFixed(2)} s one after another, ` +
          `${(lpar.ms / 1000).toFixed(2)} s 16 at a time; held on 3/3 servers: ${lseq.out}/${n}  ${loadText(lseq.load)}\n`,
      );
      return { count: n, ms: lseq.ms, load: lseq.load, concurrentMs: lpar.ms, heldEverywhere: lseq.out };
    };

    // `pulumi up` runs at most --parallel resource operations at once (default 8 here), and the
    // provider (one process for the whole run) sends each Account's push on the same pooled
    // connections: so an up of 200 accounts has at most PULUMI_PARALLEL pushes in flight. Fewer in
    // practice: the engine completes a resource every ~0.15 s here (RESULTS.md), a push takes a few ms.
    const kinds = [
      { limit: 1, label: "one after another", up: false },
      { limit: PULUMI_PARALLEL, label: `${PULUMI_PARALLEL} at a time`, up: true },
      { limit: accounts, label: `all ${accounts} at once`, up: false },
    ];
    const modes: PushMode[] = [];
    let lookup: PushResults["lookups"] | undefined;
    for (const k of kinds) {
      const last = k === kinds[kinds.length - 1];
      const runs: PushMode["runs"] = [];
      for (let r = 0; r < repeat; r++) {
        const o = await onFresh(ours(k.limit), last && r === 0 ? lookAll : undefined);
        const b = await onFresh(bare(k.limit));
        if (o.after) lookup = o.after;
        runs.push({ ours: o.window, bare: b.window });
        w.write(
          `  pulumi-nats-auth push, ${k.label}${k.up ? " (the most pulumi up has in flight: its default --parallel)" : ""}, run ${r + 1}/${repeat}: ` +
            `${(o.window.ms / 1000).toFixed(2)} s (${(o.window.ms / accounts).toFixed(1)} ms each, 3/3 servers confirmed each)  ` +
            `${cpuText(o.window)}  ${loadText(o.window.load)}\n` +
            `    bare store, same JWTs, ${k.label} (UPDATE alone, 3 replies each): ${(b.window.ms / 1000).toFixed(2)} s  ` +
            `${cpuText(b.window)}  ${loadText(b.window.load)}\n` +
            `    wall / servers' CPU: ${wallOverServers(o.window.ms, o.window.serversMs)} (servers' CPU of this push window), ` +
            `${wallOverServers(o.window.ms, b.window.serversMs)} (servers' CPU of the bare store); ` +
            `bare store itself ${wallOverServers(b.window.ms, b.window.serversMs)}\n`,
        );
      }
      // The run whose goal ratio is the median stands for the mode (one run's second is noisy here).
      const byRatio = [...runs].sort((x, y) => goalRatio(x) - goalRatio(y));
      const median = byRatio[Math.floor((byRatio.length - 1) / 2)];
      const mode: PushMode = { ...k, runs, ...median };
      modes.push(mode);
      w.write(
        `  => ${k.label}: goal ratio wall / servers' CPU, median of ${repeat}: ${wallOverServers(mode.ours.ms, mode.ours.serversMs)} ` +
          `(runs ${runs.map((x) => wallOverServers(x.ours.ms, x.ours.serversMs)).join(", ")}; against the bare store's CPU ` +
          `${runs.map((x) => wallOverServers(x.ours.ms, x.bare.serversMs)).join(", ")}); goal ≤ 1.5×\n`,
      );
    }
    const at = (limit: number) => modes.find((m) => m.limit === limit)!.ours;

    // nsc push -A, as its users run it, to a fresh cluster; then count what each server holds.
    // BENCH_PUSH_NSC=false leaves it out (it takes ~2 minutes, waiting out its timeouts).
    if (process.env.BENCH_PUSH_NSC === "false") return { accounts, modes, lookups: lookup! };
    let nsc: NonNullable<PushResults["nsc"]>;
    {
      await using cluster = await startCluster(3, { body: store.config });
      const run = await timed(async () => {
        try {
          await promisify(execFile)(toolPath("nsc"), ["push", "-A", "-u", cluster.urls[0]], {
            env: store.env,
            cwd: store.dir,
            maxBuffer: 64 << 20,
          });
          return undefined;
        } catch (e) {
          const err = e as { stderr?: string; message: string };
          const lines = (err.stderr ?? err.message).trim().split("\n");
          return (
            lines
              .filter((l) => /error|fail|expired/i.test(l))
              .slice(-2)
              .join(" | ") || lines.slice(-1)[0]
          );
        }
      });
      const client = await sharedResolver({ servers: [cluster.urls[0]], creds: store.creds });
      const wanted = new Set(store.jwts.map(subOf));
      const lists = await client.list();
      const heldPerServer = lists.map((l) => l.accounts.filter((a) => wanted.has(a)).length);
      await closeAllResolvers();
      w.write(
        `  nsc push -A: ${(run.ms / 1000).toFixed(2)} s, servers hold ${heldPerServer.join("/")} of ${accounts}` +
          `${run.out ? `; nsc failed: ${run.out}` : ""}  ${loadText(run.load)}\n`,
      );
      nsc = { ms: run.ms, load: run.load, heldPerServer, error: run.out };
    }
    // nsc spends its 1 s reply timeout per account; when it fails part way, its time for all of them
    // is extrapolated from the accounts every server got (printed as such, never as a measurement).
    const delivered = Math.min(...nsc.heldPerServer, accounts);
    const nscAll = delivered > 0 ? (nsc.ms / delivered) * accounts : Number.NaN;
    const [seq, par, all] = [at(1), at(PULUMI_PARALLEL), at(accounts)];
    w.write(
      `  ratio nsc push -A / pulumi-nats-auth, measured: ${(nsc.ms / seq.ms).toFixed(1)}× one after another, ` +
        `${(nsc.ms / par.ms).toFixed(1)}× ${PULUMI_PARALLEL} at a time, ${(nsc.ms / all.ms).toFixed(1)}× all at once` +
        (delivered < accounts
          ? `; nsc delivered ${delivered}/${accounts}, so for all ${accounts} it would take ~${(nscAll / 1000).toFixed(0)} s: ` +
            `${(nscAll / seq.ms).toFixed(0)}× / ${(nscAll / par.ms).toFixed(0)}× / ${(nscAll / all.ms).toFixed(0)}× (extrapolated)`
          : "") +
        "\n",
    );
    return { accounts, modes, nsc, lookups: lookup! };
  } finally {
    store.dispose();
  }
}
