import { backend } from "./backends/registry.js";
import type { CholeskyResult } from "./portable/cholesky.js";

export type { CholeskyResult } from "./portable/cholesky.js";
export { choleskyFlops } from "./portable/cholesky.js";

/**
 * Cholesky factorisation A = L L^T of a symmetric positive definite matrix, in place, on the
 * active back-end (portable/cholesky.ts, or LAPACK dpotrf). A is (n x n) row-major with leading
 * dimension lda; only the lower triangle is read, and on return it holds L (the strict upper
 * triangle is left untouched). `ok` is false when a pivot is not positive, `failedAt` the column.
 */
export function cholesky(n: number, a: Float64Array, lda: number = n): CholeskyResult {
  const failedAt = backend().cholesky(n, a, lda);
  return { ok: failedAt < 0, failedAt };
}
