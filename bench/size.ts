/** The benchmark's size, shared by the driver and the two programs (read from the environment). */
export interface BenchSize {
  accounts: number;
  users: number;
}

function count(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name} must be a whole number of at least 1, got ${raw}`);
  return n;
}

/** BENCH_ACCOUNTS accounts (default 100) × BENCH_USERS users each (default 10). */
export function benchSize(): BenchSize {
  return { accounts: count("BENCH_ACCOUNTS", 100), users: count("BENCH_USERS", 10) };
}

/** The connection limit of account 0; BENCH_CHANGE=1 changes it (the "one account limit changed" step). */
export function firstAccountConn(env: Record<string, string | undefined> = process.env): number {
  return env.BENCH_CHANGE === "1" ? 200 : 100;
}

/**
 * Resources either program declares: stack, default provider, the operator component and its 7
 * children, and per account a key pair, a signing key, the account and its users (1,310 at 100 × 10).
 */
export function resourceCount(size: BenchSize): number {
  return 2 + 8 + size.accounts * (3 + size.users);
}
