/** Shared fixtures for the linear-algebra tests: a seeded generator, naive oracles, the back-end table. */
import { afterAll, beforeAll, describe } from "vitest";
import type { BackendName } from "../../src/linalg/backends/contract.js";
import { availableBackends, blasStatus, useBlas } from "../../src/linalg/backends/registry.js";

/** Mulberry32: small, seeded, reproducible uniform numbers in [-0.5, 0.5). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

export function randomArray(len: number, seed: number): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) out[i] = r();
  return out;
}

/** The obvious triple loop: C := alpha op(A) op(B) + beta C (beta = 0: C not read). */
export function naiveGemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float64Array, lda: number, b: Float64Array, ldb: number, beta: number, c: Float64Array, ldc: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (transA ? a[p * lda + i]! : a[i * lda + p]!) * (transB ? b[j * ldb + p]! : b[p * ldb + j]!);
      c[i * ldc + j] = beta === 0 ? alpha * s : alpha * s + beta * c[i * ldc + j]!;
    }
  }
}

/** max |x - y| / max(max |y|, tiny) over the (rows x cols) block with leading dimensions. */
export function relDiff(rows: number, cols: number, x: Float64Array, ldx: number, y: Float64Array, ldy: number): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      d = Math.max(d, Math.abs(x[i * ldx + j]! - y[i * ldy + j]!));
      s = Math.max(s, Math.abs(y[i * ldy + j]!));
    }
  }
  return d / Math.max(s, 1e-300);
}

/** A well-conditioned SPD matrix (n x n, leading dimension ld): G G^T / n + I. */
export function spdMatrix(n: number, seed: number, ld: number = n): Float64Array {
  const g = randomArray(n * n, seed);
  const out = new Float64Array(n * ld);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += g[i * n + p]! * g[j * n + p]!;
      const v = s / n + (i === j ? 1 : 0);
      out[i * ld + j] = v;
      out[j * ld + i] = v;
    }
  }
  return out;
}

/** The back-ends that load on this machine (the portable one always; OpenBLAS when present). */
export const BACKENDS: readonly BackendName[] = availableBackends().map((b) => b.name);
const openblasMissing = BACKENDS.includes("openblas") ? null : (() => {
  useBlas("auto");
  return blasStatus().openblasError ?? "not found";
})();
let noticed = false;

/**
 * `describe`, once per back-end (tfjs-style: one conformance table, every back-end): the block runs
 * with that back-end active and the suite's default (wasm) restored after it. Where OpenBLAS is
 * missing its copy is skipped, and a notice says so once per test file.
 */
export function describeEachBackend(title: string, body: (backend: BackendName) => void): void {
  for (const name of ["wasm", "openblas"] as const) {
    if (!BACKENDS.includes(name)) {
      if (!noticed) {
        console.warn(`NOTICE: OpenBLAS is not available (${openblasMissing}): the linear-algebra conformance tests skip its back-end`);
        noticed = true;
      }
      describe.skip(`${title} [${name}]`, () => body(name));
      continue;
    }
    describe(`${title} [${name}]`, () => {
      beforeAll(() => void useBlas(name));
      afterAll(() => void useBlas("wasm"));
      body(name);
    });
  }
}
