import { gemm } from "../linalg/gemm.js";
import { im2col, outputSize } from "./im2col.js";
import type { Size2, Tensor4 } from "./tensor.js";

/**
 * 2-D cross-correlation with zero padding and stride (default 1), as torch.nn.functional.conv2d:
 *   x (N, C, H, W), w (O, C, kh, kw), optional bias (O)  ->  y (N, O, oh, ow),
 *   y[n, o, y, x] = b[o] + sum_{c,u,v} w[o, c, u, v] x[n, c, y sh + u - ph, x sw + v - pw].
 * Computed as im2col(x) (N oh ow x C kh kw) times w^T (C kh kw x O).
 */
export function conv2d(x: Tensor4, w: Tensor4, pad: Size2, bias?: Float64Array, stride: Size2 = { h: 1, w: 1 }): Tensor4 {
  const [N, C] = x.shape;
  const [O, C2, kh, kw] = w.shape;
  if (C !== C2) throw new RangeError(`conv2d: input has ${C} channels, weight expects ${C2}`);
  const window = { h: kh, w: kw };
  const o = outputSize({ input: x.shape, window, pad, stride });
  const cols = im2col(x.data, x.shape, window, pad, stride);
  const hw = o.h * o.w;
  const K = C * kh * kw;
  const rowsOut = new Float64Array(N * hw * O); // (N oh ow, O)
  gemm(false, true, N * hw, O, K, 1, cols, K, w.data, K, 0, rowsOut, O);
  const y = new Float64Array(N * O * hw);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < hw; p++) {
      const src = (n * hw + p) * O;
      for (let oc = 0; oc < O; oc++) y[(n * O + oc) * hw + p] = rowsOut[src + oc]! + (bias ? bias[oc]! : 0);
    }
  }
  return { shape: [N, O, o.h, o.w], data: y };
}
