import type { SplitGeometry } from "../geometry/shapes.js";
import type { Tensor4 } from "../geometry/tensor.js";
import type { Rng } from "../random.js";

/**
 * Random start for f1 (m, c_in, k1h, k1w): i.i.d. normal with variance 1 / (c_in k1h k1w), so each
 * first-layer output has unit variance for unit inputs (He-style fan-in scaling). The scale of the
 * start does not matter to the result: the first half-step solves f2 against it, and the ridge is
 * scale-free.
 */
export function randomF1(g: SplitGeometry, rng: Rng): Tensor4 {
  const n = g.m * g.cIn * g.k1.h * g.k1.w;
  return { shape: [g.m, g.cIn, g.k1.h, g.k1.w], data: rng.normals(n, 1 / Math.sqrt(g.cIn * g.k1.h * g.k1.w)) };
}
