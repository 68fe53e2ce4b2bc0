import { gemm } from "../linalg/gemm.js";
import type { Size2, Tensor4 } from "./tensor.js";

/**
 * The adjoints of compose (compose.ts) in each factor, i.e. the correlations that make J^T r for
 * the least-squares objective ||compose(f1, f2) - T||^2 (the Jacobian of a bilinear map in one
 * argument is the map itself with the other argument fixed):
 *
 *   compose(f1, f2)[o, i, s] = sum_m sum_{u + v = s} f2[o, m, v] f1[m, i, u]
 *
 *   adjointF1(E, f2)[m, i, u] = sum_o sum_v f2[o, m, v] E[o, i, v + u]      (m, c_in, k1h, k1w)
 *   adjointF2(E, f1)[o, m, v] = sum_i sum_u f1[m, i, u] E[o, i, u + v]      (c_out, m, k2h, k2w)
 *
 * so that <compose(d1, f2), E> = <d1, adjointF1(E, f2)> and <compose(f1, d2), E> = <d2, adjointF2(E, f1)>.
 * Tap pair by tap pair, like compose: one (m x c_out)(c_out x c_in) or (c_out x c_in)(c_in x m) GEMM
 * per pair, 2 c_out m c_in k1h k1w k2h k2w flops each (composeFlops).
 */
export function adjointF1(E: Tensor4, f2: Tensor4, k1: Size2): Tensor4 {
  const [cOut, cIn, keh, kew] = E.shape;
  const [, m, k2h, k2w] = f2.shape;
  const e = tapMajor(E.data, cOut, cIn, keh * kew); // e[s] (c_out x c_in)
  const a2 = tapMajor(f2.data, cOut, m, k2h * k2w); // a2[v] (c_out x m)
  const acc = new Float64Array(k1.h * k1.w * m * cIn); // acc[u] (m x c_in)
  for (let vh = 0; vh < k2h; vh++) {
    for (let vw = 0; vw < k2w; vw++) {
      const A = a2.subarray((vh * k2w + vw) * cOut * m, (vh * k2w + vw + 1) * cOut * m);
      for (let uh = 0; uh < k1.h; uh++) {
        for (let uw = 0; uw < k1.w; uw++) {
          const s = (vh + uh) * kew + (vw + uw);
          const u = uh * k1.w + uw;
          gemm(true, false, m, cIn, cOut, 1, A, m, e.subarray(s * cOut * cIn, (s + 1) * cOut * cIn), cIn, 1,
            acc.subarray(u * m * cIn, (u + 1) * m * cIn), cIn);
        }
      }
    }
  }
  return { shape: [m, cIn, k1.h, k1.w], data: channelMajor(acc, m, cIn, k1.h * k1.w) };
}

export function adjointF2(E: Tensor4, f1: Tensor4, k2: Size2): Tensor4 {
  const [cOut, cIn, keh, kew] = E.shape;
  const [m, , k1h, k1w] = f1.shape;
  const e = tapMajor(E.data, cOut, cIn, keh * kew); // e[s] (c_out x c_in)
  const a1 = tapMajor(f1.data, m, cIn, k1h * k1w); // a1[u] (m x c_in)
  const acc = new Float64Array(k2.h * k2.w * cOut * m); // acc[v] (c_out x m)
  for (let uh = 0; uh < k1h; uh++) {
    for (let uw = 0; uw < k1w; uw++) {
      const B = a1.subarray((uh * k1w + uw) * m * cIn, (uh * k1w + uw + 1) * m * cIn);
      for (let vh = 0; vh < k2.h; vh++) {
        for (let vw = 0; vw < k2.w; vw++) {
          const s = (vh + uh) * kew + (vw + uw);
          const v = vh * k2.w + vw;
          gemm(false, true, cOut, m, cIn, 1, e.subarray(s * cOut * cIn, (s + 1) * cOut * cIn), cIn, B, cIn, 1,
            acc.subarray(v * cOut * m, (v + 1) * cOut * m), m);
        }
      }
    }
  }
  return { shape: [cOut, m, k2.h, k2.w], data: channelMajor(acc, cOut, m, k2.h * k2.w) };
}

/** (a, b, taps) -> (taps, a, b). */
function tapMajor(x: Float64Array, a: number, b: number, taps: number): Float64Array {
  const out = new Float64Array(x.length);
  const ab = a * b;
  for (let q = 0; q < ab; q++) for (let t = 0; t < taps; t++) out[t * ab + q] = x[q * taps + t]!;
  return out;
}

/** (taps, a, b) -> (a, b, taps). */
function channelMajor(x: Float64Array, a: number, b: number, taps: number): Float64Array {
  const out = new Float64Array(x.length);
  const ab = a * b;
  for (let t = 0; t < taps; t++) for (let q = 0; q < ab; q++) out[q * taps + t] = x[t * ab + q]!;
  return out;
}
