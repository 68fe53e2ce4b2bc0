/** Options every ALS method takes (validated at the library's edge, in decompose.ts). */
export interface AlsOptions {
  /** Ridge weight relative to mean(diag(G)) of each normal matrix (DESIGN.md). */
  readonly lambda: number;
  readonly maxIter: number;
  /** Stop when the relative residual ||compose - T|| / ||T|| falls below this. */
  readonly tol: number;
  /** Stop when the relative residual improved by less than this fraction for `stallWindow` rounds. */
  readonly stallTol: number;
  readonly stallWindow: number;
  readonly seed: number;
  /** Called after every iteration (progress bars); must not throw. */
  readonly onIteration?: (iteration: number, residualRel: number) => void;
}

export type StopReason = "tolerance" | "max-iter" | "stalled";

export const defaultAlsOptions: AlsOptions = {
  lambda: 1e-4,
  maxIter: 30,
  tol: 1e-7,
  stallTol: 1e-7,
  stallWindow: 3,
  seed: 0,
};
