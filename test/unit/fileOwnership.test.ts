/**
 * Files the package writes never clobber what it did not write: for each resource that writes a
 * local file (CredsFile, NatsContext, ServerConfig, LeafRemote), an existing file the stack did not
 * write is refused at preview and at create (unless `overwrite: true`), a file changed since the
 * stack wrote it is never deleted, and a write that fails leaves no temp file behind.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { formatCreds } from "../../core/creds";
import { createKeyPair } from "../../core/nkeys";
import { writeFileAtomic } from "../../io/files";
import { handler as credsFile } from "../../provider/credsFile";
import { handler as leafRemote } from "../../provider/leafRemote";
import { handler as natsContext } from "../../provider/natsContext";
import { handler as serverConfig } from "../../provider/serverConfigFile";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "pna-own-"));
const creds = (name: string) => formatCreds(`header.${name}.sig`, createKeyPair("user").seed());

type Props = Record<string, unknown>;
/** The handler methods these tests call, over loosely typed props (each kind has its own contract). */
interface FileHandler {
  check(olds: Props, news: Props): Promise<{ failures: { property: string; reason: string }[] }>;
  create(inputs: Props): Promise<{ id: string; outs: Props }>;
  update(id: string, olds: Props, news: Props): Promise<{ outs: Props }>;
  delete(id: string, props: Props): Promise<void>;
}

interface Kind {
  name: string;
  handler: FileHandler;
  /** The field a refusal names. */
  field: string;
  /** Inputs writing `file`; `variant` changes the content. */
  inputs(file: string, variant: string): Props;
}

const kinds: Kind[] = [
  {
    name: "credsFile",
    handler: credsFile as unknown as FileHandler,
    field: "path",
    inputs: (file, v) => ({ path: file, creds: creds(v) }),
  },
  {
    name: "natsContext",
    handler: natsContext as unknown as FileHandler,
    field: "name",
    // The context file is <configHome>/nats/context/<name>.json: `file` picks the config home and name.
    inputs: (file, v) => ({
      name: path.basename(file, ".json"),
      configHome: path.resolve(path.dirname(file), "..", ".."),
      servers: ["nats://127.0.0.1:4222"],
      description: v,
    }),
  },
  {
    name: "serverConfig",
    handler: serverConfig as unknown as FileHandler,
    field: "path",
    inputs: (file, v) => ({ path: file, serverName: v, port: 4222 }),
  },
  {
    name: "leafRemote",
    handler: leafRemote as unknown as FileHandler,
    field: "credentialsPath",
    inputs: (file, v) => ({
      urls: ["nats-leaf://127.0.0.1:7422"],
      credentials: creds(v),
      credentialsPath: file,
    }),
  },
];

/** A fresh file path for `kind` (natsContext's must be <home>/nats/context/<name>.json). */
function fileFor(kind: Kind, label: string): string {
  const dir = fs.mkdtempSync(path.join(root, `${kind.name}-${label}-`));
  return kind.name === "natsContext" ? path.join(dir, "nats", "context", "ctx.json") : path.join(dir, "f");
}

function writeUnrelated(file: string, text = "# not written by the stack\nkeep me\n"): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode: 0o600 });
  return text;
}

