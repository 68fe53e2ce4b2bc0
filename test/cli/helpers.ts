/**
 * Shared by the CLI tests (test/cli/) and the golden-report test (test/golden/): run the BUILT
 * binary the way a user does (`node bin/decompose-filter.js ...`), in temporary directories that
 * hold copies of the fixtures, and look at what it left behind.
 *
 * The tests assume `npm test` (`npm run build && vitest run`) built dist/ first; `requireBuild()`
 * fails with a clear message when it did not.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BIN = join(ROOT, "bin", "decompose-filter.js");
export const DIST_CLI = join(ROOT, "dist", "cli.js");
export const FIXTURES = join(ROOT, "fixtures");
export const BAD_FIXTURES = join(FIXTURES, "bad");
export const IO_DATA = join(ROOT, "test", "io", "data");

/** Call from beforeAll: the CLI tests run dist/, which `npm test` builds. */
export function requireBuild(): void {
  if (!existsSync(DIST_CLI)) {
    throw new Error(
      `dist/cli.js is missing: the CLI tests run the built binary. Build first with ` +
        `\`npm run build\` (or run the whole suite with \`npm test\`, which builds).`,
    );
  }
  const src = join(ROOT, "src", "cli.ts");
  if (existsSync(src) && statSync(src).mtimeMs > statSync(DIST_CLI).mtimeMs + 1000) {
    console.warn("test/cli: src/cli.ts is newer than dist/cli.js; the CLI tests run the stale build (`npm run build`)");
  }
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without anything that would change colour decisions, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env["NO_COLOR"];
  delete env["FORCE_COLOR"];
  delete env["NODE_OPTIONS"];
  return { ...env, ...extra };
}

/** `node bin/decompose-filter.js ...args` in `cwd`, stdout/stderr captured (so never a TTY). */
export function cli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? cleanEnv(),
    encoding: "utf8",
    maxBuffer: 64 << 20,
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary directory; `cleanup()` removes every one made. */
const made: string[] = [];
export function tempDir(tag = "cli"): string {
  const d = mkdtempSync(join(tmpdir(), `decompose-filter-${tag}-`));
  made.push(d);
  return d;
}
export function cleanup(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Copy `src` (a path, or a name under fixtures/) into `dir`, optionally renamed; returns the copy's path. */
export function copyIn(src: string, dir: string, as?: string): string {
  const from = src.includes("/") ? src : join(FIXTURES, src);
  const to = join(dir, as ?? basename(from));
  copyFileSync(from, to);
  return to;
}

/** Every entry in `dir` (hidden ones too: temp files start with a dot), sorted. */
export function listDir(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** Bytes of a file, for "untouched" checks. */
export const bytesOf = (path: string): Buffer => readFileSync(path);

/** Any ANSI escape (colour, cursor). */
export const ANSI = /\u001b\[/;

/** A line of a JavaScript stack trace. */
export const STACK_LINE = /^\s+at .*(:\d+:\d+\)?|\(native\)|<anonymous>)\s*$/m;

export function hasNumpy(): boolean {
  const r = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8" });
  return r.status === 0;
}

/** Run a python3 snippet with args, returning stdout (throws with stderr on failure). */
export function python(script: string, args: readonly string[]): string {
  const r = spawnSync("python3", ["-c", script, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** The report's JSON as a loose record, for schema checks. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function parseJson(text: string): { [k: string]: Json } {
  const v: unknown = JSON.parse(text);
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`not a JSON object: ${text.slice(0, 200)}`);
  return v as { [k: string]: Json };
}

/** `obj.a.b.c` for a dotted path, or undefined. */
export function at(obj: Json, path: string): Json | undefined {
  let cur: Json | undefined = obj;
  for (const k of path.split(".")) {
    if (cur === null || cur === undefined || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

export function num(obj: Json, path: string): number {
  const v = at(obj, path);
  if (typeof v !== "number") throw new Error(`${path} is not a number: ${JSON.stringify(v)}`);
  return v;
}
