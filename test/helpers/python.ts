/**
 * Live cross-checks against python3 + NumPy/SciPy (CI has them). Probing costs seconds on a slow
 * machine, so there is no separate probe: the check's own script runs, and when python3 or a module
 * is missing the caller skips the test with a visible console.warn (see `skipUnlessPython`).
 */
import { spawnSync } from "node:child_process";

export type PythonResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

function interpret<T>(r: ReturnType<typeof spawnSync>, what: string): PythonResult<T> {
  const stderr = String(r.stderr);
  if (r.error !== undefined) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ok: false, why: "python3 not found" };
    // A python3 that dies at `import numpy` closes stdin before a large payload is written.
    const missing = /(ModuleNotFoundError|ImportError): (.*)/.exec(stderr);
    if (code === "EPIPE" && missing) return { ok: false, why: `python3 lacks a module (${missing[2]})` };
    throw r.error;
  }
  if (r.status !== 0) {
    const missing = /(ModuleNotFoundError|ImportError): (.*)/.exec(stderr);
    if (missing) return { ok: false, why: `python3 lacks a module (${missing[2]})` };
    throw new Error(`${what} failed (status ${r.status}): ${stderr}`);
  }
  return { ok: true, value: JSON.parse(String(r.stdout)) as T };
}

/** Run a python3 script with a JSON payload on stdin; its stdout is parsed as JSON. */
export function pythonJson<T>(script: string, input: unknown): PythonResult<T> {
  const r = spawnSync("python3", ["-c", script], {
    input: JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 64 << 20,
    timeout: 120_000,
  });
  return interpret<T>(r, "python3 -c");
}

/** Run a python3 file with arguments in `cwd`; its stdout is parsed as JSON. */
export function pythonFileJson<T>(file: string, args: readonly string[], cwd: string): PythonResult<T> {
  const r = spawnSync("python3", [file, ...args], { cwd, encoding: "utf8", maxBuffer: 64 << 20, timeout: 120_000 });
  return interpret<T>(r, `python3 ${file}`);
}

/** The value, or a console.warn naming the test and why, then skip it (ctx.skip throws). */
export function skipUnlessPython<T>(r: PythonResult<T>, ctx: { skip: (note?: string) => never }, where: string): T {
  if (r.ok) return r.value;
  console.warn(`${where}: ${r.why}; skipping this cross-check`);
  return ctx.skip(r.why);
}
