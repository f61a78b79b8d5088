/**
 * `npm run bench`: prints figures, asserts nothing. Signing speed (tweetnacl nkeys vs node:crypto),
 * JWT issuance through the provider handlers at hundreds of accounts and thousands of users, push
 * latency to a local full-resolver server, and the size of the provider serialized into state.
 *
 *   BENCH_ACCOUNTS (200), BENCH_USERS (2000), BENCH_PUSHES (200)
 */
import * as nkeys from "@nats-io/nkeys";
import * as pulumi from "@pulumi/pulumi";
import { createKeyPair } from "../core/nkeys";
import { renderServerConfig } from "../core/serverConfig";
import { closeAllResolvers, sharedResolver } from "../io/resolverPool";
import { providerFor } from "../provider/kit/handler";
import { world } from "../test/harness/identities";
import { NatsServer } from "../test/harness/natsServer";

const line = (label: string, value: string): void => {
  process.stdout.write(`${label.padEnd(52)} ${value}\n`);
};

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const out = await fn();
  return [out, Number(process.hrtime.bigint() - start) / 1e6];
}

function rate(n: number, ms: number): string {
  return `${n} in ${ms.toFixed(0)} ms = ${((n * 1000) / ms).toFixed(0)}/s`;
}

async function main(): Promise<void> {
  const accounts = Number(process.env.BENCH_ACCOUNTS ?? 200);
  const users = Number(process.env.BENCH_USERS ?? 2000);
  const pushes = Number(process.env.BENCH_PUSHES ?? 200);
  const data = new TextEncoder().encode("x".repeat(400));

  const ours = createKeyPair("account");
  const theirs = nkeys.fromSeed(ours.getSeed());
  const [, nk] = await timed(async () => {
    for (let i = 0; i < 200; i++) theirs.sign(data);
  });
  line("sign 400 B, @nats-io/nkeys (tweetnacl)", rate(200, nk));
  const [, nc] = await timed(async () => {
    for (let i = 0; i < 20_000; i++) ours.sign(data);
  });
  line("sign 400 B, node:crypto Ed25519", rate(20_000, nc));

  const w = await world({ strict: true });
  const [made, am] = await timed(async () => {
    const out = [];
    for (let i = 0; i < accounts; i++) out.push(await w.newAccount(`A${i}`, { limits: { conn: 10 } }));
    return out;
  });
  line(`accounts (check + create, each with a signing key)`, rate(accounts, am));
  const [, um] = await timed(async () => {
    for (let i = 0; i < users; i++) {
      await w.newUser(made[i % made.length], `u${i}`, { pub: { allow: [`app.${i}.>`] } });
    }
  });
  line(`users (check + create + creds)`, rate(users, um));

  const server = await NatsServer.start({
    body: renderServerConfig({
      operator: w.operator.jwt,
      systemAccount: w.sys.publicKey,
      resolver: { type: "full", dir: "jwt", allowDelete: true },
      preload: { [w.sys.publicKey]: w.sys.jwt },
    }),
  });
  try {
    const client = await sharedResolver({ servers: [server.url], creds: w.sysUser.creds });
    const n = Math.min(pushes, made.length);
    const [, seq] = await timed(async () => {
      for (let i = 0; i < n; i++) await client.push(made[i].jwt);
    });
    line("push, sequential, 1 server", `${rate(n, seq)} (${(seq / n).toFixed(2)} ms each)`);
    const [results, par] = await timed(() => Promise.all(made.slice(0, n).map((a) => client.push(a.jwt))));
    const ok = results.filter((r) => r.accepted === 1).length;
    line("push, concurrent on one pooled connection", `${rate(n, par)} (${ok}/${n} accepted)`);
  } finally {
    await closeAllResolvers();
    await server[Symbol.asyncDispose]();
  }

  for (const kind of ["keyPair", "account", "user"] as const) {
    const provider = providerFor(kind);
    const text = (await pulumi.runtime.serializeFunction(() => provider)).text;
    line(`serialized provider (__provider) for ${kind}`, `${text.length} bytes (written twice per resource)`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench failed: ${(e as Error).stack}\n`);
    process.exit(1);
  },
);
