import { cholesky, choleskyFlops } from "../linalg/cholesky.js";
import { DecomposeError } from "../errors.js";
import { gemm, gemmFlops } from "../linalg/gemm.js";
import { trsmFlops, trsmLowerLeft, trsmLowerTransLeft } from "../linalg/trsm.js";
import { meanDiagonal } from "./regularise.js";
import { ridgeSolve } from "./ridge-solve.js";

/**
 * Iterated Tikhonov (Hanke & Groetsch 1998): the scale-free ridge solve of (G + shift I) X = R,
 * shift = lambda * mean(diag(G)), followed by `refine` correction steps that reuse the Cholesky
 * factor:  X <- X + (G + shift I)^{-1} (R - G X).
 * Each step multiplies the ridge's bias along an eigendirection of G with eigenvalue s by
 * shift / (s + shift): well-determined directions become exact (the plain ridge solve leaves a
 * relative bias of about lambda there), directions with s << shift stay damped, so the solve is
 * stable for singular G and decomposing a*W still scales every X by a (or leaves it) exactly.
 * refine = 0 is the plain ridge solve (ridge-solve.ts).
 *
 * With refine > 0, G (n x n, symmetric, both triangles) and R (n x J) are left intact; with
 * refine = 0, G is factored in place (ridge-solve.ts). When G + shift I is not numerically positive definite the shift is raised tenfold from
 * 1e-14 mean(diag(G)) until it factors (the shift actually used is returned).
 */
export interface RefinedSolution {
  /** (n x J) row-major. */
  readonly X: Float64Array;
  readonly shift: number;
  readonly flops: number;
}

export function refinedRidgeSolve(
  n: number,
  G: Float64Array,
  R: Float64Array,
  J: number,
  lambda: number,
  refine: number,
): RefinedSolution {
  if (refine === 0) {
    // No correction steps: G is not needed again, so it is factored in place.
    const sol = ridgeSolve(n, G, R, J, lambda);
    return { X: sol.X, shift: sol.shift, flops: sol.flops };
  }
  const mean = meanDiagonal(n, G);
  if (!(mean > 0)) return { X: new Float64Array(n * J), shift: 0, flops: 0 };
  let flops = 0;
  let shift = lambda * mean;
  let L = new Float64Array(0);
  for (let attempt = 0; ; attempt++) {
    L = G.slice();
    for (let i = 0; i < n; i++) L[i * n + i]! += shift;
    flops += choleskyFlops(n);
    if (cholesky(n, L, n).ok) break;
    if (attempt >= 16) throw new DecomposeError("E_NUMERIC", `a normal matrix is not positive definite even with shift ${shift} (the factors are not finite?)`);
    shift = Math.max(shift * 10, mean * 1e-14);
  }
  const solve = (B: Float64Array): void => {
    trsmLowerLeft(n, J, L, n, B, J);
    trsmLowerTransLeft(n, J, L, n, B, J);
    flops += 2 * trsmFlops(n, J);
  };
  const X = R.slice();
  solve(X);
  if (shift === 0) return { X, shift, flops };
  const D = new Float64Array(n * J);
  for (let step = 0; step < refine; step++) {
    // D = R - G X, then X += (G + shift I)^{-1} D.
    D.set(R);
    gemm(false, false, n, J, n, -1, G, n, X, J, 1, D, J);
    flops += gemmFlops(n, J, n);
    solve(D);
    for (let q = 0; q < X.length; q++) X[q]! += D[q]!;
  }
  return { X, shift, flops };
}
