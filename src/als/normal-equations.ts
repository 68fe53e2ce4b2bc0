import { gemm, gemmFlops } from "../linalg/gemm.js";
import { scratch, zeroedScratch } from "../linalg/scratch.js";
import type { Size2, Tensor4 } from "../geometry/tensor.js";
import { isTapMajor, type TapMajorTarget } from "../geometry/tap-major.js";

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
 * G is assembled from P = F^T F, F = H reshaped to (c, m kh kw): Gram products (in row blocks),
 * then sums of P's blocks along each spatial lag a - b. R is one GEMM per tap a.
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

/**
 * T may also come tap-major (geometry/tap-major.ts: (eh ew, c, J), contracted channel c, free
 * channel J, exactly the layout the windows below are gathered from), which skips the per-call
 * rearrangement of a target-sized tensor; the result is the same.
 * `G`, when given, is where the normal matrix is written (at least n * n doubles; the result's G is
 * a view of it): a caller that consumes G before its next call (structured.ts, one half-step at a
 * time) reuses one buffer instead of first-touching a fresh normal matrix per half-step
 * (linalg/scratch.ts says why that matters). Without it G is a fresh array the caller owns.
 */
export function normalEquations(H: Tensor4, T: Tensor4 | TapMajorTarget, a: Size2, into?: { readonly G: Float64Array }): NormalEquations {
  const [c, m, kh, kw] = H.shape;
  const [c2, J, eh, ew] = isTapMajor(T) ? [T.c, T.J, T.eh, T.ew] : T.shape;
  if (c !== c2 || eh !== kh + a.h - 1 || ew !== kw + a.w - 1) {
    throw new RangeError(
      `normalEquations: H [${H.shape.join(", ")}] and T [${[c2, J, eh, ew].join(", ")}] do not fit unknown taps ${a.h}x${a.w}`,
    );
  }
  const kk = kh * kw;
  const A = a.h * a.w;
  const n = m * A;
  let flops = 0;

  // S holds P = F^T F summed along each spatial lag; P (as large as G) is formed block by block
  // (lagSums) and never held whole.
  const lh = 2 * a.h - 1;
  const lw = 2 * a.w - 1;
  const lags = lh * lw;
  const lagged = lagSums(H, a);
  const S = lagged.S;
  flops += lagged.flops;

  // G[(p, ah, aw), (q, bh, bw)] = S[p][(ah - bh, aw - bw)][q], written row by row (contiguous
  // writes; the reads stay inside p's lags x m block of S).
  if (into !== undefined && into.G.length < n * n) throw new RangeError(`normalEquations: the G buffer holds ${into.G.length} doubles, ${n * n} needed`);
  // Every entry of G is written below, so a reused buffer needs no clearing.
  const G = into === undefined ? new Float64Array(n * n) : into.G.subarray(0, n * n);
  for (let p = 0; p < m; p++) {
    const sp = p * lags * m;
    for (let ah = 0; ah < a.h; ah++) {
      for (let aw = 0; aw < a.w; aw++) {
        const row = (p * A + ah * a.w + aw) * n;
        for (let q = 0; q < m; q++) {
          const col = row + q * A;
          for (let bh = 0; bh < a.h; bh++) {
            const lagRow = sp + (ah - bh + a.h - 1) * lw * m + q;
            for (let bw = 0; bw < a.w; bw++) G[col + bh * a.w + bw] = S[lagRow + (aw - bw + a.w - 1) * m]!;
          }
        }
      }
    }
  }

  // Hm (m x c kh kw): Hm[p, (ci, v)] = H[ci, p, v].
  const ck = c * kk;
  const Hm = scratch("normal-equations.Hm", m * ck);
  for (let ci = 0; ci < c; ci++) {
    for (let p = 0; p < m; p++) {
      const src = (ci * m + p) * kk;
      Hm.set(H.data.subarray(src, src + kk), p * ck + ci * kk);
    }
  }
  // R rows (p, a) for a fixed tap a are A rows apart: write each tap's (m x J) product with ldc = A J.
  // Each tap's window win ((ci, v) x J) = T[ci, :, v + a] is gathered as kk contiguous rows of J
  // per channel, from T with one free-channel row per (channel, target tap): the tap-major target
  // as it is ((t, ci) rows), or T rearranged to Ts (c, eh ew, J) ((ci, t) rows).
  const E = eh * ew;
  const { rows: Ts, channelStride, tapStride } = windowRows(T, c, J, E);
  const R = new Float64Array(n * J);
  const win = scratch("normal-equations.win", ck * J);
  for (let ah = 0; ah < a.h; ah++) {
    for (let aw = 0; aw < a.w; aw++) {
      for (let ci = 0; ci < c; ci++) {
        for (let vh = 0; vh < kh; vh++) {
          for (let vw = 0; vw < kw; vw++) {
            const from = ci * channelStride + ((vh + ah) * ew + (vw + aw)) * tapStride;
            win.set(Ts.subarray(from, from + J), (ci * kk + vh * kw + vw) * J);
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

/** T's rows of J free channels, row (ci, t) at ci channelStride + t tapStride. */
function windowRows(T: Tensor4 | TapMajorTarget, c: number, J: number, E: number): { rows: Float64Array; channelStride: number; tapStride: number } {
  if (isTapMajor(T)) return { rows: T.data, channelStride: J, tapStride: c * J };
  const Ts = scratch("normal-equations.Ts", c * E * J);
  for (let ci = 0; ci < c; ci++) {
    const base = ci * J * E;
    for (let j = 0; j < J; j++) {
      const src = base + j * E;
      for (let t = 0; t < E; t++) Ts[base + t * J + j] = T.data[src + t]!;
    }
  }
  return { rows: Ts, channelStride: E * J, tapStride: J };
}

/**
 * S[p][d][q] = sum_v P[(p, v), (q, v + d)] with P = F^T F, F = H (c, m, kh, kw) read as
 * (c x m kh kw): the Gram of the fixed factor summed along each spatial lag d of the unknown taps a.
 *
 * P is never held whole: it is as large as a normal matrix, and a fresh one per call cost more in
 * first-touch page faults than its arithmetic (linalg/scratch.ts). It is formed in blocks of whole
 * p (about LAG_BLOCK_ROWS rows: F[:, rows]^T F, one GEMM each, into one reused block buffer) and
 * each block summed into S at once. GEMM instead of SYRK doubles the Gram's flops (2 c nh^2 in
 * all), which on the measured layers costs less than the faults it removes.
 */
const LAG_BLOCK_ROWS = 512;

function lagSums(H: Tensor4, a: Size2): { S: Float64Array; flops: number } {
  const [c, m, kh, kw] = H.shape;
  const kk = kh * kw;
  const nh = m * kk;
  const lh = 2 * a.h - 1;
  const lw = 2 * a.w - 1;
  const lags = lh * lw;
  // S is consumed by normalEquations before lagSums is called again: a zeroed scratch slot.
  const S = zeroedScratch("normal-equations.S", m * lags * m);
  // lagOf[v * kk + w]: the lag index of the tap pair (v, w), or -1 when w - v is outside the lags.
  const lagOf = new Int32Array(kk * kk).fill(-1);
  for (let vh = 0; vh < kh; vh++) {
    for (let vw = 0; vw < kw; vw++) {
      for (let wh = 0; wh < kh; wh++) {
        for (let ww = 0; ww < kw; ww++) {
          const dh = wh - vh;
          const dw = ww - vw;
          if (Math.abs(dh) < a.h && Math.abs(dw) < a.w) {
            lagOf[(vh * kw + vw) * kk + wh * kw + ww] = ((dh + a.h - 1) * lw + (dw + a.w - 1)) * m;
          }
        }
      }
    }
  }
  const perBlock = Math.max(1, Math.floor(LAG_BLOCK_ROWS / kk));
  const block = scratch("normal-equations.P-block", Math.min(perBlock, m) * kk * nh);
  let flops = 0;
  for (let p0 = 0; p0 < m; p0 += perBlock) {
    const p1 = Math.min(m, p0 + perBlock);
    const rows = (p1 - p0) * kk;
    // block = F[:, p0 kk .. p1 kk)^T F, (rows x nh): rows (p, v) of P for p in [p0, p1).
    gemm(true, false, rows, nh, c, 1, H.data.subarray(p0 * kk), nh, H.data, nh, 0, block, nh);
    flops += gemmFlops(rows, nh, c);
    // S[p][d][q] += P[(p, v), (q, w)] over tap pairs (v, w) at lag d = w - v. Rows of the block
    // are read contiguously; the writes for one p stay in that p's (lags x m) block.
    for (let p = p0; p < p1; p++) {
      const sp = p * lags * m;
      for (let v = 0; v < kk; v++) {
        const row = ((p - p0) * kk + v) * nh;
        const lagRow = v * kk;
        for (let q = 0; q < m; q++) {
          const pq = row + q * kk;
          const sq = sp + q;
          for (let w = 0; w < kk; w++) {
            const lag = lagOf[lagRow + w]!;
            if (lag >= 0) S[sq + lag]! += block[pq + w]!;
          }
        }
      }
    }
  }
  return { S, flops };
}
