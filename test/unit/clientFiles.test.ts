import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { formatCreds } from "../../core/creds";
import { contextNameProblem, renderNatsContext } from "../../core/natsContext";
import { createKeyPair } from "../../core/nkeys";
import { handler as credsFile } from "../../provider/credsFile";
import { UNKNOWN } from "../../provider/kit/unknown";
import { handler as natsContext, natsContextPath } from "../../provider/natsContext";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-client-"));
const creds = (name: string) => formatCreds(`header.${name}.sig`, createKeyPair("user").seed());

describe("client files", () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("credsFile - writes 0600, rewrites rotated creds, a loosened file is drift, delete removes it", async () => {
    const inputs = { path: path.join(dir, "u.creds"), creds: creds("a") };
    assert.deepEqual((await credsFile.check({}, inputs)).failures, []);
    const { outs } = await credsFile.create(inputs);
    assert.equal(fs.statSync(inputs.path).mode & 0o777, 0o600);
    assert.equal(fs.readFileSync(inputs.path, "utf8"), inputs.creds);
    assert.equal((await credsFile.diff("id", outs, inputs)).changes, false);
    assert.equal((await credsFile.diff("id", outs, { ...inputs, creds: creds("b") })).changes, true);
    assert.deepEqual((await credsFile.read!("id", outs)).props, outs);
    fs.chmodSync(inputs.path, 0o644);
    const drifted = (await credsFile.read!("id", outs)).props;
    assert.equal((await credsFile.diff("id", drifted, inputs)).changes, true);
    await credsFile.update!("id", drifted, inputs);
    assert.equal(fs.statSync(inputs.path).mode & 0o777, 0o600);
    await credsFile.delete!("id", outs);
    assert.equal(fs.existsSync(inputs.path), false);
  });

  it("credsFile - refuses a relative path and text that is not creds, naming no secret property", async () => {
    const r = await credsFile.check({}, { path: "rel.creds", creds: "SUAB…" });
    assert.deepEqual(
      r.failures.map((f) => f.property),
      ["path", "creds text"],
    );
    assert.deepEqual((await credsFile.check({}, { path: UNKNOWN, creds: UNKNOWN })).failures, []);
  });

  it("natsContext - renders natscli's fields and writes <home>/nats/context/<name>.json 0600 in a 0700 dir", async () => {
    assert.equal(
      renderNatsContext({ servers: ["nats://a:1", "nats://b:2"], credsPath: "/c/u.creds", description: "d" }),
      '{\n  "description": "d",\n  "url": "nats://a:1,nats://b:2",\n  "creds": "/c/u.creds"\n}\n',
    );
    const home = path.join(dir, "home");
    const inputs = { name: "dev", configHome: home, servers: ["tls://h:4222"], credsPath: "/x.creds" };
    assert.deepEqual((await natsContext.check({}, inputs)).failures, []);
    const { id, outs } = await natsContext.create(inputs);
    assert.equal(id, natsContextPath(home, "dev"));
    assert.equal(fs.statSync(outs.path).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(outs.path)).mode & 0o777, 0o700);
    assert.equal(JSON.parse(fs.readFileSync(outs.path, "utf8")).url, "tls://h:4222");
    assert.equal((await natsContext.diff(id, outs, inputs)).changes, false);
    assert.equal((await natsContext.diff(id, outs, { ...inputs, servers: ["nats://x:1"] })).changes, true);
    fs.writeFileSync(outs.path, "{}");
    const drifted = (await natsContext.read!(id, outs)).props;
    assert.equal(drifted.fileInSync, false);
    assert.equal((await natsContext.diff(id, drifted, inputs)).changes, true);
    // A rename moves the file; the old one, edited since the stack wrote it, is not the stack's to remove.
    const renamed = await natsContext.update!(id, drifted, { ...inputs, name: "dev2" });
    assert.equal(fs.readFileSync(outs.path, "utf8"), "{}");
    assert.equal(fs.existsSync(renamed.outs.path), true);
    await natsContext.delete!(id, renamed.outs);
    assert.equal(fs.existsSync(renamed.outs.path), false);
  });

  it("natsContext - refuses names natscli refuses, no servers, and non-client URLs", async () => {
    assert.match(contextNameProblem("a/b") ?? "", /must not contain/);
    assert.match(contextNameProblem("..x") ?? "", /must not contain ".."/);
    const r = await natsContext.check(
      {},
      { name: "a/b", configHome: dir, servers: ["http://h:80", UNKNOWN, "nats://ok:1"] },
    );
    assert.deepEqual(
      r.failures.map((f) => f.property),
      ["name", "servers[0]"],
    );
    const none = await natsContext.check({}, { name: "x", configHome: dir, servers: [] });
    assert.deepEqual(
      none.failures.map((f) => f.property),
      ["servers"],
    );
  });
});
