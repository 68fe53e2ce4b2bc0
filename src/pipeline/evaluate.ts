import { compose, composeFlops } from "../geometry/compose.js";
import type { StackLayout } from "../geometry/layout.js";
import { diffNorm, frobeniusNorm, type Tensor4 } from "../geometry/tensor.js";
import { frequencyFloor, type Floor } from "../report/floor.js";
import { functionalCheck, type FunctionalCheck } from "../report/functional.js";

/**
 * The evaluate step, on the factors as written: the kernel residual ||compose(f1, f2) - T||, the
 * frequency floor for m middle channels, and the functional check on the chosen layout.
 */
export interface Evaluation {
  readonly abs: number;
  readonly rel: number;
  readonly floor: Floor | undefined;
  readonly functional: FunctionalCheck | null;
  readonly flops: number;
}

export interface EvaluateOptions {
  readonly floor: boolean;
  readonly functional: boolean;
  readonly seed: number;
  readonly bias: Float64Array | undefined;
}

export function evaluate(parent: Tensor4, T: Tensor4, m: number, f1: Tensor4, f2: Tensor4, layout: StackLayout | null, o: EvaluateOptions): Evaluation {
  const C = compose(f1, f2);
  let flops = composeFlops(f1, f2);
  const tNorm = frobeniusNorm(T.data);
  const abs = diffNorm(C.data, T.data);
  const rel = tNorm > 0 ? abs / tNorm : 0;
  const floor = o.floor ? frequencyFloor(T, m) : undefined;
  if (floor) flops += floor.flops;
  const functional = o.functional && layout !== null ? functionalCheck(parent, f1, f2, layout, o.seed, o.bias) : null;
  return { abs, rel, floor, functional, flops };
}
