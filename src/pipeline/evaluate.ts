import { compose, composeFlops } from "../geometry/compose.js";
import type { SplitGeometry } from "../geometry/shapes.js";
import type { StackLayout } from "../geometry/layout.js";
import { diffNorm, frobeniusNorm, type Tensor4 } from "../geometry/tensor.js";
import { functionalCheck, type FunctionalCheck } from "../report/functional.js";
import { kernelFloor, type KernelFloor } from "../report/kernel-floor.js";

/**
 * The evaluate step, on the factors as written: the kernel residual ||compose(f1, f2) - T||, the
 * floor for m middle channels (the frequency floor, and where that is 0 the block-Toeplitz one),
 * and the functional check on the chosen layout.
 */
export interface Evaluation {
  readonly abs: number;
  readonly rel: number;
  readonly floor: KernelFloor | undefined;
  readonly functional: FunctionalCheck | null;
  readonly flops: number;
}

export interface EvaluateOptions {
  readonly floor: boolean;
  /** Whether an exact split is known to exist (the regime): then the block-Toeplitz floor is skipped. */
  readonly exactKnown: boolean;
  readonly functional: boolean;
  readonly seed: number;
  readonly bias: Float64Array | undefined;
}

export function evaluate(parent: Tensor4, T: Tensor4, g: SplitGeometry, f1: Tensor4, f2: Tensor4, layout: StackLayout | null, o: EvaluateOptions): Evaluation {
  const C = compose(f1, f2);
  let flops = composeFlops(f1, f2);
  const tNorm = frobeniusNorm(T.data);
  const abs = diffNorm(C.data, T.data);
  const rel = tNorm > 0 ? abs / tNorm : 0;
  const floor = o.floor ? kernelFloor(T, g, !o.exactKnown) : undefined;
  if (floor) flops += floor.flops;
  const functional = o.functional && layout !== null ? functionalCheck(parent, f1, f2, layout, o.seed, o.bias) : null;
  return { abs, rel, floor, functional, flops };
}
