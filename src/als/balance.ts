import type { Tensor4 } from "../geometry/tensor.js";

/**
 * Rescalings that leave compose(f1, f2) unchanged (the composition is bilinear, and each middle
 * channel p enters as f2[:, p] (*) f1[p]).
 *
 * balanceChannels: per middle channel, scale f1[p] by a and f2[:, p] by 1/a so both have the norm
 * sqrt(||f1[p]|| ||f2[:, p]||). Fixes ALS's scaling gauge, which keeps the normal matrices'
 * diagonals comparable and makes successive iterates comparable for extrapolation.
 */
export function balanceChannels(f1: Tensor4, f2: Tensor4): { f1: Tensor4; f2: Tensor4 } {
  const [m, cIn, k1h, k1w] = f1.shape;
  const [cOut, , k2h, k2w] = f2.shape;
  const a1 = cIn * k1h * k1w;
  const a2 = k2h * k2w;
  const o1 = f1.data.slice();
  const o2 = f2.data.slice();
  for (let p = 0; p < m; p++) {
    let n1 = 0;
    for (let q = p * a1; q < (p + 1) * a1; q++) n1 += o1[q]! * o1[q]!;
    let n2 = 0;
    for (let o = 0; o < cOut; o++) {
      const base = (o * m + p) * a2;
      for (let t = 0; t < a2; t++) n2 += o2[base + t]! * o2[base + t]!;
    }
    if (!(n1 > 0 && n2 > 0)) continue;
    const a = Math.sqrt(Math.sqrt(n2 / n1)); // ||a f1[p]|| = ||f2[:, p] / a||
    for (let q = p * a1; q < (p + 1) * a1; q++) o1[q]! *= a;
    for (let o = 0; o < cOut; o++) {
      const base = (o * m + p) * a2;
      for (let t = 0; t < a2; t++) o2[base + t]! /= a;
    }
  }
  return { f1: { shape: f1.shape, data: o1 }, f2: { shape: f2.shape, data: o2 } };
}

/**
 * balanceChannels on both factors in solution layout (als/factors.ts), in place: middle channel p
 * is the p-th of m equal contiguous blocks of X1 (its rows (p, u)) and of X2 (rows (p, v)).
 */
export function balanceSolution(X1: Float64Array, X2: Float64Array, m: number): void {
  const b1 = X1.length / m;
  const b2 = X2.length / m;
  for (let p = 0; p < m; p++) {
    let n1 = 0;
    for (let q = p * b1; q < (p + 1) * b1; q++) n1 += X1[q]! * X1[q]!;
    let n2 = 0;
    for (let q = p * b2; q < (p + 1) * b2; q++) n2 += X2[q]! * X2[q]!;
    if (!(n1 > 0 && n2 > 0)) continue;
    const a = Math.sqrt(Math.sqrt(n2 / n1));
    for (let q = p * b1; q < (p + 1) * b1; q++) X1[q]! *= a;
    for (let q = p * b2; q < (p + 1) * b2; q++) X2[q]! /= a;
  }
}

/**
 * --balance: one scalar a with f1 * a and f2 / a having equal standard deviation (what the Network
 * Morphism paper does before training). std is about the mean of each factor's entries.
 */
export function balanceStd(f1: Tensor4, f2: Tensor4): { f1: Tensor4; f2: Tensor4; scale: number } {
  const s1 = std(f1.data);
  const s2 = std(f2.data);
  if (!(s1 > 0 && s2 > 0)) return { f1, f2, scale: 1 };
  const a = Math.sqrt(s2 / s1);
  return {
    f1: { shape: f1.shape, data: f1.data.map((x) => x * a) },
    f2: { shape: f2.shape, data: f2.data.map((x) => x / a) },
    scale: a,
  };
}

export function std(x: Float64Array): number {
  let mean = 0;
  for (let q = 0; q < x.length; q++) mean += x[q]!;
  mean /= x.length;
  let v = 0;
  for (let q = 0; q < x.length; q++) v += (x[q]! - mean) * (x[q]! - mean);
  return Math.sqrt(v / x.length);
}
