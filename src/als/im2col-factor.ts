import { col2im, im2col, overlapCounts } from "../geometry/im2col.js";
import type { SplitGeometry } from "../geometry/shapes.js";
import { sumSquares, swapChannels, type Shape4, type Size2, type Tensor4 } from "../geometry/tensor.js";
import { gemm, gemmFlops } from "../linalg/gemm.js";
import { Rng } from "../random.js";
import type { AlsOptions, StopReason } from "./options.js";
import { stopReason } from "./stopping.js";
import { ridgeSolve } from "./ridge-solve.js";

/**
 * The seed's view of the problem (DESIGN.md, methods 1 and 2): the composition as one matrix product
 *   X K ~ B,
 *   X (c_in keh kew x m k2h k2w): im2col of f1, read as c_in images of m channels, window k2,
 *     padding k2 - 1 (so there are keh x kew window positions p);
 *   K (m k2h k2w x c_out): K[(m, w), o] = f2[o, m, k2 - 1 - w] (cross-correlation flips f2);
 *   B (c_in keh kew x c_out): B[(i, p), o] = T[o, i, p].
 * X is stored transposed, XT (n x rows), n = m k2h k2w, rows = c_in keh kew, so both ridge
 * steps are row-major GEMMs.
 */
export interface Im2colProblem {
  readonly g: SplitGeometry;
  readonly n: number;
  readonly rows: number;
  /** (rows x c_out) */
  readonly B: Float64Array;
  readonly bNormSq: number;
  /** Shape of f1 read as images: (c_in, m, k1h, k1w). */
  readonly images: Shape4;
  readonly window: Size2;
  readonly pad: Size2;
  /** Overlap count of each image position, col2im of ones (the seed hard-codes 9 for 3x3). */
  readonly counts: Float64Array;
}

export function im2colProblem(T: Tensor4, g: SplitGeometry): Im2colProblem {
  const rows = g.cIn * g.ke.h * g.ke.w;
  const E = g.ke.h * g.ke.w;
  const B = new Float64Array(rows * g.cOut);
  let bNormSq = 0;
  for (let o = 0; o < g.cOut; o++) {
    for (let i = 0; i < g.cIn; i++) {
      for (let p = 0; p < E; p++) {
        const v = T.data[(o * g.cIn + i) * E + p]!;
        B[(i * E + p) * g.cOut + o] = v;
        bNormSq += v * v;
      }
    }
  }
  const images: Shape4 = [g.cIn, g.m, g.k1.h, g.k1.w];
  const window = g.k2;
  const pad = { h: g.k2.h - 1, w: g.k2.w - 1 };
  return { g, n: g.m * g.k2.h * g.k2.w, rows, B, bNormSq, images, window, pad, counts: overlapCounts(images, window, pad) };
}

/** The seed's start for the second factor: K ~ N(0, 1e-3^2). */
export function randomK(pb: Im2colProblem, rng: Rng): Float64Array {
  return rng.normals(pb.n * pb.g.cOut, 1e-3);
}

/** X step: XT = (K K^T + shift I)^{-1} K B^T, an unstructured ridge solve for all of X at once. */
export function solveX(pb: Im2colProblem, K: Float64Array, lambda: number): { XT: Float64Array; flops: number } {
  const { n, rows } = pb;
  const co = pb.g.cOut;
  const G = new Float64Array(n * n);
  gemm(false, true, n, n, co, 1, K, co, K, co, 0, G, n);
  const R = new Float64Array(n * rows);
  gemm(false, true, n, rows, co, 1, K, co, pb.B, co, 0, R, rows);
  const sol = ridgeSolve(n, G, R, rows, lambda);
  return { XT: sol.X, flops: gemmFlops(n, n, co) + gemmFlops(n, rows, co) + sol.flops };
}

/**
 * K step: K = (X^T X + shift I)^{-1} X^T B. Also returns the squared residual ||X K - B||^2 of the
 * unregularised problem, from the normal equations (ridge-solve.ts).
 */
export function solveK(pb: Im2colProblem, XT: Float64Array, lambda: number): { K: Float64Array; residualSq: number; flops: number } {
  const { n, rows } = pb;
  const co = pb.g.cOut;
  const G = new Float64Array(n * n);
  gemm(false, true, n, n, rows, 1, XT, rows, XT, rows, 0, G, n);
  const R = new Float64Array(n * co);
  gemm(false, false, n, co, rows, 1, XT, rows, pb.B, co, 0, R, co);
  const sol = ridgeSolve(n, G, R, co, lambda);
  const residualSq = pb.bNormSq - sol.xDotR - sol.shift * sol.xNormSq;
  return { K: sol.X, residualSq, flops: gemmFlops(n, n, rows) + gemmFlops(n, co, rows) + sol.flops };
}

