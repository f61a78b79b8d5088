/**
 * The move of docs/typescript.md: a stack written with the dynamic SDK moves to the native types
 * (`pulumi-nats-auth/native`) with `aliases` and 0 changes. One stack holds every resource kind
 * (KeyPair, SigningKey, the OperatorWithSystemAccount component and its six children, Account with
 * members, explicit revocations and an activation token, User, ActivationToken, LeafRemote,
 * CredsFile, NatsContext, ServerConfig), built and pushed to a real server with the dynamic SDK;
 * then the native program (test/e2e/fixtures/tsMoveProgram.ts) previews 0 changes, resource by
 * resource, and its `up` changes nothing: same ids, keys, JWTs, revocations and files. After the move
 * a limit change updates the account on the server, and removing a User revokes it there.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { EngineEvent, OutputMap } from "@pulumi/pulumi/automation";
import { createKeyPair } from "../../core/nkeys";
import { connectAs } from "../harness/clients";
import { NatsServer } from "../harness/natsServer";
import { REPO_ROOT } from "../harness/paths";
import { changeCount, TestStack } from "../harness/pulumi";
import { PLUGIN_DIR } from "./fixtures/nativeSeed";

const PROJECT = path.join(REPO_ROOT, "test", "e2e", "fixtures", "ts-move-project");
const DYNAMIC = "pulumi-nodejs:dynamic/nats-auth:";
const NATIVE = "nats-auth:index:";
/** Every resource kind of the package, each in the stack at least once. */
const KINDS = [
  "Account",
  "ActivationToken",
  "CredsFile",
  "KeyPair",
  "LeafRemote",
  "NatsContext",
  "Operator",
  "ServerConfig",
  "SigningKey",
  "User",
];

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  outputs?: Record<string, unknown>;
}

/** The package's resources in `pulumi stack export`, by resource name (parent chain and name). */
async function resourcesOf(t: TestStack): Promise<Map<string, StateResource>> {
  const all = (JSON.parse(await t.exportText()) as { deployment: { resources: StateResource[] } }).deployment
    .resources;
  const ours = all.filter((r) => r.type.startsWith(DYNAMIC) || r.type.startsWith(NATIVE));
  return new Map(ours.map((r) => [r.urn.split("::").pop()!, r]));
}

/**
 * What a move must keep of a resource: its id and its outputs but the serialized provider. A secret
 * is compared as being one (each checkpoint encrypts it anew); the public keys and JWTs beside the
 * seeds show they are the same.
 */
function kept(r: StateResource): string {
  const { __provider: _, ...outputs } = r.outputs ?? {};
  return JSON.stringify({ id: r.id, outputs }, (_k, v) =>
    v && typeof v === "object" && "ciphertext" in v ? "[secret]" : v,
  );
}

function claimsOf(jwt: string): {
  nats: { limits?: { conn?: number }; revocations?: Record<string, number> };
} {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8"));
}

async function held(url: string, sysCreds: string, account: string): Promise<string> {
  const nc = await connectAs(url, sysCreds);
  try {
    return (await nc.request(`$SYS.REQ.ACCOUNT.${account}.CLAIMS.LOOKUP`, "", { timeout: 2000 })).string();
  } finally {
    await nc.close();
  }
}

/** Every file the stack wrote under `dir`, with its content. */
function filesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile() && !p.includes(`${path.sep}jwt${path.sep}`))
      out[f] = fs.readFileSync(p, "utf8");
  }
  return out;
}

const str = (o: OutputMap, k: string) => String(o[k].value);

