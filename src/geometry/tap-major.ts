import type { Size2, Tensor4 } from "./tensor.js";

/**
 * A target (c_out, c_in, eh, ew) stored tap-major, for the structured ALS loop: data[(t, c, j)]
 * with t the target tap (eh ew of them), c the contracted channel and j the free one, so that for
 * each tap the (c x J) matrix is contiguous. The f1 step contracts over c_out (c = c_out, J = c_in),
 * the f2 step over c_in (`swapped`: c = c_in, J = c_out). In this layout the normal equations'
 * windows are contiguous row copies (normal-equations.ts) and compose's tap-major accumulator is
 * the composition itself (compose.ts, composeTapMajor), so a loop that holds its target and its
 * residuals this way skips a rearrangement of a target-sized tensor per half-step and per
 * composition, and the channel swap of the target.
 */
export interface TapMajorTarget {
  readonly layout: "tap-major";
  /** Contracted channels. */
  readonly c: number;
  /** Free channels. */
  readonly J: number;
  readonly eh: number;
  readonly ew: number;
  readonly data: Float64Array;
}

export function tapMajorTarget(T: Tensor4, swapped: boolean): TapMajorTarget {
  const [cOut, cIn, eh, ew] = T.shape;
  const taps = eh * ew;
  const [c, J] = swapped ? [cIn, cOut] : [cOut, cIn];
  const data = new Float64Array(T.data.length);
  for (let o = 0; o < cOut; o++) {
    for (let i = 0; i < cIn; i++) {
      const src = (o * cIn + i) * taps;
      const dst = swapped ? i * J + o : o * J + i;
      for (let t = 0; t < taps; t++) data[t * c * J + dst] = T.data[src + t]!;
    }
  }
  return { layout: "tap-major", c, J, eh, ew, data };
}

export function isTapMajor(t: Tensor4 | TapMajorTarget): t is TapMajorTarget {
  return "layout" in t && t.layout === "tap-major";
}

/** A tap-major tensor (s, c, J) already in that order (a residual built tap-major), as a view. */
export function tapMajorView(data: Float64Array, c: number, J: number, e: Size2): TapMajorTarget {
  return { layout: "tap-major", c, J, eh: e.h, ew: e.w, data };
}
