import { gemm, gemmFlops } from "../linalg/gemm.js";
import { gram, gramFlops } from "../linalg/gram.js";
import type { Size2, Tensor4 } from "../geometry/tensor.js";

/**
 * The structured normal equations of one ALS half-step, built without the explicit im2col matrix
 * (DESIGN.md, "Building the normal equations without the big im2col matrix").
 *
 * The fixed factor H is arranged with the contracted channel first, H (c, m, kh, kw); the target
 * likewise T (c, J, eh, ew) with e = k + a - 1 per axis; the unknowns are X ((m, ah, aw) x J), one
 * column per free channel j, and the model is
 *   compose[c, j, s] = sum_m sum_a H[c, m, s - a] X[(m, a), j].
 * For the f1 step H = f2 (c_out, m, k2), T = T, a = k1, J = c_in;
 * for the f2 step H = f1 swapped to (c_in, m, k1), T swapped to (c_in, c_out), a = k2, J = c_out.
 *
 *   G[(m,a), (m',b)] = sum_c sum_v H[c,m,v] H[c,m',v+a-b]      (n x n, n = m ah aw)
 *   R[(m,a), j]      = sum_c sum_v H[c,m,v] T[c,j,v+a]          (n x J)
 * G is assembled from P = F^T F, F = H reshaped to (c, m kh kw): one Gram product, then sums of
 * P's blocks along each spatial lag a - b. R is one GEMM per tap a.
 */
export interface NormalEquations {
  /** Unknowns per free channel: m * ah * aw. */
  readonly n: number;
  /** Free channels (right-hand sides). */
  readonly J: number;
  /** (n x n) row-major, symmetric, both triangles stored. */
  readonly G: Float64Array;
  /** (n x J) row-major. */
  readonly R: Float64Array;
  readonly flops: number;
}

export function normalEquations(H: Tensor4, T: Tensor4, a: Size2): NormalEquations {
  const [c, m, kh, kw] = H.shape;
  const [c2, J, eh, ew] = T.shape;
  if (c !== c2 || eh !== kh + a.h - 1 || ew !== kw + a.w - 1) {
    throw new RangeError(
      `normalEquations: H [${H.shape.join(", ")}] and T [${T.shape.join(", ")}] do not fit unknown taps ${a.h}x${a.w}`,
    );
  }
  const kk = kh * kw;
  const nh = m * kk;
  const A = a.h * a.w;
  const n = m * A;
  let flops = 0;

  // P = F^T F, F (c x m kh kw) is H's memory as it stands.
  const P = new Float64Array(nh * nh);
  gram(c, nh, H.data, nh, P, nh);
  flops += gramFlops(c, nh);

  // S[d] (m x m) for each lag d = (dh, dw), dh in [-(ah-1), ah-1]: sum over taps v with v+d inside.
  const lh = 2 * a.h - 1;
  const lw = 2 * a.w - 1;
  const S = new Float64Array(lh * lw * m * m);
  for (let dh = -(a.h - 1); dh < a.h; dh++) {
    for (let dw = -(a.w - 1); dw < a.w; dw++) {
      const sOff = ((dh + a.h - 1) * lw + (dw + a.w - 1)) * m * m;
      for (let vh = Math.max(0, -dh); vh < Math.min(kh, kh - dh); vh++) {
        for (let vw = Math.max(0, -dw); vw < Math.min(kw, kw - dw); vw++) {
          const v = vh * kw + vw;
          const vd = (vh + dh) * kw + (vw + dw);
          for (let p = 0; p < m; p++) {
            const row = (p * kk + v) * nh;
            const sRow = sOff + p * m;
            for (let q = 0; q < m; q++) S[sRow + q]! += P[row + q * kk + vd]!;
          }
        }
      }
    }
  }

  // G[(p, ah, aw), (q, bh, bw)] = S[(ah - bh, aw - bw)][p, q].
  const G = new Float64Array(n * n);
  for (let p = 0; p < m; p++) {
    for (let ah = 0; ah < a.h; ah++) {
      for (let aw = 0; aw < a.w; aw++) {
        const row = (p * A + ah * a.w + aw) * n;
        for (let q = 0; q < m; q++) {
          for (let bh = 0; bh < a.h; bh++) {
            const sBase = ((ah - bh + a.h - 1) * lw + (aw + a.w - 1)) * m * m + p * m + q;
            const col = row + q * A + bh * a.w;
            for (let bw = 0; bw < a.w; bw++) G[col + bw] = S[sBase - bw * m * m]!;
          }
        }
      }
    }
  }

  // Hm (m x c kh kw): Hm[p, (ci, v)] = H[ci, p, v].
  const ck = c * kk;
  const Hm = new Float64Array(m * ck);
  for (let ci = 0; ci < c; ci++) {
    for (let p = 0; p < m; p++) {
      const src = (ci * m + p) * kk;
      Hm.set(H.data.subarray(src, src + kk), p * ck + ci * kk);
    }
  }
  // R rows (p, a) for a fixed tap a are A rows apart: write each tap's (m x J) product with ldc = A J.
  const R = new Float64Array(n * J);
  const win = new Float64Array(ck * J); // ((ci, v) x J): T[ci, j, v + a]
  const E = eh * ew;
  for (let ah = 0; ah < a.h; ah++) {
    for (let aw = 0; aw < a.w; aw++) {
      for (let ci = 0; ci < c; ci++) {
        for (let vh = 0; vh < kh; vh++) {
          for (let vw = 0; vw < kw; vw++) {
            const wRow = (ci * kk + vh * kw + vw) * J;
            const tOff = (vh + ah) * ew + (vw + aw);
            for (let j = 0; j < J; j++) win[wRow + j] = T.data[(ci * J + j) * E + tOff]!;
          }
        }
      }
      const tap = ah * a.w + aw;
      gemm(false, false, m, J, ck, 1, Hm, ck, win, J, 0, R.subarray(tap * J), A * J);
      flops += gemmFlops(m, J, ck);
    }
  }
  return { n, J, G, R, flops };
}
