/**
 * The form an Account's `revocations` input takes in state.
 *
 * The engine stores the inputs `check` returns as they are. An account migrated from nsc carries
 * thousands of explicit revocations: as a JSON map that is 70 bytes an entry, beside the 93 the
 * account JWT (an output) takes for the same entry, so the checkpoint grew 1.75× the JWT
 * (docs/scale.md). From {@link PACK_FROM} entries on, `check` returns the map packed into one string
 * (32–35 bytes an entry before base64: the raw key and a time delta; 44–47 after), and every other
 * method receives the map again: the handlers never see the packed form, and a smaller map stays a
 * map (readable in state and in `pulumi preview --diff`).
 *
 * The packing is lossless (test/unit/storedRevocations.test.ts holds it to that): what it cannot pack
 * as binary (a date, "now", "*", a key that is not a user public key, a number that is not a whole
 * unix time) it keeps as JSON inside the same string, and unpacking refuses what it cannot read rather
 * than guess. Why not a hash of the map, with the entries read back from the stored JWT: docs/scale.md.
 */
import { NatsAuthError } from "../../core/errors";
import { encodePublicKey, publicKeyBytes } from "../../core/nkeys";
import type { Handler } from "./handler";
import { containsUnknown } from "./unknown";

/** The first line of the packed form; the version says how the rest reads. */
export const PACKED_PREFIX = "nats-auth:packed-revocations:v1";
/** Maps with fewer entries stay JSON maps. */
export const PACK_FROM = 64;

type Obj = Record<string, unknown>;
type Revocations = Record<string, number | string>;
/** A key's bytes after the first, which names its line. */
const REST_BYTES = 31;
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

function isRevocationMap(v: unknown): v is Revocations {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  return Object.values(v).every((x) => typeof x === "number" || typeof x === "string");
}

