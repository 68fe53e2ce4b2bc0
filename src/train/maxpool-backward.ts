import type { Size2, Tensor4 } from "../geometry/tensor.js";

/**
 * Max pooling (no padding), window `size`, stride `stride`, as torch.nn.functional.max_pool2d:
 *   y[n, c, i, j] = max over the window at (i sh, j sw);  oh = floor((H - kh) / sh) + 1.
 * The forward records each output's argmax (first maximum in row-major window order, as PyTorch's
 * CPU kernel); the backward routes dy to that input position (accumulating where windows overlap).
 */
export function maxPoolForward(x: Tensor4, size: Size2, stride: Size2 = size): { y: Tensor4; argmax: Int32Array } {
  const [N, C, H, W] = x.shape;
  const oh = Math.floor((H - size.h) / stride.h) + 1;
  const ow = Math.floor((W - size.w) / stride.w) + 1;
  const y = new Float64Array(N * C * oh * ow);
  const argmax = new Int32Array(y.length);
  for (let nc = 0; nc < N * C; nc++) {
    const xb = nc * H * W;
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let best = -Infinity;
        let at = -1;
        for (let u = 0; u < size.h; u++) {
          for (let v = 0; v < size.w; v++) {
            const q = xb + (i * stride.h + u) * W + (j * stride.w + v);
            const val = x.data[q]!;
            if (val > best || at < 0) {
              best = val;
              at = q;
            }
          }
        }
        const o = (nc * oh + i) * ow + j;
        y[o] = best;
        argmax[o] = at;
      }
    }
  }
  return { y: { shape: [N, C, oh, ow], data: y }, argmax };
}

export function maxPoolBackward(inputShape: Tensor4["shape"], argmax: Int32Array, dy: Tensor4): Tensor4 {
  const dx = new Float64Array(inputShape[0] * inputShape[1] * inputShape[2] * inputShape[3]);
  for (let o = 0; o < argmax.length; o++) dx[argmax[o]!]! += dy.data[o]!;
  return { shape: inputShape, data: dx };
}
