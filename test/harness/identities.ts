/**
 * Builds identities by calling the resources' provider handlers directly (check, then create), as
 * the Pulumi engine would, for integration tests that need JWTs and creds without a Pulumi run. Typed
 * by the same contracts the SDK classes use (provider/contracts.ts).
 */
import assert from "node:assert/strict";
import { formatCreds } from "../../core/creds";
import { handler as account } from "../../provider/account";
import type {
  AccountProps,
  AccountState,
  OperatorState,
  SigningKeyScope,
  SigningKeyState,
  UserProps,
  UserState,
} from "../../provider/contracts";
import { handler as keyPair } from "../../provider/keyPair";
import type { Handler } from "../../provider/kit/handler";
import { handler as operator } from "../../provider/operator";
import { handler as signingKey } from "../../provider/signingKey";
import { handler as user } from "../../provider/user";

/** Checks the inputs as the engine would (no failure allowed), then creates the resource. */
export async function create<P extends object, S extends P>(h: Handler<P, S>, inputs: P): Promise<S> {
  const check = await h.check({}, inputs);
  assert.deepEqual(check.failures ?? [], [], `check failed: ${JSON.stringify(check.failures)}`);
  return (await h.create(inputs)).outs;
}

/** A user of a test world, with its `.creds` text (which `User.creds` derives in the SDK). */
export type IssuedUser = UserState & { creds: string };

/** A created user with its `.creds` text, as `User.creds` derives it. */
export function withCreds(u: UserState): IssuedUser {
  return { ...u, creds: formatCreds(u.jwt, u.seed) };
}

/** An account of a test world, with the seed of the signing key its users are signed with. */
export type Outs = AccountState & { userSignerSeed: string };

export interface World {
  operator: OperatorState;
  operatorSigningKey: SigningKeyState;
  sys: Outs;
  sysUser: IssuedUser;
  newAccount(name: string, claims?: Partial<AccountProps>, extra?: Partial<AccountProps>): Promise<Outs>;
  newUser(
    acct: AccountState & { userSignerSeed?: string },
    name: string,
    claims?: Partial<UserProps>,
    signerSeed?: string,
  ): Promise<IssuedUser>;
  newSigningKey(scope?: SigningKeyScope): Promise<SigningKeyState>;
}

/** An operator (strict signing keys), its SYS account and `sys` user, plus factories. */
export async function world(opts: { strict?: boolean } = {}): Promise<World> {
  const operatorSigningKey = await create(signingKey, { owner: "operator" });
  const sysKey = (await keyPair.create({ kind: "account" })).outs;
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
    claims: Partial<AccountProps> = {},
    extra: Partial<AccountProps> = {},
  ) => {
    const sk = await create(signingKey, { owner: "account" });
    const signingKeys = [sk.ref, ...(claims.signingKeys ?? [])];
    const outs = await create(account, { name, ...opRef, ...claims, signingKeys, ...extra });
    return { ...outs, userSignerSeed: sk.seed };
  };
  const sys = await newAccount("SYS", {}, { seed: sysKey.seed });
  const newUser = async (
    acct: AccountState & { userSignerSeed?: string },
    name: string,
    claims: Partial<UserProps> = {},
    signerSeed?: string,
  ): Promise<IssuedUser> => {
    const outs = await create(user, {
      name,
      accountPublicKey: acct.publicKey,
      accountSigningKeys: acct.signingKeys,
      operatorStrict: acct.operatorStrict,
      signerSeed: signerSeed ?? String(acct.userSignerSeed),
      ...claims,
    });
    return withCreds(outs);
  };
  const sysUser = await newUser(sys, "sys");
  return {
    operator: op,
    operatorSigningKey,
    sys,
    sysUser,
    newAccount,
    newUser,
    newSigningKey: async (scope?: SigningKeyScope) => create(signingKey, { owner: "account", scope }),
  };
}
