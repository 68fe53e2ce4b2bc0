/**
 * Atomic output files. Every output is first written in full to a temporary file in the target's
 * directory (same file system, so the final step is a rename) and only then moved into place.
 *
 * `writeFilesAtomic` works in three phases so a run writes all of its outputs or none:
 * 1. check every target (directory exists, not protected, not existing unless `force`);
 * 2. write every temporary file (on failure remove them all);
 * 3. move them into place; without `force` by `link` (which fails if the target appeared
 *    meanwhile), with `force` by `rename`, keeping a hard-link backup of each replaced file so a
 *    failure part-way restores the targets already moved.
 * Temporary names end in `.tmp` (ignored by git) and start with a dot:
 * `.<name>.<pid>-<8 hex>.tmp` (and `.bak.tmp` for backups).
 *
 * Interruptions (the README's "Interrupted writes" states this as the guarantee):
 * - the files are moved into place in the order given; callers put each set's completion marker
 *   (its manifest, output-sets.ts) last and name it in `markersFrom`: before the first marker is
 *   moved, the directories of the files already moved are synced, so a marker on disk follows
 *   its files on disk;
 * - `invalidate` (the old markers of the sets being replaced) is removed before the first file
 *   is moved, so an old marker never vouches for a mix of old and new files; a failed phase 3
 *   does not bring it back (its set may not be restorable, see `restore`);
 * - SIGINT and SIGTERM cannot cut the write phase: the write is synchronous and a handler,
 *   installed before it starts, only runs once it has finished (everything written, or nothing
 *   and the temporaries removed); the handler then removes any temporary still registered and
 *   exits with 128 + the signal number;
 * - SIGKILL (or a crash) can: temporaries, and a set whose later files are missing, may remain;
 *   the next write into the same directory removes the temporaries of this tool whose process
 *   is gone (`removeStaleTemps`).
 */
import { lstatSync, readdirSync, realpathSync, statSync, unlinkSync, type Stats } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { DecomposeError } from "../errors.js";
import type { InputFormat } from "./declared-length.js";
import { nodeFileOps, type FileOps } from "./file-ops.js";
import { fsError, fsReason } from "./fs-errors.js";
import { readInputFile } from "./read-input.js";
import { fileOpsForThisProcess, pauseAfterMoveForTests, writeStepForTests } from "./write-test-hooks.js";

export interface WriteOptions {
  /** Replace existing targets. Without it an existing target is an `E_EXISTS` error. */
  force?: boolean;
  /** Paths never to replace, even with `force` (the inputs); compared by real path. */
  protect?: readonly string[];
  /** Paths removed, where they exist, after phase 2 and before the first file is moved into place. */
  invalidate?: readonly string[];
  /** Index of the first completion marker in `files`: the directories of the files before it are synced before it is moved. */
  markersFrom?: number;
}

export interface FileToWrite {
  path: string;
  bytes: Uint8Array;
}

export { nodeFileOps, type FileOps } from "./file-ops.js";

/** Write one file atomically; see `writeFilesAtomic`. */
export function writeFileAtomic(
  path: string,
  bytes: Uint8Array,
  options: WriteOptions = {},
  ops: FileOps = fileOpsForThisProcess(),
): void {
  writeFilesAtomic([{ path, bytes }], options, ops);
}

/** Write all `files` or none of them (see the module comment for the phases). */
export function writeFilesAtomic(
  files: readonly FileToWrite[],
  options: WriteOptions = {},
  ops: FileOps = fileOpsForThisProcess(),
): void {
  const force = options.force === true;
  const targets = checkTargets(files, force, options.protect ?? []);
  for (const dir of new Set(files.map((f) => dirname(resolve(f.path))))) removeStaleTemps(dir);
  installSignalCleanup();
  const temps = writeTemps(files, ops);
  try {
    invalidateMarkers(options.invalidate ?? [], temps, ops);
    commit(files, temps, targets, force, ops, options.markersFrom ?? files.length);
  } finally {
    temps.forEach((t) => live.delete(t));
  }
}

/** Temporaries of this process not yet moved or removed (what a signal handler removes). */
const live = new Set<string>();
let handlersInstalled = false;

function installSignalCleanup(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const [signal, number] of [["SIGINT", 2], ["SIGTERM", 15]] as const) {
    process.on(signal, () => {
      for (const t of live) tryUnlink(nodeFileOps, t);
      process.exit(128 + number);
    });
  }
}

const TEMP_NAME = /^\..+\.(\d+)-[0-9a-f]{8}\.(?:bak\.)?tmp$/;

/** Remove `dir`'s temporaries left by runs of this tool whose process no longer exists. */
export function removeStaleTemps(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processExists(pid)) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch {
      /* gone already, or not ours to remove */
    }
  }
  return removed;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errno(e) === "EPERM";
  }
}

interface Target {
  exists: boolean;
}

/** Phase 1: every check that can fail before anything is written. */
function checkTargets(files: readonly FileToWrite[], force: boolean, protect: readonly string[]): Target[] {
  const protectedPaths = new Set(protect.map(canonicalPath));
  const seen = new Set<string>();
  return files.map(({ path }) => {
    const dir = dirname(resolve(path));
    if (!isDirectory(dir)) throw new DecomposeError("E_IO", `no such directory ${dirname(path)}`, path);
    const canonical = canonicalPath(path);
    if (seen.has(canonical)) throw new DecomposeError("E_OPTION", "is given twice as an output", path);
    seen.add(canonical);
    if (protectedPaths.has(canonical)) {
      throw new DecomposeError("E_EXISTS", "is an input file; refusing to replace it, even with --force", path);
    }
    const stat = lstatOrUndefined(path);
    if (stat?.isDirectory() === true) throw new DecomposeError("E_IO", "is a directory", path);
    if (stat !== undefined && !force) {
      throw new DecomposeError("E_EXISTS", "exists (use --force to replace it)", path);
    }
    return { exists: stat !== undefined };
  });
}

