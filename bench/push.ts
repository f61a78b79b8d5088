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
import { closeAllResolvers, sharedResolver } from "../io/resolverPool";
import type { AccountProps } from "../provider/contracts";
import { lookupAccount, pushAccount } from "../provider/kit/accountResolver";
import { startCluster } from "../test/harness/natsServer";
import { toolPath } from "../test/harness/paths";
import { type LoadSample, loadText, watchLoad } from "./machine";
import { descendantsCpuMs } from "./processes";

export interface PushResults {
  accounts: number;
  /** One after another; `concurrentMs`: PULUMI_PARALLEL at a time; `allMs`: all at once. */
  ours: { ms: number; load: LoadSample; concurrentMs: number; concurrentLoad: LoadSample; allMs: number };
  nsc: { ms: number; load: LoadSample; heldPerServer: number[]; error?: string };
  lookups: { count: number; ms: number; load: LoadSample; concurrentMs: number; heldEverywhere: number };
}

/** The servers' and the client's CPU during a push (the servers' is what bounds it on this machine). */
function cpuText(c: { serversMs: number; clientMs: number }): string {
  return `[cpu: 3 servers ${(c.serversMs / 1000).toFixed(2)} s, this client ${(c.clientMs / 1000).toFixed(2)} s]`;
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

export async function runPush(accounts: number, lookups: number): Promise<PushResults> {
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
    // `report` says what the push took; `then` runs on the same cluster after it (the lookups). The
    // cluster stops either way.
    const pushOnFresh = async <T>(
      limit: number,
      report: (ms: number) => string,
      then?: (p: AccountProps) => Promise<T>,
    ) => {
      await using cluster = await startCluster(3, { body: store.config });
      const p = props(cluster.urls);
      await sharedResolver({ servers: [cluster.urls[0]], creds: store.creds }); // connect outside the timing
      try {
        // CPU of the servers and of this process (the client) during the push: which one bounds it.
        const servers0 = descendantsCpuMs(process.pid, "nats-server");
        const client0 = process.cpuUsage();
        const run = await timed(() => pool(store.jwts, limit, (jwt, i) => pushAccount(`A${i}`, p, jwt)));
        const client = process.cpuUsage(client0);
        const cpu = {
          serversMs: descendantsCpuMs(process.pid, "nats-server") - servers0,
          clientMs: (client.user + client.system) / 1000,
        };
        w.write(`${report(run.ms)}  ${cpuText(cpu)}  ${loadText(run.load)}\n`);
        return { run, after: then ? await then(p) : undefined };
      } finally {
        await closeAllResolvers();
      }
    };

    // Refresh with a resolver: each account's read looks it up on every server and checks trust.
    const lookAll = async (p: AccountProps): Promise<PushResults["lookups"]> => {
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

    const seq = await pushOnFresh(
      1,
      (ms) =>
        `  pulumi-nats-auth push, one after another: ${(ms / 1000).toFixed(2)} s (${(ms / accounts).toFixed(1)} ms each, 3/3 servers confirmed each)`,
    );
    const eight = await pushOnFresh(
      PULUMI_PARALLEL,
      (ms) =>
        `  pulumi-nats-auth push, ${PULUMI_PARALLEL} at a time (pulumi's default --parallel here): ${(ms / 1000).toFixed(2)} s`,
    );
    const all = await pushOnFresh(
      accounts,
      (ms) => `  pulumi-nats-auth push, all ${accounts} at once: ${(ms / 1000).toFixed(2)} s`,
      lookAll,
    );
    const ours: PushResults["ours"] = {
      ms: seq.run.ms,
      load: seq.run.load,
      concurrentMs: eight.run.ms,
      concurrentLoad: eight.run.load,
      allMs: all.run.ms,
    };
    const lookup = all.after!;

    // nsc push -A, as its users run it, to a fresh cluster; then count what each server holds.
    let nsc: PushResults["nsc"];
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
    w.write(
      `  ratio nsc push -A / pulumi-nats-auth, measured: ${(nsc.ms / ours.ms).toFixed(1)}× one after another, ` +
        `${(nsc.ms / ours.concurrentMs).toFixed(1)}× ${PULUMI_PARALLEL} at a time, ${(nsc.ms / ours.allMs).toFixed(1)}× all at once` +
        (delivered < accounts
          ? `; nsc delivered ${delivered}/${accounts}, so for all ${accounts} it would take ~${(nscAll / 1000).toFixed(0)} s: ` +
            `${(nscAll / ours.ms).toFixed(0)}× / ${(nscAll / ours.concurrentMs).toFixed(0)}× / ${(nscAll / ours.allMs).toFixed(0)}× (extrapolated)`
          : "") +
        "\n",
    );
    return { accounts, ours, nsc, lookups: lookup };
  } finally {
    store.dispose();
  }
}
