/**
 * What a handler that writes a local file keeps in state to notice the file changing behind the
 * stack's back: a digest of the text it wrote (never the text, which may be a secret).
 */
import { createHash } from "node:crypto";
import { fileMode, readFileIfExists } from "../../io/files";

/** A short digest of `text`; "" for no text. */
export function digest(text: string | undefined): string {
  return text === undefined ? "" : createHash("sha256").update(text).digest("hex").slice(0, 32);
}

/** Whether `file` holds the text whose digest is `hash`, readable by its owner only (mode 0600). */
export function fileHolds(file: string, hash: string): boolean {
  return fileMode(file) === 0o600 && digest(readFileIfExists(file)) === hash;
}
