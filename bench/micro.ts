/**
 * Micro-benchmarks, in process (no CLI): signing speed (tweetnacl nkeys vs node:crypto), JWT issuance
 * through the provider handlers, and the size of the provider serialized into state. Figures only.
 *
 *   BENCH_MICRO_ACCOUNTS (200), BENCH_MICRO_USERS (2000)
 */
import * as nkeys from "@nats-io/nkeys";
import * as pulumi from "@pulumi/pulumi";
import { createKeyPair } from "../core/nkeys";
import { handler as accountHandler } from "../provider/account";
import { type AccountProps, USER_SIGNING_FIELDS, type UserProps } from "../provider/contracts";
import { providerFor, providerSource } from "../provider/kit/handler";
import { pack } from "../provider/kit/wire";
import { handler as userHandler } from "../provider/user";
import { world } from "../test/harness/identities";

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

export async function runMicro(): Promise<void> {
  process.stdout.write("\n# Micro-benchmarks (in process)\n");
  const accounts = Number(process.env.BENCH_MICRO_ACCOUNTS ?? 200);
  const users = Number(process.env.BENCH_MICRO_USERS ?? 2000);
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
  const [issued, um] = await timed(async () => {
    const out = [];
    for (let i = 0; i < users; i++) {
      out.push(await w.newUser(made[i % made.length], `u${i}`, { pub: { allow: [`app.${i}.>`] } }));
    }
    return out;
  });
  line(`users (check + create + creds)`, rate(users, um));

  // What a no-op preview asks of the provider per resource: check, then diff against the stored state.
  const [, um2] = await timed(async () => {
    for (const [i, u] of issued.entries()) {
      const { creds: _c, ...state } = u;
      // The inputs as the SDK sends them: the state plus the signer wiring (kept only in the inputs).
      const acct = made[i % made.length];
      const news = pack(
        {
          ...state,
          signerSeed: String(acct.userSignerSeed),
          accountPublicKey: acct.publicKey,
          accountSigningKeys: acct.signingKeys,
          operatorStrict: acct.operatorStrict,
        } as UserProps,
        "signing",
        USER_SIGNING_FIELDS,
      );
      await userHandler.check(state, news);
      await userHandler.diff(u.publicKey, state, news);
    }
  });
  line(`users, no-op check + diff`, rate(users, um2));
  const [, am2] = await timed(async () => {
    for (const a of made) {
      const { userSignerSeed: _s, ...state } = a;
      const news = { ...state } as AccountProps;
      await accountHandler.check(state, news);
      await accountHandler.diff(a.publicKey, state, news);
    }
  });
  line(`accounts, no-op check + diff`, rate(accounts, am2));

  for (const kind of ["keyPair", "account", "user"] as const) {
    const provider = providerFor(kind);
    const text = (await pulumi.runtime.serializeFunction(() => provider)).text;
    line(
      `__provider for ${kind}, serialized closure (until 0.1)`,
      `${text.length} bytes (stored twice per resource)`,
    );
    line(`__provider for ${kind}, stored now`, `${providerSource(kind).length} bytes`);
  }
}
