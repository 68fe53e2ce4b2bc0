import { blockConfig } from "../config.js";
import { syrkLower } from "./syrk.js";
import { trsmLowerTransRight } from "./trsm.js";

/**
 * Cholesky factorisation A = L L^T of a symmetric positive definite matrix, in place.
 * A is (n x n) row-major with leading dimension lda; only the lower triangle is read, and on return
 * it holds L (the strict upper triangle is left untouched).
 *
 * Recursive right-looking blocked algorithm (Golub & Van Loan 4.2.9; Gustavson's recursive form):
 *   A11 = L11 L11^T;  L21 = A21 L11^{-T} (trsm);  A22 -= L21 L21^T (syrk);  recurse on A22.
 * Nearly all flops land in GEMM (threaded for large blocks); blocks of at most `choleskyLeaf`
 * columns use the unblocked algorithm (Golub & Van Loan, Algorithm 4.2.1).
 *
 * A numerical outcome is data: `ok` is false when a pivot is not positive (the matrix is not
 * numerically SPD), with `failedAt` the column where it happened.
 */
export interface CholeskyResult {
  ok: boolean;
  /** First column whose pivot was <= 0, or -1 when ok. */
  failedAt: number;
}

export function cholesky(n: number, a: Float64Array, lda: number = n): CholeskyResult {
  const failedAt = factor(n, a, lda);
  return { ok: failedAt < 0, failedAt };
}

/** Returns the first failing column, or -1. */
function factor(n: number, a: Float64Array, lda: number): number {
  if (n <= blockConfig.choleskyLeaf) return unblocked(n, a, lda);
  const n1 = n >> 1;
  const n2 = n - n1;
  const f1 = factor(n1, a, lda);
  if (f1 >= 0) return f1;
  const a21 = a.subarray(n1 * lda);
  trsmLowerTransRight(n2, n1, a, lda, a21, lda);
  syrkLower(false, n2, n1, -1, a21, lda, 1, a.subarray(n1 * lda + n1), lda);
  const f2 = factor(n2, a.subarray(n1 * lda + n1), lda);
  return f2 >= 0 ? n1 + f2 : -1;
}

/** Golub & Van Loan, Algorithm 4.2.1 (dot-product form, row-major inner products). */
function unblocked(n: number, a: Float64Array, lda: number): number {
  for (let j = 0; j < n; j++) {
    const rj = j * lda;
    let d = a[rj + j]!;
    for (let p = 0; p < j; p++) d -= a[rj + p]! * a[rj + p]!;
    if (!(d > 0)) return j;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * lda;
      let s = a[ri + j]!;
      for (let p = 0; p < j; p++) s -= a[ri + p]! * a[rj + p]!;
      a[ri + j] = s * inv;
    }
  }
  return -1;
}

export function choleskyFlops(n: number): number {
  return (n * n * n) / 3;
}
