// Kernels alone: GEMM (n x n x n) and Cholesky + solve (n x n SPD, n/9 right-hand sides, the
// normal-equation shape of a 3x3 layer with m = c_in = n/9), next to NumPy measured in the same
// run. Imports the built library (npm run build first). Standalone: `node bench/kernels.mjs [--quick]`.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { blasStatus, cholesky, choleskyFlops, gemm, gemmFlops, linalgInfo, solveSpdFlops, trsmLowerLeft, trsmLowerTransLeft, useBlas } from "../dist/linalg/index.js";

export const SIZES = [576, 1152, 2304, 4608];

export const COLUMNS = [
  ["back-end", (r) => r.backend],
  ["case", (r) => r.case],
  ["n", (r) => r.n],
  ["seconds", (r) => r.seconds.toFixed(4)],
  ["GFLOP/s", (r) => r.gflops.toFixed(1)],
  ["numpy s", (r) => (r.numpySeconds === null ? "-" : r.numpySeconds.toFixed(4))],
  ["numpy GFLOP/s", (r) => (r.numpyGflops === null ? "-" : r.numpyGflops.toFixed(1))],
  ["ratio", (r) => (r.ratio === null ? "-" : r.ratio.toFixed(2))],
  ["peak RSS MB", (r) => r.rssMB.toFixed(0)],
];

/** OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may pin OpenBLAS to an older core; unset for the peer only. */
function numpyEnv() {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

const NUMPY_SCRIPT = `
import json, sys, time
import numpy as np
try:
    import scipy.linalg as sla
except ImportError:
    sla = None
sizes = json.loads(sys.argv[1]); reps = json.loads(sys.argv[2])
rng = np.random.default_rng(0)
out = {"gemm": {}, "chol": {}}
def best(f, r):
    f(); t = float("inf")
    for _ in range(r):
        s = time.perf_counter(); f(); t = min(t, time.perf_counter() - s)
    return t
for n, r in zip(sizes, reps):
    a = rng.standard_normal((n, n)); b = rng.standard_normal((n, n))
    out["gemm"][str(n)] = best(lambda: a @ b, r)
    s = a @ a.T / n + np.eye(n); rhs = rng.standard_normal((n, n // 9))
    if sla is not None:
        f = lambda: sla.cho_solve(sla.cho_factor(s, lower=True, check_finite=False), rhs, check_finite=False)
    else:
        f = lambda: np.linalg.solve(np.linalg.cholesky(s), rhs)
    out["chol"][str(n)] = best(f, r)
    del a, b, s, rhs
print(json.dumps(out))
`;

/** NumPy seconds per case, or a reason it could not run. */
function numpyTimes(sizes, reps) {
  const r = spawnSync("python3", ["-c", NUMPY_SCRIPT, JSON.stringify(sizes), JSON.stringify(reps)], {
    encoding: "utf8", env: numpyEnv(), timeout: 900_000, maxBuffer: 1 << 24,
  });
  if (r.error) return { error: `python3 not runnable (${r.error.code ?? r.error.message})` };
  if (r.status !== 0) return { error: /No module named .?numpy/.test(r.stderr) ? "python3 has no numpy" : `numpy peer failed: ${r.stderr.trim().split("\n").pop()}` };
  return { times: JSON.parse(r.stdout.trim().split("\n").pop()) };
}

function randomArray(len, seed) {
  let s = seed >>> 0;
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296 - 0.5;
  }
  return out;
}

function best(f, reps) {
  f();
  let t = Infinity;
  for (let r = 0; r < reps; r++) {
    const s = performance.now();
    f();
    t = Math.min(t, (performance.now() - s) / 1e3);
  }
  return t;
}

const peakRssMB = () => process.resourceUsage().maxRSS / 1024;

function gemmCase(n, reps) {
  const a = randomArray(n * n, 1), b = randomArray(n * n, 2), c = new Float64Array(n * n);
  const seconds = best(() => gemm(false, false, n, n, n, 1, a, n, b, n, 0, c, n), reps);
  return { case: "gemm", n, seconds, flops: gemmFlops(n, n, n) };
}

