import { col2im, im2col, outputSize } from "../geometry/im2col.js";
import type { Size2, Tensor4 } from "../geometry/tensor.js";
import { gemm } from "../linalg/gemm.js";

/**
 * Stride-1 2-D cross-correlation (torch.nn.functional.conv2d) and its backward pass, through
 * im2col/col2im (the seed's layer, both halves):
 *   forward:  cols = im2col(x) (N oh ow x C kh kw),  Y = cols W^T (+ b),  y (N, O, oh, ow)
 *   backward: dW = dY^T cols,  db = sum of dY over (n, y, x),  dx = col2im(dY W)
 * with dY (N oh ow x O) the upstream gradient in im2col row order. The forward keeps `cols` for the
 * weight gradient (the usual memory-for-time trade of im2col training).
 */
export interface ConvCache {
  readonly x: Tensor4;
  readonly w: Tensor4;
  readonly pad: Size2;
  readonly cols: Float64Array;
  readonly out: Size2;
}

export function conv2dForward(x: Tensor4, w: Tensor4, pad: Size2, bias?: Float64Array): { y: Tensor4; cache: ConvCache } {
  const [N, C] = x.shape;
  const [O, C2, kh, kw] = w.shape;
  if (C !== C2) throw new RangeError(`conv2dForward: input has ${C} channels, weight expects ${C2}`);
  const window = { h: kh, w: kw };
  const out = outputSize({ input: x.shape, window, pad, stride: { h: 1, w: 1 } });
  const cols = im2col(x.data, x.shape, window, pad);
  const hw = out.h * out.w;
  const K = C * kh * kw;
  const rows = new Float64Array(N * hw * O);
  gemm(false, true, N * hw, O, K, 1, cols, K, w.data, K, 0, rows, O);
  const y = new Float64Array(N * O * hw);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < hw; p++) {
      const src = (n * hw + p) * O;
      for (let o = 0; o < O; o++) y[(n * O + o) * hw + p] = rows[src + o]! + (bias ? bias[o]! : 0);
    }
  }
  return { y: { shape: [N, O, out.h, out.w], data: y }, cache: { x, w, pad, cols, out } };
}

export interface ConvGradients {
  readonly dx: Tensor4;
  readonly dw: Tensor4;
  readonly db: Float64Array;
}

/** Gradients of a scalar loss given dL/dy (N, O, oh, ow). `needInput` false skips dx (returns zeros). */
export function conv2dBackward(cache: ConvCache, dy: Tensor4, needInput = true): ConvGradients {
  const { x, w, pad, cols, out } = cache;
  const [N, C, H, W] = x.shape;
  const [O, , kh, kw] = w.shape;
  const hw = out.h * out.w;
  const K = C * kh * kw;
  const rows = N * hw;
  // dY in im2col row order: (N oh ow x O).
  const dY = new Float64Array(rows * O);
  const db = new Float64Array(O);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const src = (n * O + o) * hw;
      let s = 0;
      for (let p = 0; p < hw; p++) {
        const v = dy.data[src + p]!;
        dY[(n * hw + p) * O + o] = v;
        s += v;
      }
      db[o]! += s;
    }
  }
  const dw = new Float64Array(O * K);
  gemm(true, false, O, K, rows, 1, dY, O, cols, K, 0, dw, K);
  let dx: Float64Array = new Float64Array(N * C * H * W);
  if (needInput) {
    const dcols = new Float64Array(rows * K);
    gemm(false, false, rows, K, O, 1, dY, O, w.data, K, 0, dcols, K);
    dx = col2im(dcols, x.shape, { h: kh, w: kw }, pad);
  }
  return { dx: { shape: x.shape, data: dx }, dw: { shape: w.shape, data: dw }, db };
}
