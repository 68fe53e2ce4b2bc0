/**
 * File-system errors as the one-line `E_IO` errors the CLI prints: every errno a run can meet on
 * its inputs and outputs, in words, with the path it concerns. Anything not listed keeps the
 * system's message (still typed, still one line).
 */
import { DecomposeError } from "../errors.js";

const WORDS: ReadonlyMap<string, string> = new Map([
  ["ENOENT", "no such file or directory"],
  ["ENOTDIR", "a component of the path is not a directory"],
  ["EEXIST", "already exists"],
  ["EISDIR", "is a directory"],
  ["EACCES", "permission denied"],
  ["EPERM", "operation not permitted"],
  ["EROFS", "read-only file system"],
  ["ENOSPC", "no space left on device"],
  ["EDQUOT", "disk quota exceeded"],
  ["EIO", "input/output error"],
  ["ENAMETOOLONG", "file name too long"],
  ["ELOOP", "too many levels of symbolic links"],
  ["EMFILE", "too many open files"],
  ["ENFILE", "too many open files in the system"],
  ["EBUSY", "device or resource busy"],
  ["EXDEV", "not on the same file system"],
  ["EINVAL", "invalid argument"],
  ["ENXIO", "no such device or address"],
  ["ENODEV", "no such device"],
  ["ETXTBSY", "text file busy"],
  ["EFBIG", "file too large"],
]);

export function errnoCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The errno in words (`permission denied`), or the error's own message. */
export function fsReason(e: unknown): string {
  const code = errnoCode(e);
  const words = code === undefined ? undefined : WORDS.get(code);
  if (words !== undefined) return words;
  return e instanceof Error ? e.message : String(e);
}

/** `<path>: <action>: <reason> (<CODE>)` as a typed error. */
export function fsError(e: unknown, path: string, action: string): DecomposeError {
  if (e instanceof DecomposeError) return e;
  const code = errnoCode(e);
  return new DecomposeError("E_IO", `${action}: ${fsReason(e)}${code === undefined || !WORDS.has(code) ? "" : ` (${code})`}`, path);
}
