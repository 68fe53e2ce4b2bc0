import type { Tensor4 } from "../geometry/tensor.js";
import type { StopReason } from "./options.js";

/** What an ALS run returns: factors, its trace and why it stopped (numerical outcomes as values). */
export interface AlsResult {
  readonly f1: Tensor4;
  readonly f2: Tensor4;
  /** Relative residual after each iteration, as the method sees it (seed: before projection). */
  readonly trace: readonly number[];
  readonly iterations: number;
  readonly stopReason: StopReason;
  readonly flops: number;
  /** seed only: the relative residual of the unstructured product X K before col2im projection. */
  readonly unprojectedResidualRel?: number;
  /** polynomial only: what the direct construction achieved (quality/regime.ts reads it). */
  readonly construction?: Construction;
}

/**
 * The outcome of a direct construction of an exact split (methods/matrix-polynomial.ts): `exact`
 * when the constructed factors reached `residualRel` at rounding level, which shows that an exact
 * split exists; `impossible` when the attempt proved that none exists; otherwise neither, and
 * `description` says why not and what was returned instead.
 */
export interface Construction {
  readonly exact: boolean;
  /** The construction proved that no exact split exists (e.g. a parity argument on real eigenvalues). */
  readonly impossible: boolean;
  /** The constructed split's relative residual (Infinity when nothing could be constructed). */
  readonly residualRel: number;
  /** One sentence for the report. */
  readonly description: string;
}
