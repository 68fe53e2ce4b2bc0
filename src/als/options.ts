import type { InitName } from "./init.js";

/** Options every ALS method takes (validated at the library's edge, in decompose.ts). */
export interface AlsOptions {
  /** Ridge weight relative to mean(diag(G)) of each normal matrix (DESIGN.md). structured: the starting weight. */
  readonly lambda: number;
  readonly maxIter: number;
  /** Stop when the relative residual ||compose - T|| / ||T|| falls below this. */
  readonly tol: number;
  /** Stop when the relative residual improved by less than this fraction for `stallWindow` rounds. */
  readonly stallTol: number;
  readonly stallWindow: number;
  /**
   * The gain-forecast rule (stopping.ts): stop once the next 10 iterations are expected to gain
   * less than this fraction of the residual. 0 or absent: off (run to tol, a stall or maxIter).
   */
  readonly minGain?: number;
  readonly seed: number;
  /** Called after every iteration (progress bars); must not throw. */
  readonly onIteration?: (iteration: number, residualRel: number) => void;
  /** structured: how f1 starts (init.ts); default chosen by regime (quality/regime.ts defaultInit). */
  readonly init?: InitName;
  /** structured: relative noise added to the start (init.ts addRelativeNoise). */
  readonly initNoise?: number;
  /**
   * structured: lambda continuation. Iteration k uses max(lambda * lambdaDecay^(k-1), lambdaMin)
   * (still relative to mean(diag(G)), so the result stays scale-free).
   */
  readonly lambdaDecay?: number;
  readonly lambdaMin?: number;
  /** structured: iterated-Tikhonov correction steps per half-step (ridge-refine.ts). */
  readonly refine?: number;
  /** structured: exact line search along the last sweep's direction (extrapolation.ts). */
  readonly extrapolate?: boolean;
}

/** closed-form: a direct solve (no iterations to stop). */
export type StopReason = "tolerance" | "max-iter" | "stalled" | "gain-forecast" | "closed-form";

export const defaultAlsOptions: AlsOptions = {
  lambda: 1e-4,
  maxIter: 30,
  tol: 1e-7,
  stallTol: 1e-7,
  stallWindow: 3,
  seed: 0,
};

/** The structured method's acceleration defaults (measured: README, "Quality"). */
export interface StructuredTuning {
  readonly lambdaDecay: number;
  readonly lambdaMin: number;
  readonly refine: number;
  readonly extrapolate: boolean;
}

export const structuredDefaults: StructuredTuning = {
  lambdaDecay: 1e-3,
  lambdaMin: 1e-12,
  refine: 2,
  extrapolate: true,
};
