/**
 * The secrets scan every e2e stack runs on dispose must see what a user's disk holds: a seed in a
 * gzip file (the CLI's own log format before the stack's secrets manager is loaded) is a seed in the
 * open, even though its raw bytes do not show it.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import * as zlib from "node:zlib";
import { createKeyPair } from "../../core/nkeys";
import { scanFiles } from "../harness/pulumi";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-scan-"));
const seed = () => createKeyPair("user").seed();
const write = (name: string, data: string | Buffer): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
};

describe("secrets scan", () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("finds a seed in a plain file", () => {
    const p = write("state.json", `{"x": "${seed()}"}`);
    assert.deepEqual(scanFiles(p), [`${p}: a seed at line 1`]);
  });

  it("finds a seed inside a gzip file, which its raw bytes hide", () => {
    const gz = zlib.gzipSync(`{"level":"DEBUG","msg":"Check","news":{"seed":"${seed()}"}}\n`);
    assert.doesNotMatch(gz.toString("latin1"), /S[OAUCNX][A-Z2-7]{55}/);
    const p = write("pulumi-stack_export.log", gz);
    assert.deepEqual(scanFiles(p), [`${p}: a seed at line 1`]);
  });

  it("finds a seed in a gzip stream cut short", () => {
    const full = zlib.gzipSync(`line one\n${seed()}\n${"padding ".repeat(4000)}\n`);
    const p = write("cut.log", full.subarray(0, full.length - 40));
    assert.deepEqual(scanFiles(p), [`${p}: a seed at line 2`]);
  });

  it("passes a gzip file with no secret, and an opaque (encrypted) log", () => {
    const clean = write("clean.log", zlib.gzipSync('{"msg":"no secrets here"}\n'));
    const opaque = write("stack.log", Buffer.concat([Buffer.from("PLOG\x01\x00"), Buffer.alloc(64, 7)]));
    assert.deepEqual(scanFiles(clean), []);
    assert.deepEqual(scanFiles(opaque), []);
  });
});
