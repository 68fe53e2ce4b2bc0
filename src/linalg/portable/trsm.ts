import { blockConfig } from "../config.js";
import { gemm } from "./gemm.js";

/**
 * Triangular solves with many right-hand sides, row-major. L is lower triangular (leading
 * dimension ldl; its strict upper triangle is never read). Recursive halving turns almost all the
 * work into GEMM; a diagonal block of at most `trsmLeaf` rows is solved through its explicit
 * inverse (one small triangular inversion, then one GEMM), the usual trtri + gemm leaf. Flops:
 * n^2 nrhs for the left solves, m n^2 for the right one.
 */

/** B := L^{-1} B (forward substitution); B is (n x nrhs), leading dimension ldb. */
export function trsmLowerLeft(n: number, nrhs: number, l: Float64Array, ldl: number, b: Float64Array, ldb: number): void {
  if (n <= 0 || nrhs <= 0) return;
  if (n <= blockConfig.trsmLeaf) {
    const inv = invertLower(n, l, ldl);
    const t = copyBlock(n, nrhs, b, ldb);
    gemm(false, false, n, nrhs, n, 1, inv, n, t, nrhs, 0, b, ldb);
    return;
  }
  const n1 = n >> 1;
  const n2 = n - n1;
  const b2 = b.subarray(n1 * ldb);
  trsmLowerLeft(n1, nrhs, l, ldl, b, ldb);
  gemm(false, false, n2, nrhs, n1, -1, l.subarray(n1 * ldl), ldl, b, ldb, 1, b2, ldb);
  trsmLowerLeft(n2, nrhs, l.subarray(n1 * ldl + n1), ldl, b2, ldb);
}

/** B := L^{-T} B (back substitution with the transpose); B is (n x nrhs). */
export function trsmLowerTransLeft(n: number, nrhs: number, l: Float64Array, ldl: number, b: Float64Array, ldb: number): void {
  if (n <= 0 || nrhs <= 0) return;
  if (n <= blockConfig.trsmLeaf) {
    const inv = invertLower(n, l, ldl);
    const t = copyBlock(n, nrhs, b, ldb);
    gemm(true, false, n, nrhs, n, 1, inv, n, t, nrhs, 0, b, ldb);
    return;
  }
  const n1 = n >> 1;
  const n2 = n - n1;
  const b2 = b.subarray(n1 * ldb);
  trsmLowerTransLeft(n2, nrhs, l.subarray(n1 * ldl + n1), ldl, b2, ldb);
  gemm(true, false, n1, nrhs, n2, -1, l.subarray(n1 * ldl), ldl, b2, ldb, 1, b, ldb);
  trsmLowerTransLeft(n1, nrhs, l, ldl, b, ldb);
}

/** B := B L^{-T}, i.e. solve X L^T = B; B is (m x n), leading dimension ldb (Cholesky's panel solve). */
export function trsmLowerTransRight(m: number, n: number, l: Float64Array, ldl: number, b: Float64Array, ldb: number): void {
  if (n <= 0 || m <= 0) return;
  if (n <= blockConfig.trsmLeaf) {
    const inv = invertLower(n, l, ldl);
    const t = copyBlock(m, n, b, ldb);
    gemm(false, true, m, n, n, 1, t, n, inv, n, 0, b, ldb);
    return;
  }
  const n1 = n >> 1;
  const n2 = n - n1;
  const b2 = b.subarray(n1);
  trsmLowerTransRight(m, n1, l, ldl, b, ldb);
  gemm(false, true, m, n2, n1, -1, b, ldb, l.subarray(n1 * ldl), ldl, 1, b2, ldb);
  trsmLowerTransRight(m, n2, l.subarray(n1 * ldl + n1), ldl, b2, ldb);
}

/** L^{-1} of a lower triangular (n x n) block as a dense (n x n) array, zero above the diagonal. */
export function invertLower(n: number, l: Float64Array, ldl: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    inv[j * n + j] = 1 / l[j * ldl + j]!;
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let p = j; p < i; p++) s += l[i * ldl + p]! * inv[p * n + j]!;
      inv[i * n + j] = -s / l[i * ldl + i]!;
    }
  }
  return inv;
}

/** Scratch for the leaf's copy of B, reused across calls (leaves do not nest). */
let scratch = new Float64Array(0);

function copyBlock(rows: number, cols: number, b: Float64Array, ldb: number): Float64Array {
  if (scratch.length < rows * cols) scratch = new Float64Array(Math.max(rows * cols, 2 * scratch.length));
  const t = scratch;
  for (let i = 0; i < rows; i++) t.set(b.subarray(i * ldb, i * ldb + cols), i * cols);
  return t;
}

export function trsmFlops(n: number, nrhs: number): number {
  return n * n * nrhs;
}