/** Phase 2: a complete temporary copy of every file next to its target. */
function writeTemps(files: readonly FileToWrite[], ops: FileOps): string[] {
  const temps: string[] = [];
  for (const { path, bytes } of files) {
    const temp = siblingName(path, "tmp");
    try {
      live.add(temp);
      ops.writeNew(temp, bytes);
      temps.push(temp);
    } catch (e) {
      tryUnlink(ops, temp);
      temps.forEach((t) => tryUnlink(ops, t));
      throw fsError(e, path, "cannot write");
    }
    writeStepForTests(`${basename(path)} written to its temporary`);
  }
  return temps;
}

/** Between phases 2 and 3: remove the old completion markers of the sets about to be replaced. */
function invalidateMarkers(markers: readonly string[], temps: readonly string[], ops: FileOps): void {
  let removed = 0;
  for (const m of markers) {
    try {
      ops.unlink(m);
      removed++;
    } catch (e) {
      if (errno(e) === "ENOENT") continue;
      temps.forEach((t) => tryUnlink(ops, t));
      throw fsError(e, m, "cannot remove the old manifest before replacing its set");
    }
  }
  if (removed > 0) writeStepForTests(`${removed} old manifest(s) removed`);
}

/** Phase 3: move the temporaries into place, undoing the moves already made if one fails. */
function commit(
  files: readonly FileToWrite[],
  temps: readonly string[],
  targets: readonly Target[],
  force: boolean,
  ops: FileOps,
  markersFrom: number,
): void {
  const backups: (string | undefined)[] = [];
  const moved: number[] = [];
  const syncDirectories = (upTo: number): void => {
    for (const d of new Set(files.slice(0, upTo).map((f) => dirname(resolve(f.path))))) ops.syncDirectory?.(d);
  };
  let i = 0;
  try {
    for (; i < files.length; i++) {
      const path = (files[i] as FileToWrite).path;
      const temp = temps[i] as string;
      if (i === markersFrom && i > 0) syncDirectories(i);
      if (force) {
        backups[i] = targets[i]?.exists === true ? backup(path, ops) : undefined;
        ops.rename(temp, path);
      } else {
        linkNoClobber(temp, path, ops);
        tryUnlink(ops, temp);
      }
      moved.push(i);
      if (i < files.length - 1) pauseAfterMoveForTests();
      writeStepForTests(`${basename(path)} in place`);
    }
    if (markersFrom < files.length) syncDirectories(files.length);
  } catch (e) {
    const failed = (files[i] as FileToWrite).path;
    temps.forEach((t) => tryUnlink(ops, t));
    for (const j of moved) restore((files[j] as FileToWrite).path, backups[j], targets[j]?.exists === true, ops);
    const b = backups[i];
    if (b !== undefined) tryUnlink(ops, b);
    if (e instanceof DecomposeError) throw e;
    throw new DecomposeError("E_IO", `cannot move into place: ${reason(e)}`, failed);
  }
  backups.forEach((b) => b !== undefined && tryUnlink(ops, b));
}

/** Create `path` from `temp` only if `path` does not exist; `link` makes that check atomic. */
function linkNoClobber(temp: string, path: string, ops: FileOps): void {
  try {
    ops.link(temp, path);
  } catch (e) {
    const code = errno(e);
    if (code === "EEXIST") throw new DecomposeError("E_EXISTS", "exists (use --force to replace it)", path);
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw e;
    // The file system has no hard links: check, then rename (a small window, but no clobbering
    // of anything that existed when we checked).
    if (lstatOrUndefined(path) !== undefined) {
      throw new DecomposeError("E_EXISTS", "exists (use --force to replace it)", path);
    }
    ops.rename(temp, path);
  }
}

/** A hard link to the file about to be replaced, or undefined where links are unsupported. */
function backup(path: string, ops: FileOps): string | undefined {
  const name = siblingName(path, "bak.tmp");
  try {
    ops.link(path, name);
    return name;
  } catch {
    return undefined;
  }
}

/**
 * Undo one move: put the backup back, or remove a target that did not exist before. A replaced
 * file without a backup (no hard links) cannot be restored and keeps its new content.
 */
function restore(path: string, backupPath: string | undefined, existed: boolean, ops: FileOps): void {
  if (backupPath !== undefined) {
    try {
      ops.rename(backupPath, path);
    } catch {
      /* best effort: the new file stays */
    }
  } else if (!existed) {
    tryUnlink(ops, path);
  }
}

/**
 * The real path of `path`, or of its directory joined with its name when it does not exist yet,
 * so a target and a protected input compare equal through symlinks and `..`.
 */
export function canonicalPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(resolve(path))), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

function siblingName(path: string, suffix: string): string {
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  return join(dirname(path), `.${basename(path)}.${tag}.${suffix}`);
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function tryUnlink(ops: FileOps, path: string): void {
  try {
    ops.unlink(path);
  } catch {
    /* already gone */
  }
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

function reason(e: unknown): string {
  return fsReason(e);
}

/**
 * Read a whole input file; a failure is one E_IO line naming the file (no such file, a directory,
 * a device, ...). Regular files and pipes only (read-input.ts).
 */
export function readFileBytes(path: string): Uint8Array {
  return readInputFile(path, formatOfExtension(path));
}

function formatOfExtension(path: string): InputFormat | undefined {
  const ext = extname(path).toLowerCase();
  return ext === ".npy" ? "npy" : ext === ".npz" ? "npz" : ext === ".safetensors" ? "safetensors" : undefined;
}
