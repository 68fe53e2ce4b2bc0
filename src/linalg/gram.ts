import { gemm } from "./gemm.js";

/**
 * Gram matrix of the columns of A (SYRK): C (n x n) := A^T A, A (rows x n) row-major, lda >= n.
 * The result is symmetric and fully stored (both triangles).
 */
export function gram(rows: number, n: number, a: Float64Array, lda: number, c: Float64Array, ldc: number): void {
  gemm(true, false, n, n, rows, 1, a, lda, a, lda, 0, c, ldc);
}

export function gramFlops(rows: number, n: number): number {
  return rows * n * (n + 1);
}
