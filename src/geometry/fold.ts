import type { SplitGeometry } from "./shapes.js";
import type { Tensor4 } from "./tensor.js";

/**
 * Folding an axis into the channels. Along an axis where f2 has extent 1, the composition does not
 * mix that axis: C[o, i, y, .] = sum_m f2[o, m, 0, .] (*) f1[m, i, y, .], so (i, y) acts as one
 * input channel and f1 carries the whole axis. Where f1 has extent 1, the axis joins the output
 * channel (o, y) and f2 carries it. Folding every axis it can turns the split into a smaller-axis
 * split of a folded target with the same m, so:
 *  - both axes folded: the problem is a rank-m approximation of the matrix
 *    T' (c_out [folded y] [folded x]) x (c_in [folded y] [folded x]), whose optimum is a truncated
 *    SVD (Eckart-Young): the "matrix geometries" of DESIGN.md;
 *  - otherwise the frequency floor of the folded target is a rank bound at least as tight as the
 *    unfolded one (its channel counts are larger).
 * Index order: an output row is (o, y_out, x_out), an input row (i, y_in, x_in), where y_out is
 * present only when the h axis folds to the output side, and so on.
 */
export type FoldSide = "in" | "out" | null;

export interface Fold {
  /** Where each axis folded: "in" (f2 extent 1), "out" (f1 extent 1), null (not folded). */
  readonly h: FoldSide;
  readonly w: FoldSide;
  /** The folded target (c_out', c_in', keh', kew'), with a folded axis of extent 1. */
  readonly target: Tensor4;
  /** Both axes folded: a plain matrix problem. */
  readonly matrix: boolean;
}

export function foldSides(g: SplitGeometry): { readonly h: FoldSide; readonly w: FoldSide } {
  const side = (k1: number, k2: number): FoldSide => (k2 === 1 ? "in" : k1 === 1 ? "out" : null);
  return { h: side(g.k1.h, g.k2.h), w: side(g.k1.w, g.k2.w) };
}

export function isMatrixGeometry(g: SplitGeometry): boolean {
  const s = foldSides(g);
  return s.h !== null && s.w !== null;
}

export function foldTarget(T: Tensor4, g: SplitGeometry): Fold {
  const s = foldSides(g);
  const [cOut, cIn, eh, ew] = T.shape;
  const oh = s.h === "out" ? eh : 1;
  const ow = s.w === "out" ? ew : 1;
  const ih = s.h === "in" ? eh : 1;
  const iw = s.w === "in" ? ew : 1;
  const rh = s.h === null ? eh : 1;
  const rw = s.w === null ? ew : 1;
  const O = cOut * oh * ow;
  const I = cIn * ih * iw;
  const data = new Float64Array(O * I * rh * rw);
  for (let o = 0; o < cOut; o++) {
    for (let i = 0; i < cIn; i++) {
      for (let y = 0; y < eh; y++) {
        for (let x = 0; x < ew; x++) {
          const or = (o * oh + (s.h === "out" ? y : 0)) * ow + (s.w === "out" ? x : 0);
          const ir = (i * ih + (s.h === "in" ? y : 0)) * iw + (s.w === "in" ? x : 0);
          const ry = s.h === null ? y : 0;
          const rx = s.w === null ? x : 0;
          data[((or * I + ir) * rh + ry) * rw + rx] = T.data[((o * cIn + i) * eh + y) * ew + x]!;
        }
      }
    }
  }
  return { h: s.h, w: s.w, target: { shape: [O, I, rh, rw], data }, matrix: s.h !== null && s.w !== null };
}

/**
 * From matrix factors of a folded matrix geometry, T' ~ L R with L (O' x m) and R (m x I'), back
 * to kernels: f1[p, i, y, x] = R[p, (i, y_in, x_in)] and f2[o, p, y, x] = L[(o, y_out, x_out), p].
 */
export function unfoldFactors(g: SplitGeometry, L: Float64Array, R: Float64Array): { f1: Tensor4; f2: Tensor4 } {
  const { m, cIn, cOut, k1, k2 } = g;
  const I = cIn * k1.h * k1.w;
  const f1 = new Float64Array(m * I);
  // f1's own (i, y, x) order is exactly the input-row order: its extents are 1 on "out" axes.
  for (let p = 0; p < m; p++) for (let q = 0; q < I; q++) f1[p * I + q] = R[p * I + q]!;
  const A2 = k2.h * k2.w;
  const f2 = new Float64Array(cOut * m * A2);
  for (let o = 0; o < cOut; o++) {
    for (let t = 0; t < A2; t++) {
      const row = o * A2 + t; // (o, y_out, x_out): f2's taps, extent 1 on "in" axes
      for (let p = 0; p < m; p++) f2[(o * m + p) * A2 + t] = L[row * m + p]!;
    }
  }
  return { f1: { shape: [m, cIn, k1.h, k1.w], data: f1 }, f2: { shape: [cOut, m, k2.h, k2.w], data: f2 } };
}