describe("e2e ts move - a dynamic stack moves to the native types with aliases and 0 changes", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-tsmove-"));
  const revoked = createKeyPair("user").getPublicKey();
  let t: TestStack | undefined;
  let server: NatsServer | undefined;
  let before_: Map<string, StateResource>;
  let files: Record<string, string>;
  let dynamicOut: OutputMap;

  before(async () => {
    assert.ok(fs.existsSync(path.join(PLUGIN_DIR, "pulumi-resource-nats-auth")), "npm run plugin first");
    t = await TestStack.fromFolder(PROJECT, "move", {
      dir: { value: dir },
      revoked: { value: revoked },
      conn: { value: "10" },
    });
    t.scanAlso(dir);
  });

  after(async () => {
    await t?.dispose();
    await server?.[Symbol.asyncDispose]();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("ts move - docs/typescript.md says the steps this test runs", () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, "docs", "typescript.md"), "utf8");
    const program = fs.readFileSync(
      path.join(REPO_ROOT, "test", "e2e", "fixtures", "tsMoveProgram.ts"),
      "utf8",
    );
    // The alias the doc tells users to add is the one the native program here adds.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the code of the doc and the program, as text
    const alias = "aliases: [{ type: `pulumi-nodejs:dynamic/nats-auth:${kind}` }],";
    assert.ok(doc.includes(alias) && program.includes(alias), alias);
    for (const step of [
      'import * as native from "pulumi-nats-auth/native";',
      "path: node_modules/pulumi-nats-auth/dist/native",
      "**Upgrade first, on the dynamic SDK.**",
      "**same resource name and parent**",
      "native.member(",
      "native.activation(",
      "**`pulumi preview --diff` must show 0 changes.**",
      "**`pulumi up`**: nothing changes",
      "preload: { [publicKey]: jwt }",
    ])
      assert.ok(doc.includes(step), `docs/typescript.md says: ${step}`);
    for (const kind of KINDS) assert.ok(doc.includes(`\`${kind}\``), `docs/typescript.md names ${kind}`);
  });

  it("ts move - the dynamic SDK signs every kind, then pushes to a server started from its ServerConfig", async () => {
    assert.ok(t);
    const signed = await t.up();
    assert.equal(signed.summary.result, "succeeded");
    server = await NatsServer.start({ body: str(signed.outputs, "serverConfig") });
    await t.stack.setConfig("servers", { value: JSON.stringify([server.url]) });
    const pushed = await t.up();
    assert.equal(pushed.outputs.pushedTo.value, 1);
    dynamicOut = pushed.outputs;
    before_ = await resourcesOf(t);
    const kinds = new Set([...before_.values()].map((r) => r.type.slice(DYNAMIC.length)));
    assert.deepEqual([...kinds].sort(), KINDS, "every kind, all dynamic");
    files = filesUnder(dir);
    assert.ok(Object.keys(files).length >= 4, JSON.stringify(Object.keys(files)));
  });

  it("ts move - the native program with aliases previews 0 changes, resource by resource", async () => {
    assert.ok(t);
    await t.stack.setConfig("api", { value: "native" });
    const ops = new Map<string, string>();
    const preview = await t.stack.preview({
      diff: true,
      onOutput: (l) => t!.logs.push(l),
      onEvent: (e: EngineEvent) => {
        const m = e.resourcePreEvent?.metadata;
        // The default providers change with the move (pulumi-nodejs goes, nats-auth comes): not resources of the stack's program.
        if (m && !m.type.startsWith("pulumi:providers:")) ops.set(m.urn, m.op);
      },
    });
    const changed = [...ops].filter(([, op]) => op !== "same");
    assert.deepEqual(changed, [], preview.stdout);
    assert.equal(changeCount(preview.changeSummary), 0, preview.stdout);
    // Each resource of the dynamic stack was matched under its native type.
    for (const [name, r] of before_) {
      const native = [...ops.keys()].find((u) =>
        u.endsWith(`${NATIVE}${r.type.slice(DYNAMIC.length)}::${name}`),
      );
      assert.ok(native, `${r.urn} is previewed as a native resource`);
      assert.equal(ops.get(native), "same", native);
    }
  });

  it("ts move - up is a no-op: same ids, outputs, JWTs, revocations and files, every resource native", async () => {
    assert.ok(t && server);
    const up = await t.up();
    assert.equal(changeCount(up.summary.resourceChanges ?? {}), 0, up.stdout);
    const after_ = await resourcesOf(t);
    assert.equal(after_.size, before_.size);
    for (const [name, r] of before_) {
      const now = after_.get(name);
      assert.ok(now, name);
      assert.equal(now.type, `${NATIVE}${r.type.slice(DYNAMIC.length)}`, name);
      assert.equal(kept(now), kept(r), `${name}: id and outputs kept`);
    }
    for (const k of ["app", "appJwt", "u1", "u2", "u1Creds"])
      assert.equal(str(up.outputs, k), str(dynamicOut, k), k);
    assert.deepEqual(claimsOf(str(up.outputs, "appJwt")).nats.revocations, { [revoked]: 1700000000 });
    assert.deepEqual(filesUnder(dir), files, "the written files are untouched");
    assert.equal(
      await held(server.url, str(up.outputs, "sysCreds"), str(up.outputs, "app")),
      str(up.outputs, "appJwt"),
    );
  });

  it("ts move - after the move a limit change updates only the account, pushed to the server", async () => {
    assert.ok(t && server);
    await t.stack.setConfig("conn", { value: "1" });
    const up = await t.up();
    assert.deepEqual(
      Object.fromEntries(Object.entries(up.summary.resourceChanges ?? {}).filter(([op]) => op !== "same")),
      { update: 1 },
      up.stdout,
    );
    const jwt = str(up.outputs, "appJwt");
    assert.equal(claimsOf(jwt).nats.limits?.conn, 1);
    assert.equal(await held(server.url, str(up.outputs, "sysCreds"), str(up.outputs, "app")), jwt);
  });

  it("ts move - after the move, removing a User revokes its key on the server in the same up", async () => {
    assert.ok(t && server);
    const out = await t.outputs();
    const u2 = str(out, "u2");
    const u2Creds = str(out, "u2Creds");
    (await connectAs(server.url, u2Creds)).close();
    await t.stack.setConfig("withU2", { value: "false" });
    const up = await t.up();
    assert.equal(up.summary.resourceChanges?.delete, 1, up.stdout);
    const revocations = claimsOf(str(up.outputs, "appJwt")).nats.revocations ?? {};
    assert.ok(revocations[u2] > 0, "u2 revoked");
    assert.equal(revocations[revoked], 1700000000, "the explicit revocation kept");
    assert.equal(Object.keys(revocations).length, 2, "nobody else revoked");
    assert.equal(
      await held(server.url, str(up.outputs, "sysCreds"), str(up.outputs, "app")),
      str(up.outputs, "appJwt"),
    );
    await assert.rejects(connectAs(server.url, u2Creds), /revoked|authorization|ECONNRESET|EPIPE/i);
    (await connectAs(server.url, str(up.outputs, "u1Creds"))).close();
  });
});

