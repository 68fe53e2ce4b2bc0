/**
 * Test hooks of the write phase, read from the environment. They exist for the tests in
 * test/hostile/ (a spawned CLI must be stopped or failed at a chosen point) and do nothing unless
 * their variable is set; no user needs them.
 *
 * - `DECOMPOSE_FILTER_TEST_WRITE_PAUSE_MS=<ms>`: pause after each file is moved into place,
 *   except the last.
 * - `DECOMPOSE_FILTER_TEST_WRITE_PAUSE_AT=<n>`: at the n-th step of the write phase (1-based: a
 *   temporary written in full, the old manifests removed, a file moved into place), print
 *   `decompose-filter: test pause at write step <n>: <step>` on stderr and pause 120 s (the test
 *   kills the process there). A run with fewer steps never pauses.
 * - `DECOMPOSE_FILTER_TEST_WRITE_FAULT=<ERRNO>@<k>:<n>`: the k-th temporary this process writes
 *   (1-based, in write order) fails with `ERRNO` (e.g. ENOSPC, EIO) after n of its bytes are
 *   written; n at least its size fails its fsync instead.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { nodeFileOps, type FileOps } from "./file-ops.js";

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function pauseAfterMoveForTests(): void {
  const ms = Number(process.env["DECOMPOSE_FILTER_TEST_WRITE_PAUSE_MS"] ?? "0");
  if (ms > 0) sleep(ms);
}

let steps = 0;

/** Count one step of the write phase; pause there when the test asked for it. */
export function writeStepForTests(what: string): void {
  const at = process.env["DECOMPOSE_FILTER_TEST_WRITE_PAUSE_AT"];
  if (at === undefined) return;
  steps++;
  if (Number(at) !== steps) return;
  writeSync(2, `decompose-filter: test pause at write step ${steps}: ${what}\n`);
  sleep(120_000);
}

interface Fault {
  readonly code: string;
  readonly file: number;
  readonly afterBytes: number;
}

function faultFromEnvironment(): Fault | undefined {
  const spec = process.env["DECOMPOSE_FILTER_TEST_WRITE_FAULT"];
  if (spec === undefined || spec === "") return undefined;
  const m = /^([A-Z]+)@(\d+):(\d+)$/.exec(spec);
  if (m === null) throw new Error(`DECOMPOSE_FILTER_TEST_WRITE_FAULT must be ERRNO@k:n, got '${spec}'`);
  return { code: m[1]!, file: Number(m[2]), afterBytes: Number(m[3]) };
}

let written = 0;

/** The real file operations, or, under DECOMPOSE_FILTER_TEST_WRITE_FAULT, ones whose k-th write fails. */
export function fileOpsForThisProcess(): FileOps {
  const fault = faultFromEnvironment();
  if (fault === undefined) return nodeFileOps;
  return {
    ...nodeFileOps,
    writeNew(path, bytes) {
      written++;
      if (written !== fault.file) return nodeFileOps.writeNew(path, bytes);
      const fd = openSync(path, "wx", 0o644);
      try {
        const n = Math.min(fault.afterBytes, bytes.length);
        let done = 0;
        while (done < n) done += writeSync(fd, bytes, done, n - done);
        throw injected(fault.code, fault.afterBytes < bytes.length ? "write" : "fsync", path);
      } finally {
        closeSync(fd);
      }
    },
  };
}

function injected(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected by DECOMPOSE_FILTER_TEST_WRITE_FAULT, ${syscall} '${path}'`), { code, syscall, path });
}

