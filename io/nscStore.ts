/**
 * Reads an nsc store from disk for `import-nsc`: the operator's, accounts' and users' JWTs
 * (`<store>/<operator>/<operator>.jwt`, `accounts/<name>/<name>.jwt`, `accounts/<name>/users/*.jwt`)
 * and where the keys dir holds each seed (`keys/<kind letter>/<2nd and 3rd letters>/<public key>.nk`,
 * nsc's layout; a flat dir of `<public key>.nk` files, as `nsc export keys` writes, works too). Seeds
 * are only checked here, never returned: the importer hands the files to `pulumi config set --secret`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { NscStoreError } from "../core/errors";
import { decodeJwt } from "../core/jwt";
import { publicKeyOf } from "../core/nkeys";
import type { NscStoreContents, StoredAccount, StoredIdentity } from "../core/nscProgram";

export interface NscStore extends NscStoreContents {
  /** The operator's directory in the store. */
  dir: string;
  /** Public key → the seed file in the keys dir, for every key of the store that has one. */
  seedFiles: Map<string, string>;
}

function readIdentity(file: string, type: string): StoredIdentity {
  const jwt = fs.readFileSync(file, "utf8").trim();
  let claims: StoredIdentity["claims"];
  try {
    claims = decodeJwt(jwt);
  } catch (e) {
    throw new NscStoreError(`${file}: not a JWT`, { cause: e });
  }
  if (claims.nats?.type !== type) {
    throw new NscStoreError(`${file}: a ${String(claims.nats?.type)} JWT where a ${type} JWT belongs`);
  }
  return { jwt, claims };
}

function jwtFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".jwt"))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Every public key a store's JWTs name as an identity or signing key. */
function keysOf(contents: NscStoreContents): string[] {
  const keys = new Set<string>();
  const add = (c: StoredIdentity["claims"]) => {
    keys.add(c.sub);
    const sks = c.nats.signing_keys;
    if (Array.isArray(sks)) {
      for (const k of sks) keys.add(typeof k === "string" ? k : String((k as { key?: unknown }).key));
    }
  };
  add(contents.operator.claims);
  for (const a of contents.accounts) {
    add(a.claims);
    for (const u of a.users) add(u.claims);
  }
  return [...keys];
}

/** Where the keys dir keeps `publicKey`'s seed, checked to be that key's seed; undefined when absent. */
function seedFile(keysDir: string, publicKey: string): string | undefined {
  const nested = path.join(publicKey[0], publicKey.slice(1, 3), `${publicKey}.nk`);
  const candidates = [
    path.join(keysDir, "keys", nested),
    path.join(keysDir, nested),
    path.join(keysDir, `${publicKey}.nk`),
  ];
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file) return undefined;
  let matches: boolean;
  try {
    matches = publicKeyOf(fs.readFileSync(file, "utf8").trim()) === publicKey;
  } catch (e) {
    throw new NscStoreError(`${file}: not an nkey seed`, { cause: e });
  }
  if (!matches) throw new NscStoreError(`${file}: holds the seed of another key than ${publicKey}`);
  return file;
}

/** Reads operator `operator` from the nsc store dir `storeDir` and finds its seeds in `keysDir`. */
export function readNscStore(storeDir: string, keysDir: string, operator: string): NscStore {
  const dir = path.join(storeDir, operator);
  const operatorFile = path.join(dir, `${operator}.jwt`);
  if (!fs.existsSync(operatorFile)) {
    throw new NscStoreError(
      `no operator "${operator}" in ${storeDir} (expected ${operatorFile}); --store is nsc's stores dir, e.g. ~/.local/share/nats/nsc/stores`,
    );
  }
  if (!fs.existsSync(keysDir)) throw new NscStoreError(`keys dir ${keysDir} does not exist`);
  const accountsDir = path.join(dir, "accounts");
  const accounts: StoredAccount[] = (fs.existsSync(accountsDir) ? fs.readdirSync(accountsDir).sort() : [])
    .filter((name) => fs.existsSync(path.join(accountsDir, name, `${name}.jwt`)))
    .map((name) => ({
      ...readIdentity(path.join(accountsDir, name, `${name}.jwt`), "account"),
      users: jwtFiles(path.join(accountsDir, name, "users")).map((f) => readIdentity(f, "user")),
    }));
  const contents = { operator: readIdentity(operatorFile, "operator"), accounts };
  const seedFiles = new Map<string, string>();
  for (const key of keysOf(contents)) {
    const file = seedFile(keysDir, key);
    if (file) seedFiles.set(key, file);
  }
  return { ...contents, dir, seedFiles };
}

/** Writes the generated project's files into `outDir` (created if needed). */
export function writeProject(outDir: string, files: Record<string, string>): void {
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(outDir, name), text, { mode: name.endsWith(".sh") ? 0o755 : 0o644 });
  }
}
