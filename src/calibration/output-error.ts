/**
 * The output-space residual of a split on real inputs x (N, c_in, H, W), by direct convolution:
 *   ||conv(x, W, p) - conv(conv(x, f1, P), f2, 0)||_F / ||conv(x, W, p)||_F,
 * stride 1, no bias (it cancels), the exact layout of DESIGN.md (f1 padded by
 * P = p + (ke - k) / 2, f2 unpadded), so both sides have the parent's output size.
 */
import { conv2d } from "../geometry/conv2d.js";
import { diffNorm, frobeniusNorm, type Size2, type Tensor4 } from "../geometry/tensor.js";

export function outputResidual(x: Tensor4, W: Tensor4, f1: Tensor4, f2: Tensor4, parentPadding: Size2): number {
  const keh = f1.shape[2] + f2.shape[2] - 1, kew = f1.shape[3] + f2.shape[3] - 1;
  const P = { h: parentPadding.h + (keh - W.shape[2]) / 2, w: parentPadding.w + (kew - W.shape[3]) / 2 };
  const y = conv2d(x, W, parentPadding);
  const z = conv2d(conv2d(x, f1, P), f2, { h: 0, w: 0 });
  const n = frobeniusNorm(y.data);
  return n > 0 ? diffNorm(y.data, z.data) / n : 0;
}
