/**
 * The output directory, checked and created before any work, so a bad `--out-dir` costs nothing.
 * The path is walked up by hand to the first component that exists (which must be a directory);
 * the missing ones are then created one `mkdir` at a time, top down. (Node's recursive mkdir is
 * not used: under /proc it retries forever.) Then the directory must be writable. Every failure
 * is one `E_IO` line naming the path (fs-errors.ts).
 */
import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DecomposeError } from "../errors.js";
import { errnoCode, fsError } from "./fs-errors.js";

/** Make sure `dir` is a writable directory, creating it (and missing parents) if needed. */
export function prepareOutputDirectory(dir: string, option = "--out-dir"): void {
  if (dir === "") throw new DecomposeError("E_OPTION", `${option} is empty (give a directory, . for the current one)`);
  const missing: string[] = [];
  let p = resolve(dir);
  for (;;) {
    const kind = pathKind(p);
    if (kind === "directory") break;
    if (kind === "other") throw new DecomposeError("E_IO", `is not a directory (${option} ${dir})`, p);
    missing.push(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (e) {
      if (!(errnoCode(e) === "EEXIST" && pathKind(m) === "directory")) throw fsError(e, m, "cannot create the output directory");
    }
  }
  checkWritableDirectory(resolve(dir));
}

/** The directory a file will be written to must exist and be writable (it is not created). */
export function checkOutputFileDirectory(file: string): void {
  const d = dirname(resolve(file));
  const kind = pathKind(d);
  if (kind === "missing") throw new DecomposeError("E_IO", "cannot write: its directory does not exist", file);
  if (kind === "other") throw new DecomposeError("E_IO", `cannot write: ${d} is not a directory`, file);
  checkWritableDirectory(d);
}

function checkWritableDirectory(d: string): void {
  try {
    accessSync(d, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw fsError(e, d, "cannot write into the output directory");
  }
}

function pathKind(p: string): "directory" | "other" | "missing" {
  try {
    return statSync(p).isDirectory() ? "directory" : "other";
  } catch (e) {
    const code = errnoCode(e);
    // ENOTDIR: some ancestor is a file; walking up finds it and names it.
    if (code === "ENOENT" || code === "ENOTDIR") return "missing";
    throw fsError(e, p, "cannot look at the output directory");
  }
}
