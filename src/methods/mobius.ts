/**
 * A Moebius change of variable of a matrix polynomial. For P(z) = sum_{j=0}^{D} P_j z^j (each
 * coefficient a rows x cols matrix, row-major) and z = (a w + b) / (c w + d), ad - bc != 0,
 *   P~(w) = (c w + d)^D P((a w + b) / (c w + d)) = sum_j P_j (a w + b)^j (c w + d)^(D - j),
 * again of degree D. It maps eigenvalues lambda of P to (d lambda - b) / (a - c lambda) (infinite
 * ones included) and preserves factorisations: if P = F2 F1 with degrees D2 + D1 = D, then
 * P~ = F2~ F1~ with each factor transformed at its own degree. The inverse change is the same map
 * with (d, -b, -c, a), divided by (ad - bc)^D.
 * Examples: (1, 0, 0, 1) is the identity; (0, 1, 1, 0) reverses the coefficients (w = 1/z); a
 * rotation (cos t, -sin t, sin t, cos t) moves the point z = cot t to infinity, so the leading
 * coefficient of P~ is sin(t)^D P(cot t), invertible for all but finitely many t when det P(z) is
 * not identically 0.
 */
export type Mobius = readonly [a: number, b: number, c: number, d: number];

export const IDENTITY_MOBIUS: Mobius = [1, 0, 0, 1];
export const REVERSAL_MOBIUS: Mobius = [0, 1, 1, 0];

export function rotationMobius(t: number): Mobius {
  return [Math.cos(t), -Math.sin(t), Math.sin(t), Math.cos(t)];
}

export function inverseMobius([a, b, c, d]: Mobius): Mobius {
  return [d, -b, -c, a];
}

/** P~ for P with coefficients coeffs[0..D] (D = coeffs.length - 1), each of `size` entries. */
export function mobiusTransform(coeffs: readonly Float64Array[], [a, b, c, d]: Mobius, divideBy = 1): Float64Array[] {
  const D = coeffs.length - 1;
  const size = coeffs[0]?.length ?? 0;
  const out = Array.from({ length: D + 1 }, () => new Float64Array(size));
  for (let j = 0; j <= D; j++) {
    // The scalar polynomial (a w + b)^j (c w + d)^(D - j), lowest power first.
    let s = [1];
    for (let q = 0; q < j; q++) s = times(s, b, a);
    for (let q = j; q < D; q++) s = times(s, d, c);
    const pj = coeffs[j]!;
    for (let e = 0; e <= D; e++) {
      const w = s[e]! / divideBy;
      if (w === 0) continue;
      const oe = out[e]!;
      for (let q = 0; q < size; q++) oe[q]! += w * pj[q]!;
    }
  }
  return out;
}

/** The inverse change: P from P~, both of degree D. */
export function inverseMobiusTransform(coeffs: readonly Float64Array[], m: Mobius): Float64Array[] {
  const det = m[0] * m[3] - m[1] * m[2];
  return mobiusTransform(coeffs, inverseMobius(m), det ** (coeffs.length - 1));
}

/** s(w) (lo + hi w), coefficients lowest first. */
function times(s: readonly number[], lo: number, hi: number): number[] {
  const out = new Array<number>(s.length + 1).fill(0);
  for (let e = 0; e < s.length; e++) {
    out[e]! += s[e]! * lo;
    out[e + 1]! += s[e]! * hi;
  }
  return out;
}
