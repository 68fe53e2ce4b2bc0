import type { SplitGeometry } from "../geometry/shapes.js";
import { swapChannels, type Tensor4 } from "../geometry/tensor.js";
import { gemm } from "../linalg/gemm.js";
import type { Rng } from "../random.js";
import { topEigenvectors } from "./symmetric-eigenvectors.js";

/**
 * Starts for f1 (m, c_in, k1h, k1w); the structured loop solves f2 against the start first, so only
 * f1 is needed, and (the ridge being scale-free) only its direction matters.
 *
 * - random:   i.i.d. normal, variance 1 / (c_in k1h k1w) (He-style fan-in scaling). Dense; the
 *             start the Network Morphism paper uses. Reaches an exact split in one half-step when
 *             m k2h k2w >= c_in keh kew (the exact-dense regime).
 * - identity: when m >= c_in and k2 >= k, f1's centre tap is [I; 0] (the first c_in middle channels copy the
 *             inputs), other taps zero, further middle channels random as above: an exact split is
 *             one half-step away (f2 = W on the copied channels). Otherwise, when c_out <= m and
 *             k1 >= k (a parent that narrows, or k2 too small), the identity belongs on the other side: f1's first c_out middle
 *             channels are the parent itself (T's window under f2's centre tap), so the f2 step
 *             finds f2 = [I 0] at its centre tap, again exact.
 * - spectral: f1's centre tap holds the leading m left singular vectors of T unfolded by input
 *             channel, T_(in) (c_in x c_out keh kew): the best m-dimensional input subspace
 *             (Tucker-2 / HOSVD start); middle channels beyond c_in are random. The compression start.
 * `noise` adds i.i.d. normal noise whose expected norm is noise * ||start||, to every tap.
 */
export type InitName = "random" | "identity" | "spectral";
export const INIT_NAMES: readonly InitName[] = ["random", "identity", "spectral"];

export function randomF1(g: SplitGeometry, rng: Rng): Tensor4 {
  const n = g.m * g.cIn * g.k1.h * g.k1.w;
  return { shape: [g.m, g.cIn, g.k1.h, g.k1.w], data: rng.normals(n, 1 / Math.sqrt(g.cIn * g.k1.h * g.k1.w)) };
}

export function initialF1(name: InitName, T: Tensor4, g: SplitGeometry, rng: Rng, noise = 0): Tensor4 {
  // The delta goes where a delta split exists (quality/regime.ts): on f1 when m >= c_in and k2 >= k,
  // else on f2 (f1 = the parent) when m >= c_out and k1 >= k.
  const deltaF1 = g.m >= g.cIn && g.k2.h >= g.k.h && g.k2.w >= g.k.w;
  const narrowing = name === "identity" && !deltaF1 && g.m >= g.cOut && g.k1.h >= g.k.h && g.k1.w >= g.k.w;
  const start = name === "random" ? randomF1(g, rng) : narrowing ? parentStart(T, g, rng) : centredStart(name, T, g, rng);
  if (noise > 0) addRelativeNoise(start.data, noise, rng);
  return start;
}

/** The centre tap of f1 as a channel mixing (m x c_in); rows beyond the mixing's rank are random. */
function centredStart(name: "identity" | "spectral", T: Tensor4, g: SplitGeometry, rng: Rng): Tensor4 {
  const { m, cIn } = g;
  const A = g.k1.h * g.k1.w;
  const centre = Math.floor(g.k1.h / 2) * g.k1.w + Math.floor(g.k1.w / 2);
  const f1 = randomF1(g, rng);
  const r = Math.min(m, cIn);
  const mix = name === "identity" ? identityRows(r, cIn) : topEigenvectors(cIn, inputGram(T), r);
  for (let p = 0; p < r; p++) {
    for (let i = 0; i < cIn; i++) {
      const base = (p * cIn + i) * A;
      for (let t = 0; t < A; t++) f1.data[base + t] = t === centre ? mix[p * cIn + i]! : 0;
    }
  }
  return f1;
}

/**
 * f1[p] = T[p, :, v0 : v0 + k1] for p < c_out, v0 = f2's centre tap; further rows random. Then
 * compose(f1, f2) with f2 = [I 0] at its centre tap is T exactly (k1 >= k keeps W inside the window).
 */
function parentStart(T: Tensor4, g: SplitGeometry, rng: Rng): Tensor4 {
  const f1 = randomF1(g, rng);
  const [, cIn, eh, ew] = T.shape;
  const v0 = { h: Math.floor((g.k2.h - 1) / 2), w: Math.floor((g.k2.w - 1) / 2) };
  for (let p = 0; p < g.cOut; p++) {
    for (let i = 0; i < cIn; i++) {
      for (let y = 0; y < g.k1.h; y++) {
        for (let x = 0; x < g.k1.w; x++) {
          f1.data[((p * cIn + i) * g.k1.h + y) * g.k1.w + x] = T.data[((p * cIn + i) * eh + y + v0.h) * ew + x + v0.w]!;
        }
      }
    }
  }
  return f1;
}

function identityRows(r: number, n: number): Float64Array {
  const out = new Float64Array(r * n);
  for (let p = 0; p < r; p++) out[p * n + p] = 1;
  return out;
}

/** T_(in) T_(in)^T (c_in x c_in): T (c_out, c_in, E) unfolded with the input channel as rows. */
function inputGram(T: Tensor4): Float64Array {
  const [cOut, cIn, eh, ew] = T.shape;
  const cols = cOut * eh * ew;
  const A = swapChannels(T).data; // (c_in, c_out, E) = T_(in), row-major (c_in x c_out E)
  const Gm = new Float64Array(cIn * cIn);
  gemm(false, true, cIn, cIn, cols, 1, A, cols, A, cols, 0, Gm, cIn);
  return Gm;
}

/**
 * x += N(0, s^2) with s chosen so the noise's expected norm is ratio * ||x||. Only the start's
 * direction matters (the ridge is scale-free), so for ratio > 1 the sum is formed divided by
 * ratio: x / ratio + N(0, (||x|| / sqrt(n))^2), the same direction, finite for any finite ratio.
 */
export function addRelativeNoise(x: Float64Array, ratio: number, rng: Rng): void {
  let ss = 0;
  for (let q = 0; q < x.length; q++) ss += x[q]! * x[q]!;
  const unit = Math.sqrt(ss) / Math.sqrt(x.length);
  if (ratio <= 1) {
    const s = ratio * unit;
    for (let q = 0; q < x.length; q++) x[q]! += s * rng.normal();
  } else {
    for (let q = 0; q < x.length; q++) x[q] = x[q]! / ratio + unit * rng.normal();
  }
}
