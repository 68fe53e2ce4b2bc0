import { syrkLower } from "./syrk.js";

/**
 * Gram matrix of the columns of A (SYRK): C (n x n) := A^T A, A (rows x n) row-major, lda >= n.
 * The result is symmetric and fully stored (both triangles): the lower triangle is computed, the
 * upper is its mirror, so C is exactly symmetric. C is not read.
 */
export function gram(rows: number, n: number, a: Float64Array, lda: number, c: Float64Array, ldc: number): void {
  syrkLower(true, n, rows, 1, a, lda, 0, c, ldc);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) c[i * ldc + j] = c[j * ldc + i]!;
  }
}

export function gramFlops(rows: number, n: number): number {
  return rows * n * (n + 1);
}
