import { cholesky, choleskyFlops } from "../linalg/cholesky.js";
import { trsmFlops, trsmLowerLeft, trsmLowerTransLeft } from "../linalg/trsm.js";

/**
 * The block-diagonal part of the damped Gauss-Newton matrix, used as the preconditioner of the LM
 * inner solve (lm-step.ts). In the unknowns' solution layout X ((m, a) x J) (als/factors.ts), the
 * Gauss-Newton matrix J^T J restricted to one factor is the ALS normal matrix G of that factor's
 * half-step acting on every column (G (x) I_J: all free channels share G, DESIGN.md), so
 *
 *   M = (1 + mu) G + mu delta I,   delta = deltaRel * mean(diag(G)),
 *
 * is the Marquardt-damped block diagonal (damping D = G + delta I: scale-free, and positive definite
 * even along the gauge directions f1 -> A f1, f2 -> f2 A^-1, which J maps to 0). Cholesky-factored
 * once per damping value; apply solves M Z = R for all J columns with two triangular solves.
 */
export interface BlockFactor {
  readonly n: number;
  readonly J: number;
  /** The lower Cholesky factor of M (n x n, row-major), or undefined when M was not numerically SPD. */
  readonly L: Float64Array | undefined;
  /** delta * mu: the isotropic part of the damping (D = G + delta I). */
  readonly delta: number;
  readonly flops: number;
}

export function factorBlock(G: Float64Array, n: number, J: number, mu: number, deltaRel: number): BlockFactor {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += G[i * n + i]!;
  const delta = deltaRel * (n > 0 ? trace / n : 0) + Number.MIN_VALUE;
  const L = new Float64Array(n * n);
  for (let q = 0; q < n * n; q++) L[q] = (1 + mu) * G[q]!;
  for (let i = 0; i < n; i++) L[i * n + i]! += mu * delta;
  const c = cholesky(n, L, n);
  return { n, J, L: c.ok ? L : undefined, delta, flops: choleskyFlops(n) };
}

/** Z := M^{-1} R in place (R is n x J); the identity where M could not be factored. */
export function applyBlock(f: BlockFactor, R: Float64Array): number {
  if (f.L === undefined) return 0;
  trsmLowerLeft(f.n, f.J, f.L, f.n, R, f.J);
  trsmLowerTransLeft(f.n, f.J, f.L, f.n, R, f.J);
  return 2 * trsmFlops(f.n, f.J);
}
