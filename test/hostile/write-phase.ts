/**
 * Helpers for the write-phase tests: input sets (a `.npy` parent with its bias; an `.npz` and a
 * `.safetensors` dump), a spawned CLI stopped at a chosen write step (the test hook
 * DECOMPOSE_FILTER_TEST_WRITE_PAUSE_AT, src/io/write-test-hooks.ts) and killed there, and an
 * independent check of a directory's manifests (sizes from stat, SHA-256 recomputed here).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { serializeNpy } from "../../src/io/npy.js";
import { serializeNpz } from "../../src/io/npz.js";
import { encodeFloats, serializeSafetensors } from "../../src/io/safetensors.js";
import { pseudoRandom } from "../batch/helpers.js";
import { BIN, cleanEnv, tempDir } from "../cli/helpers.js";

export const FAST = ["-f", "2", "--max-iter", "3", "-q", "-j", "1"];

/** `w.npy` (4, 4, 3, 3) float32 and its bias `b.npy`: the single-layer path. */
export function writeSingleInputs(dir: string): void {
  writeFileSync(join(dir, "w.npy"), serializeNpy([4, 4, 3, 3], pseudoRandom(144, 5), "float32"));
  writeFileSync(join(dir, "b.npy"), serializeNpy([4], pseudoRandom(4, 6), "float32"));
}
export const SINGLE_ARGS = ["w.npy", "--bias", "b.npy", ...FAST, "--report", "r.json"];

/** `m.npz` and `s.safetensors`, one layer each: the dump path (two sets). */
export function writeDumpInputs(dir: string): void {
  writeFileSync(join(dir, "m.npz"), serializeNpz([{ name: "conv.weight", npy: serializeNpy([4, 4, 3, 3], pseudoRandom(144, 7), "float32") }], false));
  const t = { name: "conv.weight", dtype: "F32", shape: [4, 4, 3, 3], bytes: encodeFloats(pseudoRandom(144, 8), "F32") };
  writeFileSync(join(dir, "s.safetensors"), serializeSafetensors([t]));
}
export const DUMP_ARGS = ["m.npz", "s.safetensors", ...FAST, "--report", "r.ndjson"];

export interface StoppedRun {
  /** The step the process paused at (and was killed at), or null when it ran to the end. */
  readonly paused: string | null;
  readonly code: number | null;
  readonly stderr: string;
}

/** Run the CLI in `dir`; at write step `step` (1-based) it pauses and is sent SIGKILL. */
export async function killAtWriteStep(args: readonly string[], dir: string, step: number): Promise<StoppedRun> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: cleanEnv({ DECOMPOSE_FILTER_TEST_WRITE_PAUSE_AT: String(step) }), stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  let paused: string | null = null;
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (s: string) => {
    stderr += s;
    const m = /test pause at write step \d+: (.*)\n/.exec(stderr);
    if (m && paused === null) {
      paused = m[1]!;
      child.kill("SIGKILL");
    }
  });
  const code = await new Promise<number | null>((res) => child.on("close", (c) => res(c)));
  return { paused, code, stderr };
}

export interface ManifestJson {
  schema: string;
  files: { name: string; bytes: number; sha256: string }[];
  report: { name: string; bytes: number; sha256: string } | null;
}

export const manifestsIn = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith(".manifest.json")).sort();

/** Every file a manifest names, checked here: present, its size, its SHA-256. Returns the mismatches. */
export function independentlyVerify(manifestPath: string): string[] {
  const m = JSON.parse(readFileSync(manifestPath, "utf8")) as ManifestJson;
  const bad: string[] = [];
  if (m.schema !== "decompose-filter/manifest@1") bad.push(`schema ${m.schema}`);
  for (const e of [...m.files, ...(m.report ? [m.report] : [])]) {
    const p = resolve(dirname(manifestPath), e.name);
    if (!existsSync(p)) bad.push(`${e.name} missing`);
    else if (statSync(p).size !== e.bytes) bad.push(`${e.name} size`);
    else if (createHash("sha256").update(readFileSync(p)).digest("hex") !== e.sha256) bad.push(`${e.name} hash`);
  }
  return bad;
}

/** A copy of `template` in a new temporary directory. */
export function copyOf(template: string, tag: string): string {
  const d = tempDir(tag);
  cpSync(template, d, { recursive: true });
  return d;
}

export const tempsIn = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith(".tmp"));
