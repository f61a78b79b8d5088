/**
 * Adopting identities made by the real `nsc` (the first step of importing an nsc store): seeds and
 * JWTs go in as inputs, the keys stay, and a JWT whose claims already match the inputs is kept as
 * nsc signed it (no re-signing, nothing to push).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, credsAuthenticator } from "@nats-io/transport-node";
import { decodeJwt } from "../../core/jwt";
import { renderServerConfig } from "../../core/serverConfig";
import { handler as account } from "../../provider/account";
import { handler as operator } from "../../provider/operator";
import { handler as user } from "../../provider/user";
import { create, heldUser } from "../harness/identities";
import { NatsServer } from "../harness/natsServer";
import { toolPath } from "../harness/paths";

describe("nsc import - adopt seeds and JWTs made by nsc", () => {
  let dir: string;
  const jwt: Record<string, string> = {};
  const seed: Record<string, string> = {};
  const pub: Record<string, string> = {};

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-nsc-import-"));
    const env = {
      ...process.env,
      XDG_CONFIG_HOME: path.join(dir, "config"),
      XDG_DATA_HOME: path.join(dir, "data"),
      NKEYS_PATH: path.join(dir, "nkeys"),
    };
    const nsc = (...args: string[]) =>
      execFileSync(toolPath("nsc"), args, { env, encoding: "utf8", stdio: "pipe" });
    nsc("add", "operator", "--name", "OP", "--sys");
    nsc("add", "account", "--name", "APP");
    nsc("add", "user", "--name", "u", "--account", "APP");
    nsc("export", "keys", "--all", "--dir", path.join(dir, "keys"));
    const store = path.join(dir, "data", "nats", "nsc", "stores", "OP");
    const files = {
      op: path.join(store, "OP.jwt"),
      sys: path.join(store, "accounts", "SYS", "SYS.jwt"),
      app: path.join(store, "accounts", "APP", "APP.jwt"),
      u: path.join(store, "accounts", "APP", "users", "u.jwt"),
    };
    for (const [k, f] of Object.entries(files)) {
      jwt[k] = fs.readFileSync(f, "utf8").trim();
      pub[k] = decodeJwt(jwt[k]).sub;
      seed[k] = fs.readFileSync(path.join(dir, "keys", `${pub[k]}.nk`), "utf8").trim();
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("nsc import - keys are kept and JWTs whose claims match are kept byte for byte", async () => {
    const op = await create(operator, { name: "OP", seed: seed.op, jwt: jwt.op, systemAccount: pub.sys });
    assert.equal(op.publicKey, pub.op);
    assert.equal(op.jwt, jwt.op, "operator JWT kept as nsc signed it");
    const ref = { operatorPublicKey: op.publicKey, signerSeed: seed.op };
    const app = await create(account, { name: "APP", seed: seed.app, jwt: jwt.app, ...ref });
    assert.equal(app.publicKey, pub.app);
    assert.equal(app.jwt, jwt.app, "account JWT kept");
    const u = heldUser(
      await create(user, {
        name: "u",
        seed: seed.u,
        jwt: jwt.u,
        accountPublicKey: app.publicKey,
        signerSeed: seed.app,
      }),
    );
    assert.equal(u.jwt, jwt.u, "user JWT kept");

    // A claim that differs from the adopted JWT re-signs it, with the same key.
    const changed = await create(account, {
      name: "APP",
      seed: seed.app,
      jwt: jwt.app,
      ...ref,
      limits: { conn: 5 },
    });
    assert.equal(changed.publicKey, pub.app);
    assert.notEqual(changed.jwt, jwt.app);
    assert.equal((decodeJwt(changed.jwt).nats.limits as Record<string, number>).conn, 5);

    // The adopted identities work together on a server.
    const server = await NatsServer.start({
      body: renderServerConfig({
        operator: op.jwt,
        systemAccount: pub.sys,
        resolver: { type: "memory" },
        preload: { [pub.sys]: jwt.sys, [pub.app]: app.jwt },
      }),
    });
    try {
      const nc = await connect({
        servers: server.url,
        authenticator: credsAuthenticator(new TextEncoder().encode(String(u.creds))),
      });
      await nc.close();
    } finally {
      await server[Symbol.asyncDispose]();
    }
  });

  it("nsc import - a JWT signed by someone else is not adopted", async () => {
    const op = await create(operator, { name: "OP", seed: seed.op, systemAccount: pub.sys });
    const stranger = await create(operator, { name: "X" });
    const app = await create(account, {
      name: "APP",
      seed: seed.app,
      jwt: jwt.app,
      operatorPublicKey: op.publicKey,
      signerSeed: String(stranger.seed),
      operatorSigningKeys: [],
    }).catch((e: Error) => e);
    assert.ok(app instanceof Error, "check refuses a signer that is not the operator");
  });
});
