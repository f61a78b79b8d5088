/**
 * The packed signer wiring (provider/kit/wire.ts) and the outputs the SDK derives instead of
 * registering: what the SDK sends, what the handlers store, and that state written flat by earlier
 * releases reads the same. The SDK side runs under Pulumi mocks whose newResource is the real handler.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { decodeJwt } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import { claimsHash } from "../../core/normalize";
import { handler as account } from "../../provider/account";
import {
  ACCOUNT_SIGNING_FIELDS,
  type AccountProps,
  USER_SIGNING_FIELDS,
  type UserProps,
} from "../../provider/contracts";
import { pack, unpack } from "../../provider/kit/wire";
import { handler as user } from "../../provider/user";
import * as sdk from "../../sdk";

/** Pulumi's marker of a secret value in serialized properties. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** The props as the dynamic provider hands them to a handler: secrets unwrapped at every depth. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o["4dabf18193072939515e22adb298388d"] === SECRET_SIG) return plain(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

describe("wire", () => {
  const registered = new Map<string, Record<string, unknown>>();

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        async newResource(args) {
          registered.set(args.name, args.inputs);
          const kind = args.type.split(":").pop();
          const h = kind === "User" ? user : kind === "Account" ? account : undefined;
          if (!h) return { id: `${args.name}-id`, state: args.inputs };
          const checked = await h.check({}, plain(args.inputs) as never);
          const made = await h.create(checked.inputs as never);
          return { id: made.id, state: made.outs };
        },
        call: () => ({}),
      },
      "project",
      "stack",
      false,
    );
  });

  it("wire - a User and an Account send their signer wiring as one input; issuer and claimsHash come from the JWT", async () => {
    const op = createKeyPair("operator");
    const acc = createKeyPair("account");
    const app = new sdk.Account("APP", {
      operator: { publicKey: op.getPublicKey(), seed: pulumi.secret(op.seed()) },
      key: { seed: pulumi.secret(acc.seed()) },
      limits: { conn: 5 },
    });
    const u = new sdk.User("u", { account: app, pub: { allow: ["a.>"] } });
    const [jwt, issuer, hash, drift, creds] = await Promise.all([
      value(u.jwt),
      value(u.issuer),
      value(u.claimsHash),
      value(u.adoptionDrift),
      value(u.creds),
    ]);
    assert.equal(issuer, acc.getPublicKey());
    assert.equal(hash, claimsHash(decodeJwt(jwt)));
    assert.equal(drift, undefined);
    assert.match(String(creds), /BEGIN NATS USER JWT/);
    assert.equal(await value(app.issuer), op.getPublicKey());

    const sentUser = registered.get("u")!;
    // Fields left undefined are not sent at all.
    const packed = Object.keys(sentUser.signing as object);
    assert.ok(packed.includes("accountPublicKey") && packed.includes("signedByIdentity"), packed.join());
    assert.ok(
      packed.every((f) => (USER_SIGNING_FIELDS as readonly string[]).includes(f)),
      packed.join(),
    );
    for (const f of USER_SIGNING_FIELDS) assert.ok(!(f in sentUser), `${f} is not a top-level input`);
    // The seed stays outside: a secret inside the object would make all of it secret, unreadable in a diff.
    assert.ok("signerSeed" in sentUser);
    for (const f of ["claimsHash", "issuer", "adoptionDrift"])
      assert.ok(!(f in sentUser), `${f} not registered`);
    const sentAccount = registered.get("APP")!;
    for (const f of ACCOUNT_SIGNING_FIELDS) assert.ok(!(f in sentAccount), `${f} is not a top-level input`);
  });

  it("wire - state written flat (0.1.0) diffs as unchanged against packed inputs; outputs keep or drop the wiring", async () => {
    const op = createKeyPair("operator");
    const acc = createKeyPair("account");
    const flatAccount: AccountProps = {
      name: "A",
      signerSeed: op.seed(),
      operatorPublicKey: op.getPublicKey(),
      signedByIdentity: true,
      seed: acc.seed(),
      limits: { conn: 3 },
    };
    const madeAccount = (await account.create(flatAccount)).outs;
    const packedAccount = pack(flatAccount, "signing", ACCOUNT_SIGNING_FIELDS);
    assert.ok(!("operatorPublicKey" in packedAccount) && "signing" in packedAccount);
    assert.deepEqual(unpack(packedAccount, "signing"), flatAccount);
    assert.equal((await account.diff(madeAccount.publicKey, madeAccount, packedAccount)).changes, false);
    // Refresh checks trust with the operator keys and destroy signs with the seed: an account keeps them.
    const packedMade = (await account.create(packedAccount)).outs;
    for (const f of ACCOUNT_SIGNING_FIELDS.filter((x) => x in flatAccount))
      assert.ok(f in packedMade, `account output keeps ${f}`);
    const checked = await account.check({}, packedAccount);
    assert.deepEqual(checked.failures, []);
    assert.ok("signing" in checked.inputs, "check returns the inputs packed as they came");

    const flatUser: UserProps = {
      name: "U",
      signerSeed: acc.seed(),
      accountPublicKey: acc.getPublicKey(),
      signedByIdentity: true,
    };
    const madeFlat = (await user.create(flatUser)).outs;
    const packedUser = pack(flatUser, "signing", USER_SIGNING_FIELDS);
    assert.equal((await user.diff(madeFlat.publicKey, madeFlat, packedUser)).changes, false);
    const oldState = { ...madeFlat, ...flatUser }; // 0.1.0 echoed every input in its outputs
    assert.equal((await user.diff(oldState.publicKey, oldState, packedUser)).changes, false);
    assert.equal((await user.diff(oldState.publicKey, oldState, { ...packedUser, name: "V" })).changes, true);
    // A user's outputs need none of it (the claims hash covers the signer): not stored twice.
    for (const f of [...USER_SIGNING_FIELDS, "signerSeed"])
      assert.ok(!(f in madeFlat), `user output drops ${f}`);
    const updated = (await user.update!(oldState.publicKey, oldState, { ...packedUser, name: "V" })).outs;
    assert.equal(updated.publicKey, madeFlat.publicKey, "same key after the update");
    assert.equal(decodeJwt(updated.jwt).name, "V");
  });
});
