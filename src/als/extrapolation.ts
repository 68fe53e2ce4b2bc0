import { composeFlops, composeTapMajor } from "../geometry/compose.js";
import { scratch } from "../linalg/scratch.js";
import type { Tensor4 } from "../geometry/tensor.js";

/**
 * Exact line search between ALS iterates (the "enhanced line search" of Rajih, Comon & Harshman
 * 2008, here for a bilinear model). With the last sweep's direction d = (f1 - f1prev, f2 - f2prev),
 *   compose(f1 + s d1, f2 + s d2) - T = E0 + s E1 + s^2 E2,
 *   E0 = compose(f1, f2) - T,  E1 = compose(d1, f2) + compose(f1, d2),  E2 = compose(d1, d2),
 * so the squared residual is a quartic in s whose minimisers are real roots of a cubic.
 * Bilinearity gives E1 without composing: compose(f1prev, f2prev) = compose(f1 - d1, f2 - d2)
 * = compose(f1, f2) - E1 + E2, so E1 = E0 - Eprev + E2 with Eprev the previous iterate's residual.
 * The residuals E0 and Eprev are tap-major (geometry/tap-major.ts; composeTapMajor), as the
 * structured loop keeps them, and so is the returned E.
 * One composition (E2, into a scratch buffer: it does not outlive the search) per search. Returns
 * the best step s in (0, sMax], or undefined when no step beats s = 0. `out` (E0's length, neither
 * E0 nor Eprev) receives the residual at the step.
 */
export interface LineSearch {
  readonly step: number;
  readonly f1: Tensor4;
  readonly f2: Tensor4;
  /** The residual tensor at the step, E0 + s E1 + s^2 E2 (no further composition needed). */
  readonly E: Float64Array;
  readonly flops: number;
}

export function exactLineSearch(
  f1: Tensor4,
  f2: Tensor4,
  d1: Tensor4,
  d2: Tensor4,
  E0: Float64Array,
  Eprev: Float64Array,
  out: Float64Array,
  sMax = 100,
): LineSearch | undefined {
  const E2 = composeTapMajor(d1, d2, scratch("line-search.E2", E0.length));
  const flops = composeFlops(f1, f2);
  const E1 = (q: number): number => E0[q]! - Eprev[q]! + E2[q]!;
  const best = bestQuarticStep(E0, E1, E2, sMax);
  if (best === undefined) return undefined;
  const step = (x: Tensor4, d: Tensor4): Tensor4 => {
    const moved = new Float64Array(x.data.length);
    for (let q = 0; q < moved.length; q++) moved[q] = x.data[q]! + best.step * d.data[q]!;
    return { shape: x.shape, data: moved };
  };
  for (let q = 0; q < out.length; q++) out[q] = E0[q]! + best.step * (E1(q) + best.step * E2[q]!);
  return { step: best.step, f1: step(f1, d1), f2: step(f2, d2), E: out, flops };
}

/**
 * The best step of a residual that is quadratic in s, e(s) = E0 + s E1 + s^2 E2 (E1 given per
 * entry): ||e(s)||^2 is a quartic whose stationary points are the real roots of a cubic. Returns
 * the best s in (0, sMax] and ||e(s)||^2 there, or undefined when no step beats s = 0.
 */
export function bestQuarticStep(
  E0: Float64Array,
  E1: (q: number) => number,
  E2: Float64Array,
  sMax: number,
): { step: number; value: number } | undefined {
  let e00 = 0, e01 = 0, e11 = 0, e02 = 0, e12 = 0, e22 = 0;
  for (let q = 0; q < E0.length; q++) {
    const x0 = E0[q]!;
    const x1 = E1(q);
    const x2 = E2[q]!;
    e00 += x0 * x0;
    e01 += x0 * x1;
    e11 += x1 * x1;
    e02 += x0 * x2;
    e12 += x1 * x2;
    e22 += x2 * x2;
  }
  // phi(s) = c0 + c1 s + c2 s^2 + c3 s^3 + c4 s^4
  const c = [e00, 2 * e01, e11 + 2 * e02, 2 * e12, e22] as const;
  const phi = (s: number): number => c[0] + s * (c[1] + s * (c[2] + s * (c[3] + s * c[4])));
  let best = 0;
  let bestPhi = c[0];
  for (const s of [sMax, ...cubicRoots(4 * c[4], 3 * c[3], 2 * c[2], c[1])]) {
    if (!(s > 0 && s <= sMax)) continue;
    const v = phi(s);
    if (v < bestPhi) {
      bestPhi = v;
      best = s;
    }
  }
  return best === 0 ? undefined : { step: best, value: bestPhi };
}

/** Real roots of a x^3 + b x^2 + c x + d (degenerating to lower degree), by the trigonometric / Cardano form. */
export function cubicRoots(a: number, b: number, c: number, d: number): number[] {
  const scale = Math.max(Math.abs(a), Math.abs(b), Math.abs(c), Math.abs(d));
  if (scale === 0) return [];
  if (Math.abs(a) <= 1e-14 * scale) {
    if (Math.abs(b) <= 1e-14 * scale) return Math.abs(c) > 0 ? [-d / c] : [];
    const disc = c * c - 4 * b * d;
    if (disc < 0) return [];
    const r = Math.sqrt(disc);
    return [(-c + r) / (2 * b), (-c - r) / (2 * b)];
  }
  const B = b / a;
  const C = c / a;
  const D = d / a;
  const p = C - (B * B) / 3;
  const q = (2 * B * B * B) / 27 - (B * C) / 3 + D;
  const shift = -B / 3;
  const disc = (q * q) / 4 + (p * p * p) / 27;
  if (disc > 0) {
    const sq = Math.sqrt(disc);
    return [Math.cbrt(-q / 2 + sq) + Math.cbrt(-q / 2 - sq) + shift];
  }
  if (p === 0) return [shift];
  const r = 2 * Math.sqrt(-p / 3);
  const phi = Math.acos(Math.max(-1, Math.min(1, (3 * q) / (p * r))));
  return [0, 1, 2].map((k) => r * Math.cos((phi - 2 * Math.PI * k) / 3) / 1 + shift);
}
