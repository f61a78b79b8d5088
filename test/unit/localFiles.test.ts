import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { formatCreds } from "../../core/creds";
import { createKeyPair } from "../../core/nkeys";
import { UNKNOWN } from "../../provider/kit/unknown";
import { handler as leafRemote } from "../../provider/leafRemote";
import { handler as serverConfig } from "../../provider/serverConfigFile";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-files-"));
const creds = (name: string) => formatCreds(`header.${name}.sig`, createKeyPair("user").seed());

describe("local files", () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("leafRemote - writes creds with mode 0600 and outputs the remote entry", async () => {
    const inputs = {
      urls: ["nats-leaf://127.0.0.1:7422"],
      credentials: creds("a"),
      credentialsPath: path.join(dir, "a.creds"),
    };
    assert.deepEqual((await leafRemote.check({}, inputs)).failures, []);
    const { outs } = await leafRemote.create(inputs);
    assert.equal(fs.statSync(inputs.credentialsPath).mode & 0o777, 0o600);
    assert.equal(fs.readFileSync(inputs.credentialsPath, "utf8"), inputs.credentials);
    assert.deepEqual(outs.remote, { urls: inputs.urls, credentials: inputs.credentialsPath });
    assert.equal((await leafRemote.diff("id", outs, inputs)).changes, false);
    const rotated = { ...inputs, credentials: creds("b") };
    assert.equal((await leafRemote.diff("id", outs, rotated)).changes, true, "rotated creds update the file");
  });

  it("leafRemote - a creds file changed behind the stack's back is drift; update repairs it", async () => {
    const inputs = {
      urls: ["tls://hub:7422"],
      credentials: creds("c"),
      credentialsPath: path.join(dir, "c.creds"),
    };
    const { outs } = await leafRemote.create(inputs);
    assert.deepEqual((await leafRemote.read!("id", outs)).props, outs, "no drift");
    fs.chmodSync(inputs.credentialsPath, 0o644);
    const drifted = (await leafRemote.read!("id", outs)).props;
    assert.notDeepEqual(drifted, outs);
    assert.equal((await leafRemote.diff("id", drifted, inputs)).changes, true);
    await leafRemote.update!("id", drifted, inputs);
    assert.equal(fs.statSync(inputs.credentialsPath).mode & 0o777, 0o600);
    await leafRemote.delete!("id", outs);
    assert.equal(fs.existsSync(inputs.credentialsPath), false);
  });

  it("leafRemote - refuses mixed ws and non-ws urls, a relative creds path and non-creds text", async () => {
    const r = await leafRemote.check(
      {},
      {
        urls: ["ws://a:1", "nats-leaf://b:2"],
        credentials: "not creds",
        credentialsPath: "relative.creds",
      },
    );
    const props = (r.failures ?? []).map((f) => f.property);
    assert.deepEqual(props.sort(), ["credentials file", "credentialsPath", "urls"]);
    assert.ok((r.failures ?? []).every((f) => !f.reason.includes("not creds")));
  });

  it("leafRemote - values unknown during preview are not judged", async () => {
    const r = await leafRemote.check({}, { urls: [UNKNOWN], credentials: UNKNOWN, credentialsPath: UNKNOWN });
    assert.deepEqual(r.failures, []);
  });

  it("serverConfig - renders, writes, and reports an edited file as drift", async () => {
    const inputs = { serverName: "s", port: 4222, path: path.join(dir, "s.conf"), leafnodes: { port: 7422 } };
    assert.deepEqual((await serverConfig.check({}, inputs)).failures, []);
    const { outs } = await serverConfig.create(inputs);
    assert.equal(fs.readFileSync(inputs.path, "utf8"), outs.text);
    assert.match(String(outs.text), /leafnodes \{\n\s+port: 7422/);
    assert.equal((await serverConfig.diff("id", outs, inputs)).changes, false);
    fs.appendFileSync(inputs.path, "debug: true\n");
    const drifted = (await serverConfig.read!("id", outs)).props;
    assert.equal(drifted.fileInSync, false);
    assert.equal((await serverConfig.diff("id", drifted, inputs)).changes, true);
  });

  it("serverConfig - writes mode 0600 (a config may hold passwords); a loosened file is drift", async () => {
    const inputs = {
      serverName: "p",
      port: 4222,
      path: path.join(dir, "p.conf"),
      leafnodes: { port: 7422, authorization: { user: "leaf", password: "s3cret-leaf-pw" } },
    };
    const { outs } = await serverConfig.create(inputs);
    assert.equal(fs.statSync(inputs.path).mode & 0o777, 0o600);
    assert.equal((await serverConfig.read!("id", outs)).props.fileInSync, true, "no drift");
    fs.chmodSync(inputs.path, 0o644);
    const drifted = (await serverConfig.read!("id", outs)).props;
    assert.equal(drifted.fileInSync, false);
    assert.equal((await serverConfig.diff("id", drifted, inputs)).changes, true);
    await serverConfig.update!("id", drifted, inputs);
    assert.equal(fs.statSync(inputs.path).mode & 0o777, 0o600);
  });

  it("serverConfig - a config holding no secret that 0.1.0 wrote 0644 is not drift (upgrades show 0 changes)", async () => {
    const inputs = { serverName: "q", port: 4222, path: path.join(dir, "q.conf") };
    const { outs } = await serverConfig.create(inputs);
    fs.chmodSync(inputs.path, 0o644);
    assert.equal((await serverConfig.read!("id", outs)).props.fileInSync, true);
    fs.writeFileSync(inputs.path, "port: 1\n");
    assert.equal((await serverConfig.read!("id", outs)).props.fileInSync, false, "its content still is");
  });

  it("serverConfig - check names the field nsc would complain about", async () => {
    const r = await serverConfig.check({}, { resolver: { type: "full", dir: "jwt" } });
    // Every problem at once, each under its own field (0.1.0 stopped at the first).
    assert.deepEqual(
      r.failures?.map((f) => f.property),
      ["operator", "systemAccount"],
    );
    assert.match(r.failures?.[0].reason ?? "", /operator/);
    assert.match(r.failures?.[1].reason ?? "", /system account is not set/);
  });
});
