/**
 * The file-system calls of an atomic write's phases 2 and 3 (files.ts), behind one small
 * interface so tests can substitute failing ones (and the test hooks, write-test-hooks.ts, a
 * faulting one). `nodeFileOps` is the real thing: exclusive create, full write, fsync.
 */
import { closeSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";

/** The file-system calls phases 2 and 3 make; tests substitute failing ones. */
export interface FileOps {
  /** Create `path` exclusively and write `bytes` durably. */
  writeNew(path: string, bytes: Uint8Array): void;
  rename(from: string, to: string): void;
  link(existing: string, newPath: string): void;
  unlink(path: string): void;
  /** Make the directory's entries (the renames into it) durable; optional, best effort. */
  syncDirectory?(dir: string): void;
}

export const nodeFileOps: FileOps = {
  writeNew(path, bytes) {
    const fd = openSync(path, "wx", 0o644);
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  rename: renameSync,
  link: linkSync,
  unlink: unlinkSync,
  syncDirectory(dir) {
    let fd: number;
    try {
      fd = openSync(dir, "r");
    } catch {
      return;
    }
    try {
      fsyncSync(fd);
    } catch {
      /* some file systems cannot sync a directory; the renames are then as durable as they get */
    } finally {
      closeSync(fd);
    }
  },
};
