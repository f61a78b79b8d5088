/**
 * Identities whose seeds live elsewhere (nsc `add account -k` / `add user -k`): an account and a user
 * declared by public key only are signed here by their issuers, no seed is stored and the user has no
 * creds; the owner joins the JWT output to its own seed and connects to a real nats-server.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { formatCreds } from "../../core/creds";
import { decodeJwt } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import { renderServerConfig } from "../../core/serverConfig";
import { handler as account } from "../../provider/account";
import type {
  AccountProps,
  AccountState,
  SigningKeyState,
  UserProps,
  UserState,
} from "../../provider/contracts";
import { handler as signingKey } from "../../provider/signingKey";
import { handler as user } from "../../provider/user";
import { create, type World, world } from "../harness/identities";
import { NatsServer } from "../harness/natsServer";

const SEED = /S[OACNUX][A-Z2-7]{56}/;

describe("integration declared keys - identities whose seeds live elsewhere", () => {
  // The owner's keys: generated on "their device", never handed to the provider.
  const ownerAccount = createKeyPair("account");
  const ownerUser = createKeyPair("user");
  let w: World;
  let sk: SigningKeyState;
  let accountProps: AccountProps;
  let dev: AccountState;
  let device: UserState;
  let server: NatsServer;
  const conns: NatsConnection[] = [];

  before(async () => {
    w = await world();
    sk = await create(signingKey, { owner: "account" });
    accountProps = {
      name: "DEV",
      publicKey: ownerAccount.getPublicKey(),
      operatorPublicKey: w.operator.publicKey,
      operatorSigningKeys: w.operator.signingKeys,
      operatorStrict: true,
      signerSeed: w.operatorSigningKey.seed,
      signingKeys: [sk.ref],
    };
    dev = await create(account, accountProps);
    const userProps: UserProps = {
      name: "device",
      publicKey: ownerUser.getPublicKey(),
      accountPublicKey: dev.publicKey,
      accountSigningKeys: dev.signingKeys,
      operatorStrict: true,
      signerSeed: sk.seed,
      pub: { allow: ["dev.>"] },
      sub: { allow: ["dev.>"] },
    };
    device = await create(user, userProps);
    server = await NatsServer.start({
      body: renderServerConfig({
        operator: w.operator.jwt,
        systemAccount: w.sys.publicKey,
        resolver: { type: "memory" },
        preload: { [w.sys.publicKey]: w.sys.jwt, [dev.publicKey]: dev.jwt },
      }),
    });
  });
  after(async () => {
    await Promise.all(conns.map((c) => c.close()));
    await server?.[Symbol.asyncDispose]();
  });

  it("declared keys - the JWTs name the owners' keys; no seed is stored and the user has no creds", () => {
    assert.equal(dev.publicKey, ownerAccount.getPublicKey());
    assert.equal(decodeJwt(dev.jwt).sub, ownerAccount.getPublicKey());
    assert.equal(decodeJwt(dev.jwt).iss, w.operatorSigningKey.publicKey);
    assert.equal(device.publicKey, ownerUser.getPublicKey());
    assert.equal(decodeJwt(device.jwt).sub, ownerUser.getPublicKey());
    assert.equal(decodeJwt(device.jwt).nats.issuer_account, ownerAccount.getPublicKey());
    assert.equal(dev.seed, undefined);
    assert.equal(device.seed, undefined);
    assert.equal((device as { creds?: string }).creds, undefined, "no creds in state");
    // The only seed in either state is the signer's input, which is the issuer's (held here).
    const { signerSeed: _a, ...accountRest } = dev;
    const { signerSeed: _u, ...userRest } = device;
    assert.doesNotMatch(JSON.stringify([accountRest, userRest]), SEED);
  });

  it("declared keys - the owner builds creds from its own seed and the JWT output, and connects", async () => {
    const creds = formatCreds(device.jwt, ownerUser.seed());
    const nc = await connect({
      servers: server.url,
      authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
    });
    conns.push(nc);
    const sub = nc.subscribe("dev.ping", { max: 1 });
    nc.publish("dev.ping", "pong");
    for await (const m of sub) assert.equal(m.string(), "pong");
    // The same JWT with another seed proves nothing: the server refuses it.
    const forged = formatCreds(device.jwt, createKeyPair("user").seed());
    await assert.rejects(
      connect({
        servers: server.url,
        authenticator: credsAuthenticator(new TextEncoder().encode(forged)),
        reconnect: false,
      }),
      /Authorization Violation|authentication/i,
    );
  });

  it("declared keys - an update re-signs without a seed; another key replaces; seed and publicKey together are refused", async () => {
    const changed = { ...accountProps, limits: { conn: 5 } };
    assert.deepEqual(await account.diff(dev.publicKey, dev, changed), { changes: true });
    const updated = (await account.update!(dev.publicKey, dev, changed)).outs;
    assert.equal(decodeJwt(updated.jwt).sub, ownerAccount.getPublicKey());
    assert.equal(updated.seed, undefined);
    const other = { ...accountProps, publicKey: createKeyPair("account").getPublicKey() };
    assert.deepEqual((await account.diff(dev.publicKey, updated, other)).replaces, ["publicKey"]);

    const both = await account.check({}, { ...accountProps, seed: ownerAccount.seed() });
    assert.equal(both.failures[0]?.property, "publicKey");
    assert.match(both.failures[0]?.reason ?? "", /either seed .* or publicKey .*, not both/);
    assert.doesNotMatch(JSON.stringify(both.failures), SEED);
    const wrongKind = await user.check({}, { ...device, publicKey: ownerAccount.getPublicKey() });
    assert.match(JSON.stringify(wrongKind.failures), /"property":"publicKey".*not a valid user public key/);
    const noSigner = await user.check({}, { ...device, signerSeed: undefined as unknown as string });
    assert.match(
      JSON.stringify(noSigner.failures),
      /"property":"signer".*pass one of its SigningKeys as signer/,
    );
  });
});
