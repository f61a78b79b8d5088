/**
 * NKeys (NATS Ed25519 identities) signed through node:crypto.
 *
 * The nkeys libraries sign with tweetnacl in pure JS (about 110 signatures/s here); node:crypto's
 * Ed25519 gives byte-identical signatures about 200x faster. The key pair returned here satisfies
 * the interface @nats-io/jwt accepts (getPublicKey, getPrivateKey, getSeed, sign, verify).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from "node:crypto";
import { KeyError } from "./errors";

/** What an nkey identifies; the letter is the first character of its public key. */
export const KeyKind = {
  operator: "O",
  account: "A",
  user: "U",
  server: "N",
  cluster: "C",
  /** An X25519 key (xkey) that encrypts, never signs: auth callout requests are sealed to one. */
  curve: "X",
} as const;
export type KeyKind = keyof typeof KeyKind;

// Prefix bytes of the encoded forms (5 bits of the first base32 character).
const PREFIX_SEED = 18 << 3;
const PREFIX_BYTE: Record<KeyKind, number> = {
  operator: 14 << 3,
  account: 0,
  user: 20 << 3,
  server: 13 << 3,
  cluster: 2 << 3,
  curve: 23 << 3,
};
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");
const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");
const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A key pair compatible with @nats-io/jwt's `KeyPair`. */
export interface NKeyPair {
  readonly kind: KeyKind;
  getPublicKey(): string;
  getPrivateKey(): Uint8Array;
  getSeed(): Uint8Array;
  sign(data: Uint8Array): Uint8Array;
  verify(data: Uint8Array, sig: Uint8Array): boolean;
  clear(): void;
}

