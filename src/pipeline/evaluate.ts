import { compose, composeFlops } from "../geometry/compose.js";
import { foldTarget, type FoldSide } from "../geometry/fold.js";
import type { SplitGeometry } from "../geometry/shapes.js";
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
  readonly floor: (Floor & FloorKind) | undefined;
  readonly functional: FunctionalCheck | null;
  readonly flops: number;
}

/**
 * Which bound the floor is. Axes where a child has extent 1 fold into the channels
 * (geometry/fold.ts) before the frequency floor is taken, which only tightens it; with both axes
 * folded the "floor" is the Eckart-Young tail of a matrix, the optimum itself ("optimum");
 * otherwise it is a rank bound only ("rank-bound"): 0 once m >= the folded min(c_in, c_out), which
 * says nothing about whether an exact split exists.
 */
export interface FloorKind {
  readonly kind: "optimum" | "rank-bound";
  readonly folded: { readonly h: FoldSide; readonly w: FoldSide };
}

export interface EvaluateOptions {
  readonly floor: boolean;
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
  const fold = o.floor ? foldTarget(T, g) : undefined;
  const floor = fold
    ? { ...frequencyFloor(fold.target, g.m), kind: fold.matrix ? ("optimum" as const) : ("rank-bound" as const), folded: { h: fold.h, w: fold.w } }
    : undefined;
  if (floor) flops += floor.flops;
  const functional = o.functional && layout !== null ? functionalCheck(parent, f1, f2, layout, o.seed, o.bias) : null;
  return { abs, rel, floor, functional, flops };
}
