import { trsmFlops, trsmLowerLeft, trsmLowerTransLeft } from "../linalg/trsm.js";
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
 * G (n x n, symmetric, both triangles) is consumed: ridge-solve.ts factors it in place (raising
 * the shift until G + shift I factors, and returning the shift used), and the refinement reuses
 * that factor, so it needs neither a copy of G nor a product with it. R (n x J) is left intact.
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
  // The plain ridge solve leaves the Cholesky factor of G + shift I in G's lower triangle.
  const sol = ridgeSolve(n, G, R, J, lambda);
  const { X, shift } = sol;
  let flops = sol.flops;
  if (shift === 0) return { X, shift, flops };
  for (let step = 0; step < refine; step++) {
    for (let q = 0; q < X.length; q++) X[q] = R[q]! + shift * X[q]!;
    trsmLowerLeft(n, J, G, n, X, J);
    trsmLowerTransLeft(n, J, G, n, X, J);
    flops += 2 * trsmFlops(n, J);
  }
  return { X, shift, flops };
}
