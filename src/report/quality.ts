import type { Regime } from "../quality/regime.js";

/** The report's quality section (issue 5): regime, start, density, stopping rule, post-processing. */
export interface QualityReport {
  /** quality/regime.ts: the regime of the whole geometry, whether an exact split is known, the heuristic count. */
  readonly regime: Regime;
  /** The start actually used (methods that take one) and its relative noise; null otherwise. */
  readonly init: string | null;
  readonly initNoise: number;
  /** Fraction of each factor's energy outside its centre tap (0: a spatial delta, trivial). */
  readonly energyOffCentre: { readonly f1: number; readonly f2: number };
  /** The stopping rule in force (DESIGN.md: tolerance, stall detection, max-iter). */
  readonly stopping: {
    readonly tol: number;
    readonly stallTol: number;
    readonly stallWindow: number;
    /** The gain-forecast rule (als/stopping.ts): threshold (0: off) and look-ahead in iterations. */
    readonly minGain: number;
    readonly gainWindow: number;
    readonly maxIter: number;
    /** structured: ridge continuation and acceleration; null for seed/projected. */
    readonly structured: {
      readonly lambdaDecay: number;
      readonly lambdaMin: number;
      readonly refine: number;
      readonly extrapolate: boolean;
    } | null;
  };
  readonly restarts: {
    readonly n: number;
    readonly bestSeed: number;
    readonly perStart: readonly { readonly seed: number; readonly residualRel: number }[];
  } | null;
  /** --balance: the scalar f1 was multiplied by (f2 divided). */
  readonly balance: { readonly scale: number } | null;
  /** --noise: uniform noise of ratio * ptp(factor); residual before it (the report's residual is after). */
  readonly noise: { readonly ratio: number; readonly residualBeforeRel: number } | null;
  /** --refine: ALS (or Adam) on the functional error, interior/border errors before and after. */
  readonly refine: RefineReport | null;
  /** Why --refine was asked for but not run (layout exact: nothing to refine), else null. */
  readonly refineSkipped: string | null;
}

export interface RefineReport {
  /** "als": exact alternating solves on the expected functional error; "adam": sampled gradients. */
  readonly method: "als" | "adam";
  /** Sweeps (als) or steps (adam) actually run, and why it stopped. */
  readonly steps: number;
  readonly stopped: "tol" | "stalled" | "max-steps";
  /** adam only (als has no learning rate). */
  readonly learningRate: number;
  readonly imageSize: { readonly h: number; readonly w: number };
  readonly before: { readonly interiorRelError: number; readonly borderRelError: number; readonly residualRel: number };
  readonly after: { readonly interiorRelError: number; readonly borderRelError: number; readonly residualRel: number };
  /** Mean squared functional loss at the first and last step. */
  readonly lossFirst: number;
  readonly lossLast: number;
}

/** --filters auto: every m considered, in the order tried. */
export interface AutoFiltersReport {
  readonly targetResidual: number;
  readonly chosen: number | null;
  readonly tried: readonly {
    readonly m: number;
    readonly floorRel: number;
    /** null when the floor alone ruled m out (no decomposition run). */
    readonly residualRel: number | null;
    readonly outcome: "floor-above-target" | "reached" | "missed";
  }[];
}
