/**
 * Previews through the native plugin: the plugin process (plugin/main.ts, as the engine starts it)
 * spoken to over gRPC, as the engine does. Configure answers `supportsPreview`; Create and Update with
 * `preview` set return the outputs known without side effects (nothing signed, written or pushed).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { createKeyPair } from "../../core/nkeys";
import { nativeProvider, SECRET_SIG } from "../../plugin/provider";
import { UNKNOWN } from "../../provider/kit/unknown";
import { deadPort } from "../harness/natsServer";
import { REPO_ROOT } from "../harness/paths";

type Obj = Record<string, unknown>;
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";
const secret = (value: unknown) => ({ [SECRET_SIG]: SECRET_VALUE, value });
const urn = (type: string, name = "r") => `urn:pulumi:dev::proj::nats-auth:index:${type}::${name}`;
const p = nativeProvider("0.0.0-test");

let plugin: ChildProcess;
let client: ResourceProviderClient;

before(async () => {
  plugin = spawn(process.execPath, [path.join(REPO_ROOT, "dist", "plugin", "main.js")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  // The plugin prints its port first, as the engine reads it.
  const port = await new Promise<string>((resolve, reject) => {
    let out = "";
    plugin.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(out.trim().split("\n")[0]);
    });
    plugin.on("exit", (code) => reject(new Error(`the plugin exited (${code}) before serving`)));
  });
  client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});
after(() => {
  client?.close();
  plugin?.kill();
});

function call<Req, Res>(
  method: (req: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown,
  req: Req,
) {
  return new Promise<Res>((resolve, reject) =>
    method.call(client, req, (e, r) => (e ? reject(e) : resolve(r))),
  );
}

async function grpcCreate(type: string, props: Obj, preview: boolean): Promise<{ id: string; outs: Obj }> {
  const req = new provproto.CreateRequest();
  req.setUrn(urn(type));
  req.setProperties(Struct.fromJavaScript(props as never));
  req.setPreview(preview);
  const r = await call<provproto.CreateRequest, provproto.CreateResponse>(client.create, req);
  return { id: r.getId(), outs: (r.getProperties()?.toJavaScript() ?? {}) as Obj };
}

async function grpcUpdate(type: string, id: string, olds: Obj, news: Obj, preview: boolean): Promise<Obj> {
  const req = new provproto.UpdateRequest();
  req.setId(id);
  req.setUrn(urn(type));
  req.setOlds(Struct.fromJavaScript(olds as never));
  req.setNews(Struct.fromJavaScript(news as never));
  req.setPreview(preview);
  const r = await call<provproto.UpdateRequest, provproto.UpdateResponse>(client.update, req);
  return (r.getProperties()?.toJavaScript() ?? {}) as Obj;
}

describe("plugin preview", () => {
  it("plugin preview - Configure answers supportsPreview, and still accepts secrets, resources and outputs", async () => {
    const r = await call<provproto.ConfigureRequest, provproto.ConfigureResponse>(
      client.configure,
      new provproto.ConfigureRequest(),
    );
    assert.equal(r.getSupportspreview(), true);
    assert.equal(r.getAcceptsecrets(), true);
    assert.equal(r.getAcceptresources(), true);
    assert.equal(r.getAcceptoutputs(), true);
  });

  it("plugin preview - Update of an Account in preview: its key, seed and issuer as stored, the JWT unknown, nothing pushed", async () => {
    const op = createKeyPair("operator");
    const sysAcct = createKeyPair("account");
    const sysUser = await p.create!(urn("User", "sys"), {
      name: "sys",
      accountPublicKey: sysAcct.getPublicKey(),
      signerSeed: sysAcct.seed(),
    });
    const inputs = { name: "app", operatorPublicKey: op.getPublicKey(), signerSeed: secret(op.seed()) };
    const created = await p.create!(urn("Account"), inputs);
    // A limit change and a resolver nothing listens on: a real update signs and fails to push.
    const port = await deadPort();
    const news = {
      ...inputs,
      limits: { conn: 10 },
      resolver: { servers: [`nats://127.0.0.1:${port}`], creds: sysUser.outs.creds, timeoutMs: 500 },
    };
    const outs = await grpcUpdate("Account", created.id, created.outs, news, true);
    assert.equal(outs.publicKey, created.outs.publicKey);
    assert.deepEqual(outs.seed, created.outs.seed, "the stored seed, still secret");
    assert.match(String((outs.seed as { value?: unknown }).value), /^SA/);
    assert.equal(outs.issuer, op.getPublicKey());
    assert.equal(outs.jwt, UNKNOWN, "a new JWT is signed only by the update");
    assert.equal(outs.claimsHash, UNKNOWN);
    assert.equal(outs.pushedTo, UNKNOWN);
    assert.deepEqual(outs.limits, { conn: 10 });
    // Outside a preview the same request signs and tries the push: the preview did not.
    await assert.rejects(grpcUpdate("Account", created.id, created.outs, news, false), /127\.0\.0\.1/);
  });

  it("plugin preview - Update of a User in preview: key and seed kept, issuer from the known signer, creds unknown", async () => {
    const acct = createKeyPair("account");
    const inputs = { name: "alice", accountPublicKey: acct.getPublicKey(), signerSeed: secret(acct.seed()) };
    const created = await p.create!(urn("User"), inputs);
    const outs = await grpcUpdate(
      "User",
      created.id,
      created.outs,
      { ...inputs, pub: { allow: ["a.>"] } },
      true,
    );
    assert.equal(outs.publicKey, created.outs.publicKey);
    assert.deepEqual(outs.seed, created.outs.seed);
    assert.equal(outs.issuer, acct.getPublicKey());
    assert.equal(outs.jwt, UNKNOWN);
    assert.equal(outs.creds, UNKNOWN);
    // A signer not known yet (a SigningKey being created): the issuer is unknown too.
    const later = await grpcUpdate(
      "User",
      created.id,
      created.outs,
      { ...inputs, signerSeed: UNKNOWN },
      true,
    );
    assert.equal(later.issuer, UNKNOWN);
    assert.equal(later.publicKey, created.outs.publicKey);
  });

  it("plugin preview - Create in preview writes no file and derives only what a given seed says", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-preview-"));
    try {
      const confPath = path.join(dir, "main.conf");
      const conf = await grpcCreate("ServerConfig", { path: confPath, port: 4222 }, true);
      assert.equal(conf.id, "");
      assert.equal(conf.outs.text, UNKNOWN);
      assert.equal(fs.existsSync(confPath), false, "no config written in a preview");
      const credsPath = path.join(dir, "u.creds");
      const creds = await grpcCreate("CredsFile", { path: credsPath, creds: secret("x") }, true);
      assert.equal(fs.existsSync(credsPath), false, "no creds file written in a preview");
      assert.deepEqual(creds.outs.creds, secret("x"));
      assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const kp = createKeyPair("account");
    const adopted = await grpcCreate("KeyPair", { kind: "account", seed: secret(kp.seed()) }, true);
    assert.equal(adopted.outs.publicKey, kp.getPublicKey());
    assert.deepEqual(adopted.outs.seed, secret(kp.seed()));
    const generated = await grpcCreate("KeyPair", { kind: "account" }, true);
    assert.equal(generated.outs.publicKey, UNKNOWN, "a key generated by the create is not known before it");
    assert.equal(generated.outs.seed, UNKNOWN);
    const op = createKeyPair("operator");
    const opPreview = await grpcCreate("Operator", { name: "op", seed: secret(op.seed()) }, true);
    assert.equal(opPreview.outs.publicKey, op.getPublicKey());
    assert.equal(opPreview.outs.issuer, op.getPublicKey(), "self-signed");
    assert.equal(opPreview.outs.jwt, UNKNOWN);
  });
});
