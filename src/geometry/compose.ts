import { gemm } from "../linalg/gemm.js";
import { scratch } from "../linalg/scratch.js";
import type { Tensor4 } from "./tensor.js";

/**
 * The kernel of two stacked stride-1 convolutions (DESIGN.md, "Layout and semantics"):
 *   f1 (m, c_in, k1h, k1w), f2 (c_out, m, k2h, k2w)  ->  C (c_out, c_in, k1h + k2h - 1, k1w + k2w - 1),
 *   C[o, i] = sum_m f2[o, m] (*) f1[m, i], (*) the full 2-D convolution (no flip).
 * Computed tap pair by tap pair: C[:, :, v + u] += f2[:, :, v] @ f1[:, :, u], one
 * (c_out x m)(m x c_in) GEMM each, 2 c_out m c_in k1h k1w k2h k2w flops in all.
 */
export function compose(f1: Tensor4, f2: Tensor4): Tensor4 {
  const [, cIn, k1h, k1w] = f1.shape;
  const [cOut, , k2h, k2w] = f2.shape;
  const keh = k1h + k2h - 1;
  const kew = k1w + k2w - 1;
  const acc = composeTapMajor(f1, f2, scratch("compose.acc", keh * kew * cOut * cIn));
  return { shape: [cOut, cIn, keh, kew], data: channelMajor(acc, keh * kew, cOut * cIn) };
}

/**
 * The composition in tap-major layout, C[(s, o, i)] = compose(f1, f2)[o, i, s] (the layout of
 * geometry/tap-major.ts with c = c_out, J = c_in), written into `out` (overwritten; keh kew c_out
 * c_in doubles). This is what the GEMMs produce; compose() rearranges it to channel-major.
 */
export function composeTapMajor(f1: Tensor4, f2: Tensor4, out: Float64Array): Float64Array {
  const [m, cIn, k1h, k1w] = f1.shape;
  const [cOut, m2, k2h, k2w] = f2.shape;
  if (m !== m2) throw new RangeError(`compose: f1 has ${m} output channels, f2 has ${m2} input channels`);
  const keh = k1h + k2h - 1;
  const kew = k1w + k2w - 1;
  const t1 = k1h * k1w;
  const t2 = k2h * k2w;
  const blk = cOut * cIn;
  if (out.length !== keh * kew * blk) throw new RangeError(`compose: out holds ${out.length} doubles, the composition ${keh * kew * blk}`);
  // Tap-major copies: a1[u] is (m x c_in), a2[v] is (c_out x m), out[s] is (c_out x c_in).
  const a1 = tapMajor(f1.data, m, cIn, t1, scratch("compose.f1", f1.data.length));
  const a2 = tapMajor(f2.data, cOut, m, t2, scratch("compose.f2", f2.data.length));
  out.fill(0);
  for (let vh = 0; vh < k2h; vh++) {
    for (let vw = 0; vw < k2w; vw++) {
      const A = a2.subarray((vh * k2w + vw) * cOut * m, (vh * k2w + vw + 1) * cOut * m);
      for (let uh = 0; uh < k1h; uh++) {
        for (let uw = 0; uw < k1w; uw++) {
          const B = a1.subarray((uh * k1w + uw) * m * cIn, (uh * k1w + uw + 1) * m * cIn);
          const s = (vh + uh) * kew + (vw + uw);
          gemm(false, false, cOut, cIn, m, 1, A, m, B, cIn, 1, out.subarray(s * blk, (s + 1) * blk), cIn);
        }
      }
    }
  }
  return out;
}

export function composeFlops(f1: Tensor4, f2: Tensor4): number {
  const [m, cIn, k1h, k1w] = f1.shape;
  const [cOut, , k2h, k2w] = f2.shape;
  return 2 * cOut * m * cIn * k1h * k1w * k2h * k2w;
}

/**
 * (taps, blk) -> (blk, taps), the inverse of tapMajor, in blocks of Q channel pairs: each block's
 * reads are `taps` contiguous runs of Q and its writes one contiguous run of Q taps (Q taps x 8
 * bytes stays in L2), where the plain loop order swept the whole output once per tap.
 */
function channelMajor(acc: Float64Array, taps: number, blk: number): Float64Array {
  const out = new Float64Array(acc.length);
  const Q = 256;
  for (let q0 = 0; q0 < blk; q0 += Q) {
    const q1 = Math.min(q0 + Q, blk);
    for (let s = 0; s < taps; s++) {
      const src = s * blk;
      for (let q = q0; q < q1; q++) out[q * taps + s] = acc[src + q]!;
    }
  }
  return out;
}

/** (a, b, taps) -> (taps, a, b): each tap's channel matrix contiguous. */
function tapMajor(x: Float64Array, a: number, b: number, taps: number, out: Float64Array): Float64Array {
  const ab = a * b;
  for (let q = 0; q < ab; q++) for (let t = 0; t < taps; t++) out[t * ab + q] = x[q * taps + t]!;
  return out;
}
