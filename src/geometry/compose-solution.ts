import { gemm } from "../linalg/gemm.js";
import type { SplitGeometry } from "./shapes.js";

/**
 * compose and its adjoints on factors held in the structured half-steps' solution layout
 * (als/factors.ts), with the composition tap-major (geometry/tap-major.ts, c = c_out, J = c_in):
 *
 *   X1 ((m, u) x c_in)   X1[(p, u), i] = f1[p, i, u]
 *   X2 ((m, v) x c_out)  X2[(p, v), o] = f2[o, p, v]
 *   E  (s, c_out, c_in)  E[s][o, i]    = compose(f1, f2)[o, i, s]
 *
 * In these layouts each tap's channel matrix is a strided view: X1_u = rows (., u) of X1, an
 * (m x c_in) matrix with leading dimension t1 c_in (t1 = k1h k1w), X2_v (m x c_out) with leading
 * dimension t2 c_out, E[s] contiguous. So every product below is one GEMM per tap pair on views,
 * with no rearrangement of any tensor (the channel-major compose and adjoints spend more time
 * transposing than multiplying at 64 channels):
 *
 *   compose:   E[s]  = sum_{u + v = s} X2_v^T X1_u                        (c_out x c_in)
 *   adjoint1:  A1_u  = sum_v X2_v E[u + v]        = d/dX1 <E, compose(X1, X2)>   (m x c_in)
 *   adjoint2:  A2_v  = sum_u X1_u E[u + v]^T      = d/dX2 <E, compose(X1, X2)>   (m x c_out)
 *
 * (u + v on each axis separately). Each costs composeSolutionFlops(g) = 2 c_out m c_in t1 t2.
 * `accumulate`: add into `out` instead of overwriting it.
 */
export function composeSolution(g: SplitGeometry, X1: Float64Array, X2: Float64Array, out: Float64Array, accumulate = false): Float64Array {
  const { m, cIn, cOut, k1, k2 } = g;
  const blk = cOut * cIn;
  check(g, X1, X2, out.length);
  if (!accumulate) out.fill(0);
  forEachTapPair(g, (u, v, s) =>
    gemm(true, false, cOut, cIn, m, 1, X2.subarray(v * cOut), k2.h * k2.w * cOut, X1.subarray(u * cIn), k1.h * k1.w * cIn, 1,
      out.subarray(s * blk, (s + 1) * blk), cIn));
  return out;
}

/** d/dX1 <E, compose(X1, X2)>, into `out` (X1's layout). */
export function adjointSolution1(g: SplitGeometry, E: Float64Array, X2: Float64Array, out: Float64Array, accumulate = false): Float64Array {
  const { m, cIn, cOut, k1, k2 } = g;
  const blk = cOut * cIn;
  check(g, out, X2, E.length);
  if (!accumulate) out.fill(0);
  forEachTapPair(g, (u, v, s) =>
    gemm(false, false, m, cIn, cOut, 1, X2.subarray(v * cOut), k2.h * k2.w * cOut, E.subarray(s * blk, (s + 1) * blk), cIn, 1,
      out.subarray(u * cIn), k1.h * k1.w * cIn));
  return out;
}

/** d/dX2 <E, compose(X1, X2)>, into `out` (X2's layout). */
export function adjointSolution2(g: SplitGeometry, E: Float64Array, X1: Float64Array, out: Float64Array, accumulate = false): Float64Array {
  const { m, cIn, cOut, k1, k2 } = g;
  const blk = cOut * cIn;
  check(g, X1, out, E.length);
  if (!accumulate) out.fill(0);
  forEachTapPair(g, (u, v, s) =>
    gemm(false, true, m, cOut, cIn, 1, X1.subarray(u * cIn), k1.h * k1.w * cIn, E.subarray(s * blk, (s + 1) * blk), cIn, 1,
      out.subarray(v * cOut), k2.h * k2.w * cOut));
  return out;
}

export function composeSolutionFlops(g: SplitGeometry): number {
  return 2 * g.cOut * g.m * g.cIn * g.k1.h * g.k1.w * g.k2.h * g.k2.w;
}

/** Doubles in X1, X2 and the tap-major composition for this geometry. */
export function solutionSizes(g: SplitGeometry): { n1: number; n2: number; e: number } {
  const { m, cIn, cOut, k1, k2 } = g;
  return { n1: m * k1.h * k1.w * cIn, n2: m * k2.h * k2.w * cOut, e: (k1.h + k2.h - 1) * (k1.w + k2.w - 1) * cOut * cIn };
}

/** Calls f(u, v, s) for every tap u of f1 and v of f2, s = u + v the composed tap (per axis), all row-major indices. */
function forEachTapPair(g: SplitGeometry, f: (u: number, v: number, s: number) => void): void {
  const { k1, k2 } = g;
  const kew = k1.w + k2.w - 1;
  for (let vh = 0; vh < k2.h; vh++) {
    for (let vw = 0; vw < k2.w; vw++) {
      for (let uh = 0; uh < k1.h; uh++) {
        for (let uw = 0; uw < k1.w; uw++) f(uh * k1.w + uw, vh * k2.w + vw, (vh + uh) * kew + (vw + uw));
      }
    }
  }
}

function check(g: SplitGeometry, X1: Float64Array, X2: Float64Array, e: number): void {
  const want = solutionSizes(g);
  if (X1.length !== want.n1 || X2.length !== want.n2 || e !== want.e) {
    throw new RangeError(`compose (solution layout): got ${X1.length}, ${X2.length}, ${e} doubles for X1, X2, E; the geometry needs ${want.n1}, ${want.n2}, ${want.e}`);
  }
}
