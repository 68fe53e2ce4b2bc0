import { backend } from "./backends/registry.js";

export { syrkFlops } from "./portable/syrk.js";

/**
 * Symmetric rank-k update of the lower triangle (BLAS dsyrk, uplo = 'L'), on the active back-end:
 *   trans = false: C := alpha * A A^T + beta * C,  A (n x k), lda >= k;
 *   trans = true:  C := alpha * A^T A + beta * C,  A (k x n), lda >= n.
 * Only the lower triangle of C (n x n, ldc) is read and written. Flops: k n (n + 1).
 */
export function syrkLower(
  trans: boolean, n: number, k: number, alpha: number, a: Float64Array, lda: number,
  beta: number, c: Float64Array, ldc: number,
): void {
  backend().syrkLower(trans, n, k, alpha, a, lda, beta, c, ldc);
}
