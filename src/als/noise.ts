import { DecomposeError } from "../errors.js";
import type { Tensor4 } from "../geometry/tensor.js";
import type { Rng } from "../random.js";

/**
 * --noise: add i.i.d. uniform noise on [-r, r], r = ratio * ptp(factor) (max - min over all of the
 * factor's entries), the convention of Net2Net-style tools (ratio 1e-4 there). Breaks the symmetry
 * of exact or identity-like factors before training.
 */
export function addUniformNoise(f: Tensor4, ratio: number, rng: Rng): Tensor4 {
  let lo = Infinity;
  let hi = -Infinity;
  for (let q = 0; q < f.data.length; q++) {
    lo = Math.min(lo, f.data[q]!);
    hi = Math.max(hi, f.data[q]!);
  }
  const r = ratio * (hi - lo);
  const out = new Float64Array(f.data.length);
  let nonFinite = 0;
  for (let q = 0; q < out.length; q++) {
    out[q] = f.data[q]! + r * (2 * rng.uniform() - 1);
    if (!Number.isFinite(out[q]!)) nonFinite++;
  }
  if (nonFinite > 0) {
    throw new DecomposeError("E_OPTION", `--noise ${ratio} would make ${nonFinite} of the ${out.length} factor values non-finite`);
  }
  return { shape: f.shape, data: out };
}
