/** Local files a stack writes (leaf creds, server configs): atomic writes with an explicit mode. */
import * as fs from "node:fs";
import * as path from "node:path";
import { NatsAuthError } from "../core/errors";

/**
 * Writes `text` to `file` atomically (temp file + rename) with `mode`, creating parent dirs (with
 * `dirMode` when given; directories that exist keep theirs).
 */
export function writeFileAtomic(
  file: string,
  text: string,
  mode: number,
  resource: string,
  dirMode?: number,
): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: dirMode });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text, { mode });
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, file);
  } catch (e) {
    throw new NatsAuthError(`${resource}: cannot write ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** The file's content, or undefined when it does not exist. */
export function readFileIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** The file's permission bits, or undefined when it does not exist. */
export function fileMode(file: string): number | undefined {
  try {
    return fs.statSync(file).mode & 0o777;
  } catch {
    return undefined;
  }
}

/** Removes a file; a missing file is fine. */
export function removeFile(file: string): void {
  fs.rmSync(file, { force: true });
}
