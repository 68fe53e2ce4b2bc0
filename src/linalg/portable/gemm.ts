import { gemmBlocked } from "../gemm-blocked.js";
import { activeKernel } from "../kernels/registry.js";

/**
 * GEMM on row-major Float64Array matrices with leading dimensions:
 *   C (m x n) := alpha * op(A) * op(B) + beta * C,   op(X) = X or X^T.
 * A is (m x k) when !transA, (k x m) when transA; B is (k x n) or (n x k).
 * When beta is 0, C is not read (NaN in C does not propagate), as in BLAS.
 * Runs the blocked driver (gemm-blocked.ts) on the active kernel, threaded when large.
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float64Array,
  lda: number,
  b: Float64Array,
  ldb: number,
  beta: number,
  c: Float64Array,
  ldc: number,
): void {
  gemmBlocked(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, { kernel: activeKernel() });
}

/** Flops of one GEMM call (multiply-adds counted as 2). */
export function gemmFlops(m: number, n: number, k: number): number {
  return 2 * m * n * k;
}
