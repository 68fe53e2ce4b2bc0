import { foldTarget, type FoldSide } from "../geometry/fold.js";
import type { SplitGeometry } from "../geometry/shapes.js";
import { frobeniusNorm, type Size2, type Tensor4 } from "../geometry/tensor.js";
import { frequencyFloor, type Floor } from "./floor.js";
import { toeplitzFloor } from "./toeplitz-floor.js";

/**
 * Which bound the floor is. Axes where a child has extent 1 fold into the channels
 * (geometry/fold.ts) before the frequency floor is taken, which only tightens it; with both axes
 * folded the "floor" is the Eckart-Young tail of a matrix, the optimum itself ("optimum");
 * otherwise it is a rank bound only ("rank-bound"). The frequency floor is 0 once m >= the folded
 * min(c_in, c_out); there the block-Toeplitz floor (report/toeplitz-floor.ts) is taken on the same
 * folded target, which can still be positive below max(c_in, c_out) ("bound" says which one the
 * floor is). A positive rank bound proves that no exact split exists; a zero one says nothing.
 */
export interface FloorKind {
  readonly kind: "optimum" | "rank-bound";
  readonly folded: { readonly h: FoldSide; readonly w: FoldSide };
  readonly bound: FloorBound;
}

/** Which rank bound the floor is, and for the block-Toeplitz one its output window and side. */
export type FloorBound =
  | { readonly name: "frequency" }
  | { readonly name: "block-toeplitz"; readonly window: Size2; readonly side: "f1" | "f2" };

export type KernelFloor = Floor & FloorKind;

/**
 * The floor of a split of the (padded) target T with geometry g: the frequency floor of the folded
 * target, or, where that is 0 and the geometry is not a matrix one, the block-Toeplitz floor of the
 * same folded target when it is positive. `toeplitz: false` skips the latter (an exact split is
 * known to exist, so it could only read 0).
 */
export function kernelFloor(T: Tensor4, g: SplitGeometry, toeplitz = true): KernelFloor {
  const fold = foldTarget(T, g);
  const folded = { h: fold.h, w: fold.w };
  const frequency = frequencyFloor(fold.target, g.m);
  const kind = fold.matrix ? ("optimum" as const) : ("rank-bound" as const);
  if (frequency.abs > 0 || fold.matrix || !toeplitz) return { ...frequency, kind, folded, bound: { name: "frequency" } };
  // On a folded axis both children have extent 1 (the axis went into the channels).
  const child = (k: Size2): Size2 => ({ h: fold.h === null ? k.h : 1, w: fold.w === null ? k.w : 1 });
  const t = toeplitzFloor(fold.target, g.m, child(g.k1), child(g.k2));
  const flops = frequency.flops + t.flops;
  if (t.window === null || t.side === null) return { ...frequency, flops, kind, folded, bound: { name: "frequency" } };
  const tNorm = frobeniusNorm(fold.target.data);
  return { abs: t.abs, rel: tNorm > 0 ? t.abs / tNorm : 0, dft: frequency.dft, flops, kind, folded, bound: { name: "block-toeplitz", window: t.window, side: t.side } };
}
