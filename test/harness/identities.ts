/**
 * Builds identities by calling the resources' provider handlers directly (check, then create), as
 * the Pulumi engine would, for integration tests that need JWTs and creds without a Pulumi run.
 */
import assert from "node:assert/strict";
import { handler as account } from "../../provider/account";
import type { Handler } from "../../provider/dynamic";
import { handler as keyPair } from "../../provider/keyPair";
import { handler as operator } from "../../provider/operator";
import { handler as signingKey } from "../../provider/signingKey";
import { handler as user } from "../../provider/user";

export type Outs = Record<string, unknown> & { publicKey: string; seed: string; jwt: string };

export async function create(h: Handler, inputs: Record<string, unknown>): Promise<Outs> {
  const check = await h.check({}, inputs);
  assert.deepEqual(check.failures ?? [], [], `check failed: ${JSON.stringify(check.failures)}`);
  return (await h.create(inputs)).outs as Outs;
}

export interface World {
  operator: Outs;
  operatorSigningKey: Outs;
  sys: Outs;
  sysUser: Outs & { creds: string };
  newAccount(name: string, claims?: Record<string, unknown>, extra?: Record<string, unknown>): Promise<Outs>;
  newUser(
    acct: Outs,
    name: string,
    claims?: Record<string, unknown>,
    signerSeed?: string,
  ): Promise<Outs & { creds: string }>;
  newSigningKey(scope?: Record<string, unknown>): Promise<Outs & { ref: unknown }>;
}

/** An operator (strict signing keys), its SYS account and `sys` user, plus factories. */
export async function world(opts: { strict?: boolean } = {}): Promise<World> {
  const operatorSigningKey = await create(signingKey, { owner: "operator" });
  const sysKey = (await keyPair.create({ kind: "account" })).outs as Outs;
  const op = await create(operator, {
    name: "test-op",
    strictSigningKeyUsage: opts.strict ?? true,
    signingKeys: [operatorSigningKey.publicKey],
    systemAccount: sysKey.publicKey,
  });
  const opRef = {
    operatorPublicKey: op.publicKey,
    operatorSigningKeys: op.signingKeys,
    operatorStrict: op.strictSigningKeyUsage,
    signerSeed: operatorSigningKey.seed,
  };
  // Strict signing keys apply to users too: every account gets a signing key its users are signed with.
  const newAccount = async (
    name: string,
    claims: Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
  ) => {
    const sk = (await create(signingKey, { owner: "account" })) as Outs & { ref: unknown };
    const signingKeys = [sk.ref, ...((claims.signingKeys as unknown[] | undefined) ?? [])];
    const outs = await create(account, { name, ...opRef, ...claims, signingKeys, ...extra });
    return { ...outs, userSignerSeed: sk.seed };
  };
  const sys = await newAccount("SYS", {}, { seed: sysKey.seed });
  const newUser = async (
    acct: Outs,
    name: string,
    claims: Record<string, unknown> = {},
    signerSeed?: string,
  ) =>
    (await create(user, {
      name,
      accountPublicKey: acct.publicKey,
      accountSigningKeys: acct.signingKeys,
      accountStrict: acct.operatorStrict,
      signerSeed: signerSeed ?? String(acct.userSignerSeed),
      ...claims,
    })) as Outs & { creds: string };
  const sysUser = await newUser(sys, "sys");
  return {
    operator: op,
    operatorSigningKey,
    sys,
    sysUser,
    newAccount,
    newUser,
    newSigningKey: async (scope?: Record<string, unknown>) =>
      (await create(signingKey, { owner: "account", scope })) as Outs & { ref: unknown },
  };
}
