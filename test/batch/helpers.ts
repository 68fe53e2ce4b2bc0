import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, type CliIo } from "../../src/cli.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in-process with captured output (stdin bytes optional). */
export async function cli(args: readonly string[], stdin?: Uint8Array): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: { NO_COLOR: "1" },
    stdoutIsTTY: false,
    progressStream: null,
    readStdin: () => stdin ?? new Uint8Array(0),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

export function tempDir(prefix: string): { dir: string; files: () => string[]; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, files: () => readdirSync(dir).sort(), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Deterministic values in [-scale, scale). */
export function pseudoRandom(n: number, seed: number, scale = 1): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * scale;
  });
}

export const DATA = new URL("./data/", import.meta.url).pathname;

/** Whether python3 with NumPy is present (tests that need it skip with a console.warn notice). */
export const HAS_NUMPY = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8" }).status === 0;

export function python(script: string, args: readonly string[] = []): string {
  const r = spawnSync("python3", ["-c", script, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return r.stdout;
}
