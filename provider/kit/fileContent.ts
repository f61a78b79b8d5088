/**
 * Local files a handler writes: which files the stack may write and remove, and the digest it keeps
 * in state to notice a file changing behind the stack's back (never the text, which may be a secret).
 *
 * "The stack wrote it" means: the resource wrote that path before (its stored inputs name it: it
 * created or took over the file, across any number of updates), or the file holds exactly the text
 * the resource is about to write (a create interrupted before its state was saved). Anything else
 * at the path belongs to someone else: a write there is refused unless the resource says
 * `overwrite: true`, and a delete leaves a file whose content is no longer what the stack wrote.
 */
import { createHash } from "node:crypto";
import { ConfigError } from "../../core/errors";
import { fileMode, pathKind, readFileIfExists, removeFile, writeFileAtomic } from "../../io/files";

/** A short digest of `text`; "" for no text. */
export function digest(text: string | undefined): string {
  return text === undefined ? "" : createHash("sha256").update(text).digest("hex").slice(0, 32);
}

/** Whether `file` holds the text whose digest is `hash`, readable by its owner only (mode 0600). */
export function fileHolds(file: string, hash: string): boolean {
  return fileMode(file) === 0o600 && digest(readFileIfExists(file)) === hash;
}

/** How a resource stands towards the file at its path. */
export interface Claim {
  /** The resource wrote this path before (its stored inputs name it). */
  owned: boolean;
  /** The user's explicit `overwrite: true`: take over a file the stack did not write. */
  overwrite?: unknown;
  /**
   * While the text to write is not known yet (a preview): whether an existing file could still be
   * the resource's own (an interrupted create); if not, it is refused now rather than at `up`.
   */
  couldBeOwn?: (existing: string) => boolean;
}

/**
 * Why the resource may not write `text` (undefined: not known yet) to `file`, or undefined when it
 * may. Never quotes the file's content (it may be someone's secret).
 */
export function claimProblem(file: string, text: string | undefined, claim: Claim): string | undefined {
  const kind = pathKind(file);
  if (kind === "other") return `${file} exists and is not a regular file (a directory?): choose a file path`;
  if (kind === "none" || claim.owned || claim.overwrite === true) return undefined;
  const existing = readFileIfExists(file);
  if (existing === undefined) return undefined;
  if (text === undefined ? (claim.couldBeOwn?.(existing) ?? true) : existing === text) return undefined;
  return (
    `${file} already exists and this stack did not write it; it is left as it is. Choose another ` +
    "path, or set overwrite: true to let the stack replace it (destroy then removes it)"
  );
}

/**
 * Writes `text` to `file` (mode `mode`) if the claim allows it, else throws a `ConfigError` naming
 * `resource` and `field`. A file that was not there is created without replacing one that appears
 * meanwhile.
 */
export function writeClaimed(
  resource: string,
  field: string,
  file: string,
  text: string,
  mode: number,
  claim: Claim,
  dirMode?: number,
): void {
  const problem = claimProblem(file, text, claim);
  if (problem) throw new ConfigError(field, problem, { resource });
  const replace = claim.owned || claim.overwrite === true || pathKind(file) === "file";
  writeFileAtomic(file, text, mode, resource, dirMode, replace ? "replace" : "create");
}

/**
 * Removes `file` if it still holds `written` (what the stack wrote there); a file changed since
 * belongs to whoever changed it and is left in place. Returns whether it was removed.
 */
export function removeWritten(file: string, written: string | undefined): boolean {
  if (written === undefined || readFileIfExists(file) !== written) return false;
  removeFile(file);
  return true;
}
