import { cholesky, type CholeskyResult } from "./cholesky.js";
import { trsmLowerLeft, trsmLowerTransLeft } from "./trsm.js";

/**
 * Solve A X = B for SPD A (n x n) and B (n x nrhs), both row-major and dense (ld = n, nrhs).
 * A is overwritten by its Cholesky factor, B by X. Returns the factorisation outcome; when it
 * failed, B is left unspecified.
 */
export function solveSpd(n: number, a: Float64Array, nrhs: number, b: Float64Array): CholeskyResult {
  const res = cholesky(n, a, n);
  if (!res.ok) return res;
  trsmLowerLeft(n, nrhs, a, n, b, nrhs);
  trsmLowerTransLeft(n, nrhs, a, n, b, nrhs);
  return res;
}

export function solveSpdFlops(n: number, nrhs: number): number {
  return (n * n * n) / 3 + 2 * n * n * nrhs;
}
