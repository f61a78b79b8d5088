/** Local files a stack writes (leaf creds, server configs): atomic writes with an explicit mode. */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { NatsAuthError } from "../core/errors";

/** How a write treats a file already at the path. */
export type Replace =
  /** Replace it (the caller decided it may). */
  | "replace"
  /** Never replace it: the write fails if a file appeared there since the caller looked. */
  | "create";

/**
 * Writes `text` to `file` atomically with `mode`: a temp file in the same directory, renamed (or,
 * with `replace: "create"`, hard-linked, which fails rather than replace a file that appeared in
 * the meantime). Parent dirs are created with `dirMode` when given; directories that exist keep
 * theirs. On any failure the temp file is removed.
 */
export function writeFileAtomic(
  file: string,
  text: string,
  mode: number,
  resource: string,
  dirMode?: number,
  replace: Replace = "replace",
): void {
  let tmp: string | undefined;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: dirMode });
    // Random and exclusive: never follows or reuses a file someone else put at the temp name.
    tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
    const fd = fs.openSync(tmp, "wx", mode);
    try {
      fs.writeFileSync(fd, text);
      fs.fchmodSync(fd, mode);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (replace === "create") createFrom(tmp, file);
    else fs.renameSync(tmp, file);
    tmp = undefined;
  } catch (e) {
    throw new NatsAuthError(`${resource}: cannot write ${file}: ${(e as Error).message}`, { cause: e });
  } finally {
    if (tmp !== undefined) fs.rmSync(tmp, { force: true });
  }
}

/** Puts `tmp` at `file` unless a file is there (hard link), then drops the temp name. */
function createFrom(tmp: string, file: string): void {
  try {
    fs.linkSync(tmp, file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST")
      throw new Error("a file appeared there while it was being written; it was left as it is");
    // File systems without hard links: the existence check and the rename are then two steps.
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EXDEV" && code !== "ENOSYS") throw e;
    if (fs.existsSync(file))
      throw new Error("a file appeared there while it was being written; it was left as it is");
    fs.renameSync(tmp, file);
    return;
  }
  fs.rmSync(tmp, { force: true });
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

/** What is at `file`: nothing, a file (or a link to one), or something else (a directory, a socket…). */
export function pathKind(file: string): "none" | "file" | "other" {
  try {
    return fs.statSync(file).isFile() ? "file" : "other";
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // A dangling symlink: a name is taken there all the same.
    if (code === "ENOENT" && fs.lstatSync(file, { throwIfNoEntry: false })) return "other";
    return code === "ENOENT" || code === "ENOTDIR" ? "none" : "other";
  }
}

/** Removes a file; a missing file is fine. */
export function removeFile(file: string): void {
  fs.rmSync(file, { force: true });
}
