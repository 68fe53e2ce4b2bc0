/**
 * GEMM on row-major Float64Array matrices with leading dimensions:
 *   C (m x n) := alpha * op(A) * op(B) + beta * C,   op(X) = X or X^T.
 * A is (m x k) when !transA, (k x m) when transA; B is (k x n) or (n x k).
 * When beta is 0, C is not read (NaN in C does not propagate), as in BLAS.
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
  for (let i = 0; i < m; i++) {
    const ci = i * ldc;
    if (beta === 0) c.fill(0, ci, ci + n);
    else if (beta !== 1) for (let j = 0; j < n; j++) c[ci + j]! *= beta;
  }
  if (k === 0 || alpha === 0) return;
  for (let i = 0; i < m; i++) {
    const ci = i * ldc;
    for (let p = 0; p < k; p++) {
      const aip = alpha * (transA ? a[p * lda + i]! : a[i * lda + p]!);
      if (aip === 0) continue;
      if (!transB) {
        const bp = p * ldb;
        for (let j = 0; j < n; j++) c[ci + j]! += aip * b[bp + j]!;
      } else {
        for (let j = 0; j < n; j++) c[ci + j]! += aip * b[j * ldb + p]!;
      }
    }
  }
}

/** Flops of one GEMM call (multiply-adds counted as 2). */
export function gemmFlops(m: number, n: number, k: number): number {
  return 2 * m * n * k;
}
