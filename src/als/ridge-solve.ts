import { solveSpd, solveSpdFlops } from "../linalg/spd-solve.js";
import { DecomposeError } from "../errors.js";
import { meanDiagonal } from "./regularise.js";

/**
 * Solve the ridge normal equations (G + shift I) X = R, shift = lambda * mean(diag(G)), by Cholesky
 * with all J right-hand sides at once. G (n x n) is consumed (its lower triangle and diagonal are
 * overwritten); R (n x J) is left intact.
 *
 * When G + shift I is not numerically positive definite (lambda = 0 with a rank-deficient G), the
 * shift is raised tenfold from 1e-14 mean(diag(G)) until it factors, restoring the lower triangle
 * from the untouched upper one, and the shift actually used is returned.
 *
 * Also returns <X, R> and ||X||^2, from which the unregularised residual of the half-step follows:
 *   ||A x - b||^2 = ||b||^2 - 2 x^T R + x^T G x  and  G X = R - shift X
 *   =>  ||A X - B||^2 = ||B||^2 - <X, R> - shift ||X||^2.
 */
export interface RidgeSolution {
  /** (n x J) row-major. */
  readonly X: Float64Array;
  readonly shift: number;
  readonly xDotR: number;
  readonly xNormSq: number;
  readonly flops: number;
}

export function ridgeSolve(n: number, G: Float64Array, R: Float64Array, J: number, lambda: number): RidgeSolution {
  const mean = meanDiagonal(n, G);
  if (!(mean > 0)) {
    // The fixed factor is zero: every X gives the same residual; the minimum-norm one is 0.
    return { X: new Float64Array(n * J), shift: 0, xDotR: 0, xNormSq: 0, flops: 0 };
  }
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) diag[i] = G[i * n + i]!;
  let shift = lambda * mean;
  let flops = 0;
  for (let attempt = 0; ; attempt++) {
    for (let i = 0; i < n; i++) G[i * n + i] = diag[i]! + shift;
    const X = R.slice();
    const res = solveSpd(n, G, J, X);
    flops += solveSpdFlops(n, J);
    if (res.ok) {
      let xDotR = 0;
      let xNormSq = 0;
      for (let q = 0; q < X.length; q++) {
        xDotR += X[q]! * R[q]!;
        xNormSq += X[q]! * X[q]!;
      }
      return { X, shift, xDotR, xNormSq, flops };
    }
    if (attempt >= 16) {
      throw new DecomposeError("E_NUMERIC", `a normal matrix is not positive definite even with shift ${shift} (the factors are not finite?)`);
    }
    // Restore the lower triangle (the factorisation leaves the strict upper triangle untouched).
    for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) G[i * n + j] = G[j * n + i]!;
    shift = Math.max(shift * 10, mean * 1e-14);
  }
}
