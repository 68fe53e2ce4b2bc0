/**
 * Scaling at the entry. The split is scale-free: if (f1, f2) splits W/s then (f1·√s, f2·√s)
 * splits W with the same relative residual, so the solvers only ever see a parent whose largest
 * magnitude is near 1. Without it, a parent near 1e300 overflows its Gram matrices (the
 * eigen-solvers then fail to converge) and one near 1e-300 or subnormal underflows them to zero
 * (all-zero factors reported as "relative residual 0").
 *
 * s is a power of 4 (s = 4^k, √s = 2^k), so dividing, multiplying back and splitting √s between
 * the factors are exact in binary floating point, and --balance's equal standard deviations
 * survive (both factors get the same 2^k). Parents whose largest magnitude lies in
 * [2^-64, 2^64] are left alone (s = 1: bit-identical results to an unscaled solve; their Grams
 * stay far from overflow and underflow). After scaling, entries below 2^-900 are set to zero:
 * relative to the largest (about 1) they are under 1e-270, far below float64's 1e-16, and
 * left as they are they would be subnormal.
 */
import type { Tensor4 } from "../geometry/tensor.js";

const LOW = 2 ** -64;
const HIGH = 2 ** 64;
const FLUSH = 2 ** -900;

export interface EntryScale {
  /** s = 4^k (1: no scaling). */
  readonly s: number;
  /** √s = 2^k, the factor each of f1 and f2 is multiplied by on the way back. */
  readonly root: number;
}

/** The scale for `data`: 4^k with max|w| / 4^k in [1/4, 1), or 1 when max|w| is moderate or 0. */
export function entryScale(data: Float64Array): EntryScale {
  let max = 0;
  for (let q = 0; q < data.length; q++) max = Math.max(max, Math.abs(data[q]!));
  if (max === 0 || (max >= LOW && max <= HIGH)) return { s: 1, root: 1 };
  // 2^e <= max < 2^(e+1); Math.log2 is exact enough here: an off-by-one k still lands near 1.
  const k = Math.floor(Math.log2(max) / 2) + 1;
  return { s: pow2(2 * k), root: pow2(k) };
}

/** x · 2^e, exact, for |e| up to ~2100 (two steps, so neither factor overflows or underflows). */
export function pow2Times(x: number, e: number): number {
  const h = Math.trunc(e / 2);
  return x * pow2(h) * pow2(e - h);
}

function pow2(e: number): number {
  // 2 ** e is exact for integer e in the normal range and for subnormal powers down to 2^-1074.
  return e > 1023 ? 2 ** 1023 * 2 ** (e - 1023) : e < -1022 ? 2 ** -1022 * 2 ** (e + 1022) : 2 ** e;
}

/** `data / s`, exactly (a power of 4), tiny entries flushed to zero (module comment). */
export function divideByScale(data: Float64Array, sc: EntryScale): Float64Array {
  const e = -2 * Math.log2(sc.root);
  const out = new Float64Array(data.length);
  for (let q = 0; q < data.length; q++) {
    const v = pow2Times(data[q]!, e);
    out[q] = Math.abs(v) < FLUSH ? 0 : v;
  }
  return out;
}

/** A factor of the scaled problem brought back: every entry times √s, exactly. */
export function unscaleFactor(f: Tensor4, sc: EntryScale): Tensor4 {
  if (sc.s === 1) return f;
  const e = Math.log2(sc.root);
  const out = new Float64Array(f.data.length);
  for (let q = 0; q < out.length; q++) out[q] = pow2Times(f.data[q]!, e);
  return { shape: f.shape, data: out };
}