function choleskySolveCase(n, reps) {
  const g = randomArray(n * n, 3);
  const s = new Float64Array(n * n);
  gemm(false, true, n, n, n, 1 / n, g, n, g, n, 0, s, n);
  for (let i = 0; i < n; i++) s[i * n + i] += 1;
  const nrhs = Math.floor(n / 9);
  const rhs = randomArray(n * nrhs, 4);
  const a = new Float64Array(n * n), x = new Float64Array(n * nrhs);
  let time = Infinity;
  for (let r = 0; r <= reps; r++) {
    a.set(s);
    x.set(rhs);
    const t0 = performance.now();
    const res = cholesky(n, a, n);
    trsmLowerLeft(n, nrhs, a, n, x, nrhs);
    trsmLowerTransLeft(n, nrhs, a, n, x, nrhs);
    const t = (performance.now() - t0) / 1e3;
    if (!res.ok) throw new Error(`bench matrix not SPD at column ${res.failedAt}`);
    if (r > 0) time = Math.min(time, t); // r = 0 warms up
  }
  return { case: "cholesky+solve", n, seconds: time, flops: solveSpdFlops(n, nrhs), choleskyFlops: choleskyFlops(n) };
}

/**
 * The back-ends measured: wasm, and OpenBLAS when it loads (in this process's environment, so
 * with the OPENBLAS_* variables the user set). When OPENBLAS_CORETYPE or OPENBLAS_L2_SIZE is set,
 * OpenBLAS is measured a second time in a child process with them unset, the environment NumPy
 * gets, which compares the same library code on the same kernels.
 */
function backendsHere() {
  const out = [{ label: "wasm", blas: "wasm" }];
  useBlas("auto");
  if (blasStatus().backend === "openblas") out.push({ label: "openblas", blas: "openblas" });
  useBlas("wasm");
  return out;
}

function runCases(label, blas, n, reps) {
  useBlas(blas);
  const rows = [gemmCase(n, reps), choleskySolveCase(n, reps)].map((r) => ({ ...r, backend: label }));
  useBlas("wasm");
  return rows;
}

/** The OpenBLAS rows in a child with NumPy's environment; null when not applicable. */
function openblasNumpyEnv(n, reps) {
  if (process.env.OPENBLAS_CORETYPE === undefined && process.env.OPENBLAS_L2_SIZE === undefined) return null;
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", String(n), String(reps)], {
    encoding: "utf8", env: numpyEnv(), timeout: 900_000,
  });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout.trim().split("\n").pop()).map((x) => ({ ...x, backend: "openblas, NumPy's env" }));
}

/**
 * Rows {backend, case, n, seconds, gflops, numpySeconds, numpyGflops, ratio, rssMB}; `rows.notice`
 * says why NumPy was skipped. NumPy runs per size just before the tool's cases of that size, so
 * both see the same machine load. Peak RSS is this process's (NumPy runs in its own process).
 */
export async function bench({ quick = false, log = () => {} } = {}) {
  const sizes = quick ? SIZES.slice(0, 3) : SIZES;
  const rows = [];
  let notice = null;
  const backends = backendsHere();
  for (const n of sizes) {
    const reps = n <= 1152 ? 5 : n <= 2304 ? 2 : 1;
    let peer = { times: null };
    if (notice === null) {
      log(`numpy n=${n} ...`);
      peer = numpyTimes([n], [reps]);
      if (peer.error) {
        notice = `NumPy peer skipped: ${peer.error}`;
        console.error(`NOTICE: kernels: ${notice}`); // visible whoever calls bench()
      }
    }
    const measured = [];
    for (const b of backends) {
      log(`${b.label} n=${n} ...`);
      measured.push(...runCases(b.label, b.blas, n, reps));
      if (b.blas === "openblas") measured.push(...(openblasNumpyEnv(n, reps) ?? []));
    }
    for (const r of measured) {
      const key = r.case === "gemm" ? "gemm" : "chol";
      const numpySeconds = peer.times?.[key]?.[String(n)] ?? null;
      const gflops = r.flops / r.seconds / 1e9;
      const numpyGflops = numpySeconds === null ? null : r.flops / numpySeconds / 1e9;
      rows.push({
        backend: r.backend, case: r.case, n, seconds: r.seconds, gflops, numpySeconds, numpyGflops,
        ratio: numpyGflops === null ? null : gflops / numpyGflops, rssMB: r.rssMB ?? peakRssMB(),
      });
    }
  }
  rows.notice = notice;
  rows.info = linalgInfo();
  return rows;
}

if (process.argv[2] === "--child") {
  // One size on OpenBLAS, printed as JSON (the parent adds NumPy's figures).
  const n = Number(process.argv[3]), reps = Number(process.argv[4]);
  const rows = runCases("openblas", "openblas", n, reps).map((r) => ({ ...r, rssMB: peakRssMB() }));
  console.log(JSON.stringify(rows));
  process.exit(0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { printTable } = await import("./table.mjs");
  const rows = await bench({ quick: process.argv.includes("--quick"), log: (m) => console.error(m) });
  const info = rows.info;
  printTable(`Kernels (wasm kernel ${info.kernel}, ${info.threads} threads)`, COLUMNS, rows);
}