/** Unsigned LEB128 of a safe integer (arithmetic, not bit operations: times may pass 2^31). */
function pushVarint(out: number[], n: number): void {
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/** One line: the entries whose key's first byte is `first`, by time (each time a delta from the one before). */
function packLine(first: number, entries: { raw: Uint8Array; hex: string; at: number }[]): string {
  entries.sort((a, b) => a.at - b.at || (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
  const head: number[] = [];
  pushVarint(head, entries.length);
  const times: number[] = [];
  let previous = 0;
  for (const e of entries) {
    pushVarint(times, e.at - previous);
    previous = e.at;
  }
  const body = Buffer.concat([
    Buffer.from(head),
    ...entries.map((e) => e.raw.subarray(1)),
    Buffer.from(times),
  ]);
  return first.toString(16).padStart(2, "0") + body.toString("base64");
}

/**
 * `revocations` in the form state stores: packed when it is a known map of at least
 * {@link PACK_FROM} entries, otherwise as given.
 *
 * The packed form is text: the {@link PACKED_PREFIX} line, then one line per first byte of the raw
 * user keys (two hex digits, then base64 of the entries' count, their keys' other 31 bytes and their
 * time deltas), then, when some entry cannot be packed so, one line of JSON holding those. A line per
 * key byte keeps a change local: `pulumi preview --diff` prints a multi-line string as a line diff
 * (the changed lines and two around them), where one long line would be printed whole, twice.
 */
export function packRevocations(revocations: unknown): unknown {
  if (!isRevocationMap(revocations) || containsUnknown(revocations)) return revocations;
  const keys = Object.keys(revocations);
  if (keys.length < PACK_FROM) return revocations;
  const lines = new Map<number, { raw: Uint8Array; hex: string; at: number }[]>();
  const rest: Revocations = {};
  for (const key of keys) {
    const at = revocations[key];
    const raw = publicKeyBytes(key, "user");
    if (raw && Number.isSafeInteger(at) && (at as number) >= 0 && encodePublicKey("user", raw) === key) {
      const line = lines.get(raw[0]) ?? [];
      line.push({ raw, hex: Buffer.from(raw).toString("hex"), at: at as number });
      lines.set(raw[0], line);
    } else rest[key] = at;
  }
  const out = [PACKED_PREFIX];
  for (const first of [...lines.keys()].sort((a, b) => a - b))
    out.push(packLine(first, lines.get(first) ?? []));
  if (Object.keys(rest).length) out.push(JSON.stringify(rest));
  return out.join("\n");
}

function unreadable(why: string): NatsAuthError {
  return new NatsAuthError(
    `revocations: the packed form stored in state cannot be read (${why}); this package writes it ` +
      "from the program's map, so the state was changed by other means. Restore the checkpoint from " +
      "a backup (pulumi stack export/import, or the backend's .json.bak), then run pulumi up again",
  );
}

/** Reads one key line into `out`. */
function unpackLine(line: string, out: Revocations): void {
  const first = Number.parseInt(line.slice(0, 2), 16);
  const text = line.slice(2);
  if (!/^[0-9a-f]{2}$/.test(line.slice(0, 2)) || !BASE64_LINE.test(text) || text.length % 4 !== 0)
    throw unreadable("a line is not two hex digits and base64");
  const body = Buffer.from(text, "base64");
  let pos = 0;
  const varint = (): number => {
    let n = 0;
    let scale = 1;
    for (;;) {
      if (pos >= body.length) throw unreadable("a line ends early");
      const b = body[pos++];
      n += (b & 0x7f) * scale;
      if (!Number.isSafeInteger(n)) throw unreadable("a number is too large");
      if (b < 0x80) return n;
      scale *= 0x80;
    }
  };
  const count = varint();
  if (count === 0 || count * REST_BYTES > body.length - pos) throw unreadable("a line ends early");
  const keysAt = pos;
  pos += count * REST_BYTES;
  let at = 0;
  const raw = new Uint8Array(32);
  raw[0] = first;
  for (let i = 0; i < count; i++) {
    at += varint();
    if (!Number.isSafeInteger(at)) throw unreadable("a time is too large");
    raw.set(body.subarray(keysAt + i * REST_BYTES, keysAt + (i + 1) * REST_BYTES), 1);
    const key = encodePublicKey("user", raw);
    if (key in out) throw unreadable(`key ${key} appears twice`);
    out[key] = at;
  }
  if (pos !== body.length) throw unreadable("a line holds more than its entries");
}

/** The map a packed `revocations` stands for; anything else is returned as it is. */
export function unpackRevocations(stored: unknown): unknown {
  if (typeof stored !== "string" || !stored.startsWith(PACKED_PREFIX)) return stored;
  const [head, ...lines] = stored.split("\n");
  if (head !== PACKED_PREFIX) throw unreadable(`its first line is not ${PACKED_PREFIX}`);
  const out: Revocations = {};
  lines.forEach((line, i) => {
    if (!line.startsWith("{")) {
      unpackLine(line, out);
      return;
    }
    if (i !== lines.length - 1) throw unreadable("its JSON line is not the last");
    let rest: unknown;
    try {
      rest = JSON.parse(line);
    } catch {
      throw unreadable("its JSON line does not parse");
    }
    if (!isRevocationMap(rest)) throw unreadable("its JSON line is not a map of times");
    for (const [key, value] of Object.entries(rest)) {
      if (key in out) throw unreadable(`key ${key} appears twice`);
      out[key] = value;
    }
  });
  return out;
}

/** `props` with `revocations` read back from its stored form (nothing else changes). */
function unpacked<T>(props: T): T {
  const r = (props as Obj | undefined)?.revocations;
  if (typeof r !== "string") return props;
  return { ...(props as Obj), revocations: unpackRevocations(r) } as T;
}

/** `props` with `revocations` in its stored form. */
function packed<T>(props: T): T {
  const r = (props as Obj | undefined)?.revocations;
  if (r === undefined) return props;
  return { ...(props as Obj), revocations: packRevocations(r) } as T;
}

/**
 * The handler with `revocations` stored packed: `check` (and `read`, when it resets the inputs) returns
 * them packed; every method unpacks what it is given, the program's inputs included (an
 * `ignoreChanges` on `revocations` hands check the stored value as the new one).
 */
export function storedRevocations<P extends object, S extends P>(h: Handler<P, S>): Handler<P, S> {
  const out: Handler<P, S> = {
    async check(olds, news) {
      const r = await h.check(unpacked(olds), unpacked(news));
      return { ...r, inputs: packed(r.inputs) };
    },
    diff: (id, olds, news) => h.diff(id, unpacked(olds), unpacked(news)),
    create: (inputs) => h.create(unpacked(inputs)),
  };
  const { update, read, delete: del, preview } = h;
  if (update) out.update = (id, olds, news) => update(id, unpacked(olds), unpacked(news));
  if (read) {
    out.read = async (id, props) => {
      const r = (await read(id, unpacked(props))) as Awaited<ReturnType<typeof read>> & { inputs?: P };
      return r.inputs === undefined ? r : { ...r, inputs: packed(r.inputs) };
    };
  }
  if (del) out.delete = (id, props) => del(id, unpacked(props));
  if (preview) out.preview = (news, olds) => preview(unpacked(news), olds && unpacked(olds));
  return out;
}