function crc16(data: Uint8Array): number {
  let crc = 0;
  for (const b of data) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function base32Encode(data: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of data) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

function base32Decode(text: string): Uint8Array | undefined {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    const v = B32.indexOf(ch);
    if (v < 0) return undefined;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

function withChecksum(payload: Uint8Array): string {
  const crc = crc16(payload);
  const full = new Uint8Array(payload.length + 2);
  full.set(payload);
  full[payload.length] = crc & 0xff;
  full[payload.length + 1] = crc >> 8;
  return base32Encode(full);
}

function checksumPayload(text: string): Uint8Array | undefined {
  const raw = base32Decode(text);
  if (!raw || raw.length < 3) return undefined;
  const payload = raw.subarray(0, raw.length - 2);
  const crc = raw[raw.length - 2] | (raw[raw.length - 1] << 8);
  return crc16(payload) === crc ? payload : undefined;
}

function kindOfPrefix(byte: number): KeyKind | undefined {
  return (Object.keys(PREFIX_BYTE) as KeyKind[]).find((k) => PREFIX_BYTE[k] === byte);
}

/** Encodes a raw 32-byte Ed25519 public key as an nkey public key ("O…", "A…", "U…"). */
export function encodePublicKey(kind: KeyKind, raw: Uint8Array): string {
  const payload = new Uint8Array(33);
  payload[0] = PREFIX_BYTE[kind];
  payload.set(raw, 1);
  return withChecksum(payload);
}

/** Encodes a raw 32-byte Ed25519 seed as an nkey seed ("SO…", "SA…", "SU…"). */
export function encodeSeed(kind: KeyKind, raw: Uint8Array): string {
  const payload = new Uint8Array(34);
  const p = PREFIX_BYTE[kind];
  payload[0] = PREFIX_SEED | (p >> 5);
  payload[1] = (p & 31) << 3;
  payload.set(raw, 2);
  return withChecksum(payload);
}

/**
 * The raw 32 bytes of a public key of `kind`, or undefined when `key` is not one; encoding them again
 * with {@link encodePublicKey} gives `key` back.
 */
export function publicKeyBytes(key: string, kind: KeyKind): Uint8Array | undefined {
  if (typeof key !== "string" || key.length !== 56) return undefined;
  const payload = checksumPayload(key);
  if (payload?.length !== 33 || payload[0] !== PREFIX_BYTE[kind]) return undefined;
  return payload.slice(1);
}

/** The kind of a public key, or undefined when the text is not a valid nkey public key. */
export function publicKeyKind(key: string): KeyKind | undefined {
  if (typeof key !== "string" || key.length !== 56) return undefined;
  const payload = checksumPayload(key);
  if (payload?.length !== 33) return undefined;
  return kindOfPrefix(payload[0]);
}

/** True when `key` is a valid public key of the given kind. */
export function isPublicKey(key: unknown, kind?: KeyKind): key is string {
  if (typeof key !== "string") return false;
  const k = publicKeyKind(key);
  return k !== undefined && (kind === undefined || k === kind);
}

/** Decodes a seed; the message never includes the seed text. */
export function decodeSeed(seed: string): { kind: KeyKind; raw: Uint8Array } {
  if (typeof seed !== "string" || seed.length !== 58 || seed[0] !== "S") {
    throw new KeyError("not an nkey seed (expected 58 characters starting with 'S')");
  }
  const payload = checksumPayload(seed);
  if (payload?.length !== 34) throw new KeyError("not an nkey seed (bad checksum or encoding)");
  if ((payload[0] & 0xf8) !== PREFIX_SEED) throw new KeyError("not an nkey seed (bad prefix)");
  const prefix = ((payload[0] & 7) << 5) | ((payload[1] & 0xf8) >> 3);
  const kind = kindOfPrefix(prefix);
  if (!kind) throw new KeyError("nkey seed of an unknown kind");
  return { kind, raw: payload.slice(2) };
}

/** The kind a seed is for, or undefined when it is not a valid seed. */
export function seedKind(seed: unknown): KeyKind | undefined {
  if (typeof seed !== "string") return undefined;
  try {
    return decodeSeed(seed).kind;
  } catch {
    return undefined;
  }
}

function privateKeyObject(kind: KeyKind, raw: Uint8Array): KeyObject {
  // A curve key's raw seed is an X25519 private key (nkeys.js clamps it the same way node:crypto does).
  const prefix = kind === "curve" ? PKCS8_X25519 : PKCS8_ED25519;
  return createPrivateKey({ key: Buffer.concat([prefix, raw]), format: "der", type: "pkcs8" });
}

/**
 * Public keys already derived in this process, by a SHA-256 of the seed bytes (no seed is kept).
 * A no-op preview checks and diffs every identity, loading each signer seed once per resource it
 * signed (an account signing key: once per user), and deriving a public key costs a private key
 * import and a public key export (about 0.3 ms); a hash lookup costs microseconds.
 */
const derivedPublicKeys = new Map<string, string>();
const DERIVED_MAX = 100_000;

function derivedId(kind: KeyKind, raw: Uint8Array): string {
  return `${kind}:${createHash("sha256").update(raw).digest("base64")}`;
}

class CryptoKeyPair implements NKeyPair {
  #raw: Uint8Array;
  /** Created on first use: checks and diffs only need the public key. */
  #priv?: KeyObject;
  #pub: string;
  #cleared = false;
  constructor(
    readonly kind: KeyKind,
    raw: Uint8Array,
  ) {
    this.#raw = Uint8Array.from(raw);
    const id = derivedId(kind, raw);
    const known = derivedPublicKeys.get(id);
    if (known) {
      this.#pub = known;
    } else {
      this.#priv = privateKeyObject(kind, raw);
      const spki = createPublicKey(this.#priv).export({ format: "der", type: "spki" });
      this.#pub = encodePublicKey(kind, spki.subarray(spki.length - 32));
      if (derivedPublicKeys.size >= DERIVED_MAX) derivedPublicKeys.clear();
      derivedPublicKeys.set(id, this.#pub);
    }
  }
  #key(): KeyObject {
    if (!this.#priv) {
      if (this.#cleared) throw new KeyError(`the ${this.kind} key pair was cleared and cannot sign`);
      this.#priv = privateKeyObject(this.kind, this.#raw);
    }
    return this.#priv;
  }
  getPublicKey(): string {
    return this.#pub;
  }
  getPrivateKey(): Uint8Array {
    // The nkeys "private key" form is seed || public key (64 bytes), encoded with prefix 'P'.
    const pub = checksumPayload(this.#pub)!.subarray(1);
    const out = new Uint8Array(64);
    out.set(this.#raw);
    out.set(pub, 32);
    return new TextEncoder().encode(withChecksum(Uint8Array.from([15 << 3, ...out])));
  }
  getSeed(): Uint8Array {
    return new TextEncoder().encode(encodeSeed(this.kind, this.#raw));
  }
  seed(): string {
    return encodeSeed(this.kind, this.#raw);
  }
  sign(data: Uint8Array): Uint8Array {
    if (this.kind === "curve") throw new KeyError("a curve (xkey) key encrypts and cannot sign");
    return new Uint8Array(sign(null, data, this.#key()));
  }
  verify(data: Uint8Array, sig: Uint8Array): boolean {
    return verifySignature(this.#pub, data, sig);
  }
  clear(): void {
    this.#raw.fill(0);
    this.#priv = undefined;
    this.#cleared = true;
  }
}

/** Generates a new key pair of the given kind from 32 random bytes. */
export function createKeyPair(kind: KeyKind): NKeyPair & { seed(): string } {
  return new CryptoKeyPair(kind, randomBytes(32));
}

/** Loads a key pair from its seed, checking the kind when one is expected. */
export function fromSeed(
  seed: string,
  expected?: KeyKind | readonly KeyKind[],
): NKeyPair & { seed(): string } {
  const { kind, raw } = decodeSeed(seed);
  const allowed = expected === undefined ? undefined : typeof expected === "string" ? [expected] : expected;
  if (allowed && !allowed.includes(kind)) {
    throw new KeyError(`seed is for a ${kind} key, expected ${allowed.join(" or ")}`);
  }
  return new CryptoKeyPair(kind, raw);
}

/**
 * node:crypto public keys by nkey, for `verifySignature`. Making the KeyObject cost about twice the
 * verification itself (bench: 200 account pushes verify against the same one or two operator keys),
 * and a public key holds nothing secret. Bounded: emptied when full.
 */
const publicKeys = new Map<string, KeyObject>();
const PUBLIC_KEYS_MAX = 1024;

function publicKeyObject(publicKey: string): KeyObject | undefined {
  const known = publicKeys.get(publicKey);
  if (known) return known;
  const payload = checksumPayload(publicKey);
  if (payload?.length !== 33) return undefined;
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), payload.subarray(1)]);
  const key = createPublicKey({ key: spki, format: "der", type: "spki" });
  if (publicKeys.size >= PUBLIC_KEYS_MAX) publicKeys.clear();
  publicKeys.set(publicKey, key);
  return key;
}

/** Verifies an Ed25519 signature against an nkey public key. */
export function verifySignature(publicKey: string, data: Uint8Array, sig: Uint8Array): boolean {
  const key = publicKeyObject(publicKey);
  return key !== undefined && verify(null, data, key, sig);
}

/** Derives the public key of a seed without keeping the key pair. */
export function publicKeyOf(seed: string): string {
  const kp = fromSeed(seed);
  const pub = kp.getPublicKey();
  kp.clear();
  return pub;
}
