import { adjointF1, adjointF2 } from "../geometry/compose-adjoint.js";
import { compose, composeFlops } from "../geometry/compose.js";
import type { Tensor4 } from "../geometry/tensor.js";

/**
 * The Jacobian of the residual r(f1, f2) = compose(f1, f2) - T at (f1, f2), matrix-free. compose is
 * bilinear, so
 *   J (d1, d2)  = compose(d1, f2) + compose(f1, d2)                      (c_out, c_in, keh, kew)
 *   J^T E       = (adjointF1(E, f2), adjointF2(E, f1))                   (shapes of f1, f2)
 * (compose-adjoint.ts). Each costs two compositions' flops.
 */
export function jacobianTimes(f1: Tensor4, f2: Tensor4, d1: Tensor4, d2: Tensor4): { out: Tensor4; flops: number } {
  const a = compose(d1, f2);
  const b = compose(f1, d2);
  for (let q = 0; q < a.data.length; q++) a.data[q]! += b.data[q]!;
  return { out: a, flops: 2 * composeFlops(f1, f2) };
}

export function jacobianTransposeTimes(f1: Tensor4, f2: Tensor4, E: Tensor4): { g1: Tensor4; g2: Tensor4; flops: number } {
  const k1 = { h: f1.shape[2], w: f1.shape[3] };
  const k2 = { h: f2.shape[2], w: f2.shape[3] };
  return { g1: adjointF1(E, f2, k1), g2: adjointF2(E, f1, k2), flops: 2 * composeFlops(f1, f2) };
}