describe("file ownership", () => {
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  for (const kind of kinds) {
    const h = kind.handler;

    it(`${kind.name} - an existing file the stack did not write is refused at preview and at create, and kept`, async () => {
      const file = fileFor(kind, "clobber");
      const theirs = writeUnrelated(file);
      const inputs = kind.inputs(file, "a");
      const failures = (await h.check({}, inputs)).failures;
      const refusal = failures.find((f) => f.property === kind.field);
      assert.ok(refusal, `check names ${kind.field}: ${JSON.stringify(failures)}`);
      assert.match(refusal.reason, /exists/);
      assert.match(refusal.reason, /overwrite: true/, "says how to take it over");
      await assert.rejects(h.create(inputs), /exists.*overwrite: true/s);
      assert.equal(fs.readFileSync(file, "utf8"), theirs, "the file is untouched");
    });

    it(`${kind.name} - overwrite: true takes the file over; destroy then removes it`, async () => {
      const file = fileFor(kind, "adopt");
      writeUnrelated(file);
      const inputs = { ...kind.inputs(file, "a"), overwrite: true };
      assert.deepEqual((await h.check({}, inputs)).failures, []);
      const { id, outs } = await h.create(inputs);
      assert.notEqual(fs.readFileSync(file, "utf8"), "# not written by the stack\nkeep me\n");
      await h.delete(id, outs);
      assert.equal(fs.existsSync(file), false);
    });

    it(`${kind.name} - a file already holding exactly what the stack writes is taken without overwrite`, async () => {
      const file = fileFor(kind, "same");
      const inputs = kind.inputs(file, "a");
      const first = await h.create(inputs);
      // State lost (an interrupted create): the next create finds its own content there.
      assert.deepEqual((await h.check({}, inputs)).failures, []);
      const again = await h.create(inputs);
      assert.equal(fs.existsSync(file), true);
      await h.delete(again.id, again.outs);
      assert.equal(fs.existsSync(file), false);
      assert.ok(first.outs);
    });

    it(`${kind.name} - destroy leaves a file whose content is no longer what the stack wrote`, async () => {
      const file = fileFor(kind, "edited");
      const { id, outs } = await h.create(kind.inputs(file, "a"));
      fs.writeFileSync(file, "replaced by someone else\n");
      await h.delete(id, outs);
      assert.equal(fs.readFileSync(file, "utf8"), "replaced by someone else\n");
    });

    it(`${kind.name} - a move keeps an old file changed since, and refuses a new path holding another file`, async () => {
      const oldFile = fileFor(kind, "move-old");
      const { id, outs } = await h.create(kind.inputs(oldFile, "a"));
      const taken = fileFor(kind, "move-taken");
      const theirs = writeUnrelated(taken);
      const moved = kind.inputs(taken, "a");
      const failures = (await h.check(kind.inputs(oldFile, "a"), moved)).failures;
      assert.ok(
        failures.some((f) => f.property === kind.field),
        `check refuses the move: ${JSON.stringify(failures)}`,
      );
      await assert.rejects(h.update(id, outs, moved), /exists/);
      assert.equal(fs.readFileSync(taken, "utf8"), theirs);
      assert.equal(fs.existsSync(oldFile), true, "nothing removed by a refused update");

      // A free new path: the old file is removed only while it still holds what the stack wrote.
      fs.writeFileSync(oldFile, "edited by hand\n");
      const free = fileFor(kind, "move-free");
      const after = await h.update(id, outs, kind.inputs(free, "a"));
      assert.equal(fs.readFileSync(oldFile, "utf8"), "edited by hand\n", "the edited old file is kept");
      assert.equal(fs.existsSync(free), true);
      await h.delete(id, after.outs);
      assert.equal(fs.existsSync(free), false);
    });

    it(`${kind.name} - the stack rewrites its own file at the same path (drift repair) without overwrite`, async () => {
      const file = fileFor(kind, "own");
      const inputs = kind.inputs(file, "a");
      const { id, outs } = await h.create(inputs);
      fs.writeFileSync(file, "edited by hand\n");
      assert.deepEqual((await h.check(inputs, kind.inputs(file, "b"))).failures, []);
      await h.update(id, outs, kind.inputs(file, "b"));
      assert.notEqual(fs.readFileSync(file, "utf8"), "edited by hand\n");
    });

    it(`${kind.name} - a directory as the path fails and leaves no temp file`, async () => {
      const file = fileFor(kind, "dir");
      fs.mkdirSync(file, { recursive: true });
      const parent = path.dirname(file);
      const before = fs.readdirSync(parent).sort();
      const inputs = { ...kind.inputs(file, "a"), overwrite: true };
      assert.ok(
        (await h.check({}, inputs)).failures.some((f) => f.property === kind.field),
        "refused at preview",
      );
      await assert.rejects(h.create(inputs), /directory/);
      assert.deepEqual(fs.readdirSync(parent).sort(), before, "no temp file left beside it");
    });
  }
});

describe("atomic writes", () => {
  it("writeFileAtomic - a rename that fails (the path is a directory) removes its temp file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-atomic-"));
    try {
      const target = path.join(dir, "conf");
      fs.mkdirSync(target);
      assert.throws(() => writeFileAtomic(target, "text\n", 0o600, "Test"), /Test: cannot write/);
      assert.deepEqual(fs.readdirSync(dir), ["conf"], "only the directory is there");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
