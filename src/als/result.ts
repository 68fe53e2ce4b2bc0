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
}
