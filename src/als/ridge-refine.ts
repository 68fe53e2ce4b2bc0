import { DecomposeError } from "../errors.js";
import { cholesky, choleskyFlops } from "../linalg/cholesky.js";
import { trsmFlops, trsmLowerLeft, trsmLowerTransLeft } from "../linalg/trsm.js";
import { meanDiagonal } from "./regularise.js";
import { ridgeSolve } from "./ridge-solve.js";

/**
 * Iterated Tikhonov (Hanke & Groetsch 1998): the scale-free ridge solve of (G + shift I) X = R,
 * shift = lambda * mean(diag(G)), followed by `refine` steps that reuse the Cholesky factor:
 *   X_{k+1} = (G + shift I)^{-1} (R + shift X_k),
 * which is X_k + (G + shift I)^{-1} (R - G X_k) with the residual R - G X_k = shift (X_k - X_{k-1})
 * known without a product by G. Each step multiplies the ridge's bias along an eigendirection of G
 * with eigenvalue s by shift / (s + shift): well-determined directions become exact (the plain
 * ridge solve leaves a relative bias of about lambda there), directions with s << shift stay
 * damped, so the solve is stable for singular G and decomposing a*W still scales every X by a (or
 * leaves it) exactly. refine = 0 is the plain ridge solve (ridge-solve.ts).
 *
 * G (n x n, symmetric, both triangles) is consumed: factored in place, as in ridge-solve.ts, so the
 * refinement needs neither a copy of G nor a product with it. R (n x J) is left intact. When
 * G + shift I is not numerically positive definite the shift is raised tenfold from
 * 1e-14 mean(diag(G)) until it factors, the lower triangle restored from the untouched upper one
 * (the shift actually used is returned).
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
    const sol = ridgeSolve(n, G, R, J, lambda);
    return { X: sol.X, shift: sol.shift, flops: sol.flops };
  }
  const mean = meanDiagonal(n, G);
  if (!(mean > 0)) return { X: new Float64Array(n * J), shift: 0, flops: 0 };
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) diag[i] = G[i * n + i]!;
  let flops = 0;
  let shift = lambda * mean;
  for (let attempt = 0; ; attempt++) {
    for (let i = 0; i < n; i++) G[i * n + i] = diag[i]! + shift;
    flops += choleskyFlops(n);
    if (cholesky(n, G, n).ok) break;
    if (attempt >= 16) throw new DecomposeError("E_NUMERIC", `a normal matrix is not positive definite even with shift ${shift} (the factors are not finite?)`);
    for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) G[i * n + j] = G[j * n + i]!;
    shift = Math.max(shift * 10, mean * 1e-14);
  }
  const solve = (B: Float64Array): void => {
    trsmLowerLeft(n, J, G, n, B, J);
    trsmLowerTransLeft(n, J, G, n, B, J);
    flops += 2 * trsmFlops(n, J);
  };
  const X = R.slice();
  solve(X);
  if (shift === 0) return { X, shift, flops };
  for (let step = 0; step < refine; step++) {
    for (let q = 0; q < X.length; q++) X[q] = R[q]! + shift * X[q]!;
    solve(X);
  }
  return { X, shift, flops };
}
