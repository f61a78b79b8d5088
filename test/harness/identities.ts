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

/**
 * An account's inputs again, from its state (what the program would send: its seed, not the public
 * key it derives), with `changes`.
 */
export function accountInputs(acct: Outs, changes: Partial<AccountProps> = {}): AccountProps {
  const {
    jwt: _jwt,
    claimsHash: _hash,
    pushedHash: _pushed,
    pushedTo: _to,
    pushedServers: _servers,
    onServers: _on,
    removedUsers: _removed,
    revokedActivations: _activations,
    revocationTimes: _times,
    userSignerSeed: _signer,
    publicKey: _key,
    ...props
  } = acct;
  return { ...(props as AccountProps), ...changes };
}

/** An account of a test world (its seed held here), with the seed of the key its users are signed with. */
export type Outs = AccountState & { seed: string; userSignerSeed: string };
/** A user of a test world: its seed held here, so it has creds (which `User.creds` derives in the SDK). */
export type UserOuts = UserState & { seed: string; creds: string };

/** A user created with its seed, with its `.creds` text as `User.creds` derives it. */
export function heldUser(u: UserState): UserOuts {
  const h = held(u);
  return { ...h, creds: formatCreds(h.jwt, h.seed) };
}

/** The outputs of an identity created with its seed (not declared by public key alone). */
export function held<S extends { seed?: string }>(s: S): S & { seed: string } {
  assert.ok(typeof s.seed === "string" && s.seed, "the identity's seed is held in state");
  return s as S & { seed: string };
}

export interface World {
  operator: OperatorState & { seed: string };
  operatorSigningKey: SigningKeyState;
  sys: Outs;
  sysUser: UserOuts;
  newAccount(name: string, claims?: Partial<AccountProps>, extra?: Partial<AccountProps>): Promise<Outs>;
  newUser(
    acct: AccountState & { userSignerSeed?: string },
    name: string,
    claims?: Partial<UserProps>,
    signerSeed?: string,
  ): Promise<UserOuts>;
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
    const outs = held(await create(account, { name, ...opRef, ...claims, signingKeys, ...extra }));
    return { ...outs, userSignerSeed: sk.seed };
  };
  const sys = await newAccount("SYS", {}, { seed: sysKey.seed });
  const newUser = async (
    acct: AccountState & { userSignerSeed?: string },
    name: string,
    claims: Partial<UserProps> = {},
    signerSeed?: string,
  ): Promise<UserOuts> => {
    return heldUser(
      await create(user, {
        name,
        accountPublicKey: acct.publicKey,
        accountSigningKeys: acct.signingKeys,
        operatorStrict: acct.operatorStrict,
        signerSeed: signerSeed ?? String(acct.userSignerSeed),
        ...claims,
      }),
    );
  };
  const sysUser = await newUser(sys, "sys");
  return {
    operator: held(op),
    operatorSigningKey,
    sys,
    sysUser,
    newAccount,
    newUser,
    newSigningKey: async (scope?: SigningKeyScope) => create(signingKey, { owner: "account", scope }),
  };
}
