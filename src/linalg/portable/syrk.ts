import { blockConfig } from "../config.js";
import { gemmBlocked } from "../gemm-blocked.js";
import { activeKernel } from "../kernels/registry.js";

/**
 * Symmetric rank-k update of the lower triangle (BLAS dsyrk, uplo = 'L'):
 *   trans = false: C := alpha * A A^T + beta * C,  A (n x k), lda >= k;
 *   trans = true:  C := alpha * A^T A + beta * C,  A (k x n), lda >= n.
 * Only the lower triangle of C (n x n, ldc) is read and written. Recursive halving: the
 * off-diagonal block is one GEMM, diagonal blocks recurse down to `syrkLeaf`, then one GEMM whose
 * write-back keeps row >= column. Flops: k n (n + 1).
 */
export function syrkLower(
  trans: boolean, n: number, k: number, alpha: number, a: Float64Array, lda: number,
  beta: number, c: Float64Array, ldc: number,
): void {
  if (n <= 0) return;
  const kernel = activeKernel();
  if (n <= blockConfig.syrkLeaf) {
    gemmBlocked(trans, !trans, n, n, k, alpha, a, lda, a, lda, beta, c, ldc, { kernel, lowerOnly: true });
    return;
  }
  const n1 = Math.ceil(n / 2 / kernel.mr) * kernel.mr;
  const n2 = n - n1;
  // Rows n1.. of op(A) start at row n1 of A (trans = false) or column n1 of A (trans = true).
  const a2 = trans ? a.subarray(n1) : a.subarray(n1 * lda);
  syrkLower(trans, n1, k, alpha, a, lda, beta, c, ldc);
  gemmBlocked(trans, !trans, n2, n1, k, alpha, a2, lda, a, lda, beta, c.subarray(n1 * ldc), ldc, { kernel });
  syrkLower(trans, n2, k, alpha, a2, lda, beta, c.subarray(n1 * ldc + n1), ldc);
}

export function syrkFlops(n: number, k: number): number {
  return k * n * (n + 1);
}
