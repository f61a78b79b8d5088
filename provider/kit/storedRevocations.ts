/**
 * The form an Account's `revocations` input takes in state.
 *
 * The engine stores the inputs `check` returns as they are. An account migrated from nsc carries
 * thousands of explicit revocations: as a JSON map that is 70 bytes an entry, beside the 93 the
 * account JWT (an output) takes for the same entry, so the checkpoint grew 1.75× the JWT
 * (docs/scale.md). From {@link PACK_FROM} entries on, `check` returns the map packed into one string
 * (33–35 bytes an entry before base64: the raw key and a time delta), and every other method receives
 * the map again: the handlers never see the packed form, and a smaller map stays a map (readable in
 * state and in `pulumi preview --diff`).
 *
 * The packing is lossless (a property test holds it to that): what it cannot pack as binary (a date,
 * "now", "*", a key that is not a user public key, a number that is not a whole unix time) it keeps
 * as JSON inside the same string, and unpacking refuses what it cannot read rather than guess.
 */
import { NatsAuthError } from "../../core/errors";
import { encodePublicKey, publicKeyBytes } from "../../core/nkeys";
import type { Handler } from "./handler";
import { containsUnknown } from "./unknown";

/** How the packed form starts; the version says how the rest reads. */
export const PACKED_PREFIX = "nats-auth:packed-revocations:v1:";
/** Maps with fewer entries stay JSON maps. */
export const PACK_FROM = 64;

type Obj = Record<string, unknown>;
type Revocations = Record<string, number | string>;
const KEY_BYTES = 32;

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

/**
 * `revocations` in the form state stores: packed when it is a known map of at least
 * {@link PACK_FROM} entries, otherwise as given.
 */
export function packRevocations(revocations: unknown): unknown {
  if (!isRevocationMap(revocations) || containsUnknown(revocations)) return revocations;
  const keys = Object.keys(revocations);
  if (keys.length < PACK_FROM) return revocations;
  const packed: { raw: Uint8Array; hex: string; at: number }[] = [];
  const rest: Revocations = {};
  for (const key of keys) {
    const at = revocations[key];
    const raw = publicKeyBytes(key, "user");
    if (raw && Number.isSafeInteger(at) && (at as number) >= 0 && encodePublicKey("user", raw) === key) {
      packed.push({ raw, hex: Buffer.from(raw).toString("hex"), at: at as number });
    } else rest[key] = at;
  }
  // By time, so each time is a small delta from the one before (a few bytes, often one).
  packed.sort((a, b) => a.at - b.at || (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
  const head: number[] = [];
  pushVarint(head, packed.length);
  const times: number[] = [];
  let previous = 0;
  for (const p of packed) {
    pushVarint(times, p.at - previous);
    previous = p.at;
  }
  const json = Object.keys(rest).length ? Buffer.from(JSON.stringify(rest), "utf8") : Buffer.alloc(0);
  const body = Buffer.concat([Buffer.from(head), ...packed.map((p) => p.raw), Buffer.from(times), json]);
  return PACKED_PREFIX + body.toString("base64");
}

function unreadable(why: string): NatsAuthError {
  return new NatsAuthError(
    `revocations: the packed form stored in state cannot be read (${why}); this package writes it ` +
      "from the program's map, so the state was changed by other means. Restore the checkpoint from " +
      "a backup (pulumi stack export/import, or the backend's .json.bak), then run pulumi up again",
  );
}

/** The map a packed `revocations` stands for; anything else is returned as it is. */
export function unpackRevocations(stored: unknown): unknown {
  if (typeof stored !== "string" || !stored.startsWith(PACKED_PREFIX)) return stored;
  const text = stored.slice(PACKED_PREFIX.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw unreadable("not base64");
  const body = Buffer.from(text, "base64");
  let pos = 0;
  const varint = (): number => {
    let n = 0;
    let scale = 1;
    for (;;) {
      if (pos >= body.length) throw unreadable("it ends early");
      const b = body[pos++];
      n += (b & 0x7f) * scale;
      if (!Number.isSafeInteger(n)) throw unreadable("a number is too large");
      if (b < 0x80) return n;
      scale *= 0x80;
    }
  };
  const count = varint();
  if (count * KEY_BYTES > body.length - pos) throw unreadable("it ends early");
  const keysAt = pos;
  pos += count * KEY_BYTES;
  const out: Revocations = {};
  let at = 0;
  for (let i = 0; i < count; i++) {
    at += varint();
    if (!Number.isSafeInteger(at)) throw unreadable("a time is too large");
    const key = encodePublicKey("user", body.subarray(keysAt + i * KEY_BYTES, keysAt + (i + 1) * KEY_BYTES));
    if (key in out) throw unreadable(`key ${key} appears twice`);
    out[key] = at;
  }
  if (pos < body.length) {
    let rest: unknown;
    try {
      rest = JSON.parse(body.subarray(pos).toString("utf8"));
    } catch {
      throw unreadable("its JSON part does not parse");
    }
    if (!isRevocationMap(rest)) throw unreadable("its JSON part is not a map of times");
    for (const [key, value] of Object.entries(rest)) {
      if (key in out) throw unreadable(`key ${key} appears twice`);
      out[key] = value;
    }
  }
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
