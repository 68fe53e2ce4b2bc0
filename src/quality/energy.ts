import type { Tensor4 } from "../geometry/tensor.js";

/**
 * Fraction of a factor's energy (sum of squares) outside its centre tap, (floor(kh/2), floor(kw/2)):
 * 0 for a pure channel mixing (a spatial delta, the trivial identity-like split), near
 * 1 - 1/(kh kw) for i.i.d. random taps. 0 for an all-zero factor.
 */
export function energyOffCentre(f: Tensor4): number {
  const [, , kh, kw] = f.shape;
  const A = kh * kw;
  const centre = Math.floor(kh / 2) * kw + Math.floor(kw / 2);
  let total = 0;
  let off = 0;
  for (let q = 0; q < f.data.length; q++) {
    const x = f.data[q]! * f.data[q]!;
    total += x;
    if (q % A !== centre) off += x;
  }
  return total > 0 ? off / total : 0;
}