/**
 * ||X K - B|| / ||B||: from the K step's normal equations when that is safe from cancellation
 * (above 1e-8 ||B||^2), else explicitly with one (rows x c_out) GEMM.
 */
export function relativeProductResidual(
  pb: Im2colProblem,
  XT: Float64Array,
  K: Float64Array,
  residualSq: number,
): { rel: number; flops: number } {
  const bNorm = Math.sqrt(pb.bNormSq);
  if (residualSq > 1e-8 * pb.bNormSq) return { rel: Math.sqrt(residualSq) / bNorm, flops: 0 };
  const { n, rows } = pb;
  const co = pb.g.cOut;
  const P = pb.B.slice();
  gemm(true, false, rows, co, n, 1, XT, rows, K, co, -1, P, co);
  return { rel: Math.sqrt(sumSquares(P)) / bNorm, flops: gemmFlops(rows, co, n) };
}

/** Project X onto im2col matrices: f1 = col2im(X) / counts, then (m, c_in, k1h, k1w). */
export function projectToF1(pb: Im2colProblem, XT: Float64Array): Tensor4 {
  const X = transpose(XT, pb.n, pb.rows);
  const img = col2im(X, pb.images, pb.window, pb.pad);
  for (let q = 0; q < img.length; q++) img[q]! /= pb.counts[q]!;
  return swapChannels({ shape: pb.images, data: img });
}

/** XT of a kernel f1 (m, c_in, k1h, k1w): the im2col matrix of its images, transposed. */
export function f1ToXT(pb: Im2colProblem, f1: Tensor4): Float64Array {
  const X = im2col(swapChannels(f1).data, pb.images, pb.window, pb.pad);
  return transpose(X, pb.rows, pb.n);
}

/** f2 (c_out, m, k2h, k2w) from K: f2[o, m, v] = K[(m, k2 - 1 - v), o]. */
export function kToF2(pb: Im2colProblem, K: Float64Array): Tensor4 {
  const { m, cOut } = pb.g;
  const { h: kh, w: kw } = pb.g.k2;
  const out = new Float64Array(cOut * m * kh * kw);
  for (let o = 0; o < cOut; o++) {
    for (let p = 0; p < m; p++) {
      for (let vh = 0; vh < kh; vh++) {
        for (let vw = 0; vw < kw; vw++) {
          const w = (kh - 1 - vh) * kw + (kw - 1 - vw);
          out[((o * m + p) * kh + vh) * kw + vw] = K[(p * kh * kw + w) * cOut + o]!;
        }
      }
    }
  }
  return { shape: [cOut, m, kh, kw], data: out };
}

/** (r x c) -> (c x r), row-major. */
function transpose(a: Float64Array, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j]!;
  return out;
}

/**
 * The ridge ALS loop both im2col methods share: X step, optionally the projection of X onto
 * im2col matrices (the projected method), K step, residual of X K against B, stopping rule.
 */
export function im2colAls(
  T: Tensor4,
  g: SplitGeometry,
  opts: AlsOptions,
  projectEachStep: boolean,
): { pb: Im2colProblem; XT: Float64Array; K: Float64Array; trace: number[]; flops: number; stopReason: StopReason } {
  const pb = im2colProblem(T, g);
  let K = randomK(pb, new Rng(opts.seed));
  let XT: Float64Array = new Float64Array(pb.n * pb.rows);
  const trace: number[] = [];
  let flops = 0;
  let reason: StopReason | undefined;
  while (reason === undefined) {
    const x = solveX(pb, K, opts.lambda);
    XT = projectEachStep ? f1ToXT(pb, projectToF1(pb, x.XT)) : x.XT;
    const k = solveK(pb, XT, opts.lambda);
    K = k.K;
    const r = relativeProductResidual(pb, XT, K, k.residualSq);
    flops += x.flops + k.flops + r.flops;
    trace.push(r.rel);
    opts.onIteration?.(trace.length, r.rel);
    reason = stopReason(trace, opts);
  }
  return { pb, XT, K, trace, flops, stopReason: reason };
}
