import type { SplitGeometry } from "./shapes.js";
import type { Tensor4 } from "./tensor.js";

/**
 * 1-D splits as matrix polynomials. Where one axis has extent 1 in the parent and both children
 * (kh = k1h = k2h = 1, or the transpose kw = k1w = k2w = 1), the composition of DESIGN.md,
 * C[:, :, s] = sum_{u + v = s} f2[:, :, v] f1[:, :, u] along the other axis, is exactly the product
 * of matrix polynomials
 *   C(z) = F2(z) F1(z),  F1(z) = sum_u f1[:, :, u] z^u (m x c_in),  F2(z) = sum_v f2[:, :, v] z^v (c_out x m),
 * with the tap index as the power of z (the full convolution is not flipped, so no reversal).
 * The target is T(z) = sum_j T[:, :, j] z^j (c_out x c_in, degree ke - 1).
 */
export type PolynomialAxis = "h" | "w";

/** The axis of a 1-D split, or null when neither axis is 1 in the parent and both children. */
export function polynomialAxis(g: SplitGeometry): PolynomialAxis | null {
  if (g.k.h === 1 && g.k1.h === 1 && g.k2.h === 1 && g.k.w > 1) return "w";
  if (g.k.w === 1 && g.k1.w === 1 && g.k2.w === 1 && g.k.h > 1) return "h";
  return null;
}

/**
 * Why the split is not the factorisation of a square matrix polynomial with no zero padding
 * (1-D, m = c_in = c_out, ke = k), or undefined when it is. There the parameter count
 * m (c_in k1 + c_out k2) - m^2 equals the equation count c_out c_in k.
 */
export function polynomialUnavailable(g: SplitGeometry): string | undefined {
  const axis = polynomialAxis(g);
  if (axis === null) {
    return `needs a 1-D parent and children (kh = k1h = k2h = 1, or kw = k1w = k2w = 1, with a parent longer than 1 on the other axis); got a ${g.k.h}x${g.k.w} parent with k1=${g.k1.h}x${g.k1.w}, k2=${g.k2.h}x${g.k2.w}`;
  }
  if (g.m !== g.cIn || g.cIn !== g.cOut) return `needs m = c_in = c_out (a square matrix polynomial); got m = ${g.m}, c_in = ${g.cIn}, c_out = ${g.cOut}`;
  const k = axis === "w" ? g.k.w : g.k.h;
  const ke = axis === "w" ? g.ke.w : g.ke.h;
  if (ke !== k) return `needs k1 + k2 - 1 = k (no zero padding of the target); got k1 + k2 - 1 = ${ke} for k = ${k}`;
  return undefined;
}

/** The coefficients T_j = T[:, :, j] (each c_out x c_in, row-major) along the axis, j = 0..ke-1. */
export function polynomialCoefficients(T: Tensor4, axis: PolynomialAxis): Float64Array[] {
  const [cOut, cIn, eh, ew] = T.shape;
  const len = axis === "w" ? ew : eh;
  const out: Float64Array[] = [];
  for (let j = 0; j < len; j++) {
    const c = new Float64Array(cOut * cIn);
    for (let q = 0; q < cOut * cIn; q++) c[q] = T.data[q * len + j]!;
    out.push(c);
  }
  return out;
}

/** The kernel (rows, cols, 1, len) or (rows, cols, len, 1) with taps coeffs[j] (rows x cols each). */
export function kernelFromCoefficients(coeffs: readonly Float64Array[], rows: number, cols: number, axis: PolynomialAxis): Tensor4 {
  const len = coeffs.length;
  const data = new Float64Array(rows * cols * len);
  for (let j = 0; j < len; j++) {
    const c = coeffs[j]!;
    for (let q = 0; q < rows * cols; q++) data[q * len + j] = c[q]!;
  }
  return { shape: axis === "w" ? [rows, cols, 1, len] : [rows, cols, len, 1], data };
}
