/**
 * The geometries a budget plan may give one layer (issue 12). For a parent (c_out, c_in, kh, kw):
 *
 * | name        | f1 kernel          | f2 kernel          | ke  | how its optimum is found |
 * | ----------- | ------------------ | ------------------ | --- | ------------------------ |
 * | `sep-v`     | kh x 1             | 1 x kw             | k   | truncated SVD of W unfolded (c_in kh) x (c_out kw) |
 * | `sep-h`     | 1 x kw             | kh x 1             | k   | truncated SVD of W unfolded (c_in kw) x (c_out kh) |
 * | `1x1-first` | 1 x 1              | kh x kw            | k   | truncated SVD of W unfolded c_in x (c_out kh kw) |
 * | `1x1-second`| kh x kw            | 1 x 1              | k   | truncated SVD of W unfolded (c_in kh kw) x c_out |
 * | `half`      | (kh+1)/2 x (kw+1)/2| (kh+1)/2 x (kw+1)/2| k   | ALS (odd kernels only) |
 * | `default`   | kh x kw            | kh x kw            | 2k-1| ALS |
 *
 * In every matrix geometry the composition is a rank-m product of the unfolding's row and column
 * factors (DESIGN.md, "Regimes": matrix geometries), so the Eckart-Young optimum is exact and the
 * children hold m (rows + cols) weights. A 1x1 parent has one matrix geometry (channel low rank:
 * `1x1-first` and `1x1-second` coincide, `sep-*`, `half` and `default` are the same product).
 * `--k1/--k2` pin one geometry instead (`pinned`, ALS). Leaving the layer unsplit is always an
 * option and is not listed here.
 */
import type { Shape4, Size2 } from "../geometry/tensor.js";

export type GeometryName = "sep-v" | "sep-h" | "1x1-first" | "1x1-second" | "half" | "default" | "pinned";

/** A matrix geometry: W unfolded as rows x cols, rank m. Index maps give W's flat OIHW index. */
export interface Unfolding {
  readonly rows: number;
  readonly cols: number;
  /** Flat OIHW index of W for unfolding entry (r, c). */
  readonly index: (r: number, c: number) => number;
}

export interface Candidate {
  readonly name: GeometryName;
  readonly k1: Size2;
  readonly k2: Size2;
  /** The closed form, for matrix geometries; null: needs the ALS solver. */
  readonly unfolding: Unfolding | null;
  /** The largest m worth considering: min(rows, cols) (exact there) or the frequency-floor rank. */
  readonly mMax: number;
}

/** Weights of f1 and f2 with m middle channels. */
export function candidateParams(shape: Shape4, c: Pick<Candidate, "k1" | "k2">, m: number): number {
  return m * (shape[1] * c.k1.h * c.k1.w + shape[0] * c.k2.h * c.k2.w);
}

/**
 * Multiply-adds x 2 of the stacked convs on an input map `size` (stride 1, the exact layout of
 * DESIGN.md: f1 runs with padding P = p + (ke - k)/2, so with a "same" parent its output is larger
 * than the input by k2 - 1 per axis, and f2 brings it back to the input's size).
 */
export function candidateFlops(shape: Shape4, c: Pick<Candidate, "k1" | "k2">, m: number, size: Size2): number {
  const inter = (size.h + c.k2.h - 1) * (size.w + c.k2.w - 1);
  return 2 * m * (shape[1] * c.k1.h * c.k1.w * inter + shape[0] * c.k2.h * c.k2.w * size.h * size.w);
}

/** The parent's FLOPs on an input map `size` ("same" output, stride 1). */
export function parentFlops(shape: Shape4, size: Size2): number {
  return 2 * shape[0] * shape[1] * shape[2] * shape[3] * size.h * size.w;
}

export function parentParams(shape: Shape4): number {
  return shape[0] * shape[1] * shape[2] * shape[3];
}

/** The candidate geometries of one (ungrouped) layer; `pinned` when --k1/--k2 fix the sizes. */
export function layerCandidates(shape: Shape4, pinned?: { k1: Size2; k2: Size2 }): Candidate[] {
  const [cOut, cIn, kh, kw] = shape;
  const d = Math.min(cOut, cIn);
  const one: Size2 = { h: 1, w: 1 };
  const k: Size2 = { h: kh, w: kw };
  if (pinned) return [{ name: "pinned", k1: pinned.k1, k2: pinned.k2, unfolding: null, mMax: d }];
  const idx = (o: number, i: number, y: number, x: number): number => ((o * cIn + i) * kh + y) * kw + x;
  const matrix = (name: GeometryName, k1: Size2, k2: Size2, u: Unfolding): Candidate => ({
    name,
    k1,
    k2,
    unfolding: u,
    mMax: Math.min(u.rows, u.cols),
  });
  // 1x1-first: rows i, cols (o, y, x).
  const first = matrix("1x1-first", one, k, {
    rows: cIn,
    cols: cOut * kh * kw,
    index: (r, c) => idx(Math.floor(c / (kh * kw)), r, Math.floor(c / kw) % kh, c % kw),
  });
  if (kh === 1 && kw === 1) return [first];
  const out: Candidate[] = [first];
  // 1x1-second: rows (i, y, x), cols o.
  out.push(
    matrix("1x1-second", k, one, {
      rows: cIn * kh * kw,
      cols: cOut,
      index: (r, c) => idx(c, Math.floor(r / (kh * kw)), Math.floor(r / kw) % kh, r % kw),
    }),
  );
  if (kh > 1 && kw > 1) {
    // sep-v: f1 (kh x 1) carries y, f2 (1 x kw) carries x: rows (i, y), cols (o, x).
    out.push(
      matrix("sep-v", { h: kh, w: 1 }, { h: 1, w: kw }, {
        rows: cIn * kh,
        cols: cOut * kw,
        index: (r, c) => idx(Math.floor(c / kw), Math.floor(r / kh), r % kh, c % kw),
      }),
    );
    // sep-h: f1 (1 x kw) carries x, f2 (kh x 1) carries y: rows (i, x), cols (o, y).
    out.push(
      matrix("sep-h", { h: 1, w: kw }, { h: kh, w: 1 }, {
        rows: cIn * kw,
        cols: cOut * kh,
        index: (r, c) => idx(Math.floor(c / kh), Math.floor(r / kw), c % kh, r % kw),
      }),
    );
  }
  if (kh % 2 === 1 && kw % 2 === 1) {
    const h: Size2 = { h: (kh + 1) / 2, w: (kw + 1) / 2 };
    out.push({ name: "half", k1: h, k2: h, unfolding: null, mMax: d });
  }
  out.push({ name: "default", k1: k, k2: k, unfolding: null, mMax: d });
  return out;
}
