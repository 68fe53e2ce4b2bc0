/**
 * The solution layout (src/geometry/compose-solution.ts, src/als/factors.ts) written out from its
 * definition, with no code from src/: X1[(p, u), i] = f1[p, i, u], X2[(p, v), o] = f2[o, p, v],
 * E[s][o, i] = C[o, i, s] (tap-major).
 */
import type { SplitGeometry } from "../../src/geometry/shapes.js";
import { at4, type Arr4 } from "./oracles.js";

/** A geometry with only the fields the solution layout reads (ke = k1 + k2 - 1, no padding). */
export function pairGeometry(m: number, cIn: number, cOut: number, k1: { h: number; w: number }, k2: { h: number; w: number }): SplitGeometry {
  const ke = { h: k1.h + k2.h - 1, w: k1.w + k2.w - 1 };
  return { m, cIn, cOut, k1, k2, ke, k: ke, targetPad: { h: 0, w: 0 } };
}

export function toX1(f1: Arr4): Float64Array {
  const [m, cIn, h, w] = f1.shape;
  const out = new Float64Array(f1.data.length);
  for (let p = 0; p < m; p++) for (let i = 0; i < cIn; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(p * h * w + y * w + x) * cIn + i] = at4(f1, p, i, y, x);
  return out;
}
export function toX2(f2: Arr4): Float64Array {
  const [cOut, m, h, w] = f2.shape;
  const out = new Float64Array(f2.data.length);
  for (let o = 0; o < cOut; o++) for (let p = 0; p < m; p++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(p * h * w + y * w + x) * cOut + o] = at4(f2, o, p, y, x);
  return out;
}
export function toTapMajor(C: Arr4): Float64Array {
  const [cOut, cIn, h, w] = C.shape;
  const out = new Float64Array(C.data.length);
  for (let o = 0; o < cOut; o++) for (let i = 0; i < cIn; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[((y * w + x) * cOut + o) * cIn + i] = at4(C, o, i, y, x);
  return out;
}

