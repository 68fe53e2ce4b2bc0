import type { Size2, Tensor4 } from "./tensor.js";

/** Zero-pad the last two axes symmetrically: (a, b, h, w) -> (a, b, h + 2 p.h, w + 2 p.w). */
export function pad2d(t: Tensor4, p: Size2): Tensor4 {
  const [a, b, h, w] = t.shape;
  const H = h + 2 * p.h;
  const W = w + 2 * p.w;
  const out = new Float64Array(a * b * H * W);
  for (let ab = 0; ab < a * b; ab++) {
    for (let y = 0; y < h; y++) {
      const src = (ab * h + y) * w;
      const dst = (ab * H + y + p.h) * W + p.w;
      out.set(t.data.subarray(src, src + w), dst);
    }
  }
  return { shape: [a, b, H, W], data: out };
}