describe("e2e ts native - the new-stack program of docs/typescript.md", () => {
  const project = path.join(REPO_ROOT, "test", "e2e", "fixtures", "ts-native-doc");
  let t: TestStack | undefined;
  after(async () => {
    await t?.dispose();
  });

  it("ts native - the doc's program (held verbatim) runs: up signs, creds are a secret, then 0 changes", async () => {
    const source = fs.readFileSync(path.join(REPO_ROOT, "test", "e2e", "fixtures", "tsNativeDoc.ts"), "utf8");
    const body = source.slice(source.indexOf("import "));
    const doc = fs.readFileSync(path.join(REPO_ROOT, "docs", "typescript.md"), "utf8");
    assert.ok(doc.includes(`\`\`\`ts\n${body}\`\`\``), "docs/typescript.md holds the program verbatim");
    t = await TestStack.fromFolder(project, "doc");
    const up = await t.up();
    assert.equal(up.summary.result, "succeeded");
    assert.equal(up.outputs.creds.secret, true);
    assert.match(String(up.outputs.creds.value), /BEGIN NATS USER JWT/);
    const app = claimsOf(String(up.outputs.appJwt.value));
    assert.equal(app.nats.limits?.conn, 100);
    assert.equal(changeCount((await t.preview()).changeSummary), 0);
  });
});
