/**
 * Second moments of a layer's input activations x (N, c_in, H, W), the weights of the
 * output-space objective. For a kernel D applied with padding P as one conv,
 *   sum_{n, o, p} conv(x, D, P)[n, o, p]^2 = sum_o vec(D_o)^T (X^T X) vec(D_o),
 * X = im2col(x, window of D, P) (rows (n, p), columns (i, u)); so G = X^T X / rows makes
 * E ||conv(x, D)||^2 per output position a quadratic form in D: the spatial-channel
 * autocovariance. The 1x1 window (no padding) gives the input-channel covariance alone.
 */
import { gemm } from "../linalg/gemm.js";
import { im2col, im2colShape } from "../geometry/im2col.js";
import type { Size2, Tensor4 } from "../geometry/tensor.js";

/** G = X^T X / rows, (c_in kh kw) square, columns ordered (i, u) like OIHW kernels. */
export function activationGram(x: Tensor4, window: Size2, pad: Size2): Float64Array {
  const [rows, cols] = im2colShape({ input: x.shape, window, pad, stride: { h: 1, w: 1 } });
  const X = im2col(x.data, x.shape, window, pad);
  const G = new Float64Array(cols * cols);
  gemm(true, false, cols, cols, rows, 1 / rows, X, cols, X, cols, 0, G, cols);
  return G;
}
