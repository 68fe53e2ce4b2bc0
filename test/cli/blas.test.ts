/**
 * The linear-algebra back-end through the built CLI: --blas / DECOMPOSE_FILTER_BLAS select it,
 * the report and `--version --verbose` name it, `--blas openblas` where OpenBLAS cannot load is a
 * one-line error (exit 2), auto falls back to wasm silently unless --verbose, and the determinism
 * promise holds through the whole pipeline: same back-end, same thread count, same input ->
 * byte-identical factor files and residual trace (wasm: for any thread count).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../linalg/helpers.js";
import { cleanEnv, cleanup, cli, copyIn, FIXTURES, parseJson, requireBuild, tempDir } from "./helpers.js";

beforeAll(requireBuild);
afterAll(cleanup);

const PARENT = join(FIXTURES, "facerec-conv32-1-conv1.npy");
/** A compression case (m = 12 < 32): many iterations, every op of the back-end on the path. */
const RUN = ["-f", "12", "--max-iter", "8", "--json", "--force"];
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const e = cleanEnv(extra);
  if (extra["DECOMPOSE_FILTER_BLAS"] === undefined) delete e["DECOMPOSE_FILTER_BLAS"];
  return e;
};
const hasOpenBlas = BACKENDS.includes("openblas");

function run(args: readonly string[], extraEnv: Record<string, string> = {}) {
  const dir = tempDir("blas");
  const parent = copyIn(PARENT, dir, "p.npy");
  const r = cli([parent, ...RUN, ...args], { env: env(extraEnv) });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return {
    report: parseJson(r.stdout),
    f1: readFileSync(join(dir, "p.f1.npy")),
    f2: readFileSync(join(dir, "p.f2.npy")),
  };
}

describe("--blas", () => {
  it("when --blas wasm then the report names the wasm back-end and its kernel", () => {
    const { report } = run(["--blas", "wasm"]);
    expect(report["linalg"]).toMatchObject({ backend: "wasm" });
  });

  it("when DECOMPOSE_FILTER_BLAS is not a back-end then exit 2 with one line naming it", () => {
    const r = cli([PARENT, ...RUN], { env: env({ DECOMPOSE_FILTER_BLAS: "mkl" }) });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("decompose-filter: " + PARENT + ": DECOMPOSE_FILTER_BLAS must be one of auto, openblas, wasm, got 'mkl'\n");
  });

  it("when --blas names no back-end then exit 2", () => {
    const r = cli([PARENT, ...RUN, "--blas", "atlas"], { env: env() });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--blas must be one of auto, openblas, wasm, got 'atlas'/);
  });

  it("when OpenBLAS cannot load then --blas openblas is exit 2, and auto runs wasm without a word unless --verbose", () => {
    const missing = { DECOMPOSE_FILTER_BLAS_LIB: "/nonexistent/libopenblas.so.0" };
    const forced = cli([PARENT, ...RUN, "--blas", "openblas"], { env: env(missing) });
    expect(forced.status).toBe(2);
    expect(forced.stderr).toMatch(/^decompose-filter: .*--blas openblas: \/nonexistent\/libopenblas\.so\.0: .*\n$/);
    const auto = run([], missing);
    expect(auto.report["linalg"]).toMatchObject({ backend: "wasm" });
    const verbose = cli([PARENT, ...RUN, "--verbose"], { env: env(missing) });
    expect(verbose.status).toBe(0);
    expect(verbose.stderr).toMatch(/linear algebra: wasm .*OpenBLAS not used: \/nonexistent\/libopenblas\.so\.0/);
  });

  it("when --version --verbose (either order) then the version and the back-end are printed", () => {
    for (const args of [["--version", "--verbose"], ["--verbose", "-V"]]) {
      const r = cli([...args, "--blas", "wasm"], { env: env() });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\nlinear algebra: wasm \(.+\), \d+ threads?, --blas wasm/);
    }
    const plain = cli(["--version"], { env: env() });
    expect(plain.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it("when the wasm back-end runs with 1 and 2 threads then the outputs are byte-identical", () => {
    const a = run(["--blas", "wasm", "--threads", "1"]);
    const b = run(["--blas", "wasm", "--threads", "2"]);
    expect(a.f1.equals(b.f1) && a.f2.equals(b.f2)).toBe(true);
    expect(a.report["trace"]).toEqual(b.report["trace"]);
  });
});

describe.skipIf(!hasOpenBlas)("--blas openblas (skipped where OpenBLAS is not installed)", () => {
  it("when OpenBLAS runs twice with the same thread count then the outputs are byte-identical, for 1 and 2 threads", () => {
    for (const t of ["1", "2"]) {
      const a = run(["--blas", "openblas", "--threads", t]);
      const b = run(["--blas", "openblas", "--threads", t]);
      expect(a.report["linalg"]).toMatchObject({ backend: "openblas", threads: Number(t) });
      expect(a.f1.equals(b.f1) && a.f2.equals(b.f2)).toBe(true);
      expect(a.report["trace"]).toEqual(b.report["trace"]);
    }
  });

  it("when auto finds OpenBLAS then it uses it, and its residual agrees with wasm's to 1e-9 relative", () => {
    const auto = run([]);
    const wasm = run(["--blas", "wasm"]);
    expect(auto.report["linalg"]).toMatchObject({ backend: "openblas" });
    const ra = (auto.report["residual"] as { rel: number }).rel, rw = (wasm.report["residual"] as { rel: number }).rel;
    expect(Math.abs(ra - rw)).toBeLessThan(1e-9 * rw);
  });

  it("when layers run on --jobs 2 worker threads then each binds OpenBLAS, and the files equal a serial --threads 1 run", () => {
    const outputs = (jobs: string, threads: string) => {
      const dir = tempDir("blas-jobs");
      const a = copyIn(PARENT, dir, "a.npy"), b = copyIn(PARENT, dir, "b.npy");
      const out = join(dir, "out");
      const r = cli([a, b, ...RUN, "--blas", "openblas", "--jobs", jobs, "--threads", threads, "-o", out], { env: env() });
      expect(r.status).toBe(0);
      const layers = r.stdout.trimEnd().split("\n").slice(0, 2).map((l) => parseJson(l));
      return { layers, files: ["a.f1.npy", "a.f2.npy", "b.f1.npy", "b.f2.npy"].map((f) => readFileSync(join(out, f))) };
    };
    const parallel = outputs("2", "1"), serial = outputs("1", "1");
    for (const l of parallel.layers) expect(JSON.stringify(l)).toMatch(/"backend":"openblas"/);
    parallel.files.forEach((f, i) => expect(f.equals(serial.files[i]!)).toBe(true));
  });

  it("when --version --verbose then OpenBLAS's configuration and library are named", () => {
    const r = cli(["--version", "--verbose"], { env: env() });
    expect(r.stdout).toMatch(/linear algebra: openblas \(OpenBLAS \d+\.\d+\.\d+.*core \w+, .+\), \d+ threads?, --blas auto\n$/);
  });
});

if (!hasOpenBlas) console.warn("NOTICE: OpenBLAS is not available here: the --blas openblas CLI tests are skipped");
