import type { Tensor4 } from "../geometry/tensor.js";
import { gemm } from "../linalg/gemm.js";
import { hermitianEigenvalues, hermitianEigenvaluesFlops } from "../linalg/hermitian-eigenvalues.js";

/**
 * The rigorous floor on ||compose(f1, f2) - T||_F for any f1, f2 with m middle channels
 * (DESIGN.md, "Numbers the report always carries"). With a DFT of size N >= ke per axis, a
 * composition becomes, at each frequency, a product of (c_out x m)(m x c_in) matrices, of rank
 * <= m. By Eckart-Young, each frequency's error is at least the tail sum_{j>m} sigma_j(T^(f))^2,
 * and by Parseval ||C - T||^2 = (1/N^2) sum_f ||C^(f) - T^(f)||^2.
 *
 * The tail at each frequency is the sum of the smallest d - m eigenvalues of the Hermitian Gram
 * H = M^H M (or M M^H, d = min(c_out, c_in)), computed on H itself (hermitian-eigenvalues.ts:
 * complex Householder tridiagonalisation + QL). T is real, so frequencies f and -f have conjugate
 * matrices with equal spectra: only half are computed. The self-conjugate frequencies (f = -f:
 * DC, and Nyquist along an even axis) have real M (every phase is 0 or pi), so there the
 * imaginary part is dropped (it is sin(k pi) rounding, not signal) and H = M^T M takes the real
 * symmetric path.
 * Squaring M squares its conditioning, so each eigenvalue is only known to about eps lambda_max;
 * that rounding slack is subtracted, which keeps the floor rigorous (it may then read 0 slightly
 * early, never too high).
 */
export interface Floor {
  readonly abs: number;
  readonly rel: number;
  /** DFT size per axis (= ke). */
  readonly dft: { readonly h: number; readonly w: number };
  readonly flops: number;
}

export function frequencyFloor(T: Tensor4, m: number): Floor {
  const [cOut, cIn, Nh, Nw] = T.shape;
  const d = Math.min(cOut, cIn);
  let tNormSq = 0;
  for (let q = 0; q < T.data.length; q++) tNormSq += T.data[q]! * T.data[q]!;
  const dft = { h: Nh, w: Nw };
  if (m >= d || tNormSq === 0) return { abs: 0, rel: 0, dft, flops: 0 };
  const { squares, flops } = frequencyFloorSquares(T);
  const abs = Math.sqrt(squares[m]!);
  return { abs, rel: abs / Math.sqrt(tNormSq), dft, flops };
}

/**
 * The floor's square for every m at once: squares[m] = floor(m)^2 for m = 0..min(c_out, c_in)
 * (one pass over the frequencies; the eigenvalues do not depend on m).
 */
export function frequencyFloorSquares(T: Tensor4): { readonly squares: Float64Array; readonly flops: number } {
  const [cOut, cIn, Nh, Nw] = T.shape;
  const d = Math.min(cOut, cIn);

  const E = Nh * Nw;
  const pairs = cOut * cIn;
  const re = new Float64Array(pairs);
  const im = new Float64Array(pairs);
  const cos = new Float64Array(E);
  const sin = new Float64Array(E);
  const hRe = new Float64Array(d * d);
  const hIm = new Float64Array(d * d);
  // M is (cOut x cIn); with cIn <= cOut, H = M^H M (cIn x cIn), else H = M M^H (cOut x cOut).
  const gramOfColumns = cIn <= cOut;
  const r = Math.max(cOut, cIn);
  const tail = new Float64Array(d + 1);
  const cum = new Float64Array(d + 1);
  let flops = 0;
  for (let fh = 0; fh < Nh; fh++) {
    for (let fw = 0; fw < Nw; fw++) {
      const mirror = ((Nh - fh) % Nh) * Nw + ((Nw - fw) % Nw);
      const self = fh * Nw + fw;
      if (mirror < self) continue;
      const real = mirror === self;
      const weight = real ? 1 : 2;
      for (let y = 0; y < Nh; y++) {
        for (let x = 0; x < Nw; x++) {
          const phase = (-2 * Math.PI * (((fh * y) % Nh) / Nh + ((fw * x) % Nw) / Nw));
          cos[y * Nw + x] = Math.cos(phase);
          sin[y * Nw + x] = real ? 0 : Math.sin(phase);
        }
      }
      for (let q = 0; q < pairs; q++) {
        let sr = 0;
        let si = 0;
        const base = q * E;
        for (let t = 0; t < E; t++) {
          sr += T.data[base + t]! * cos[t]!;
          si += T.data[base + t]! * sin[t]!;
        }
        re[q] = sr;
        im[q] = si;
      }
      flops += 4 * pairs * E;
      hermitianGram(gramOfColumns, real, cOut, cIn, re, im, hRe, hIm);
      flops += (real ? 2 : 6) * d * d * r;
      const ev = hermitianEigenvalues(d, hRe, real ? null : hIm);
      flops += hermitianEigenvaluesFlops(d, !real);
      // Forming H and reducing it perturb each eigenvalue by up to about (r + n) eps lambda_max
      // (Golub & Van Loan, 8.1.2 and 8.3.3; n = 2d, the size of the real embedding of H, which
      // also covers the complex arithmetic of the reduction): subtract that slack so the floor
      // stays a lower bound.
      const slack = 4 * (2 * d + r) * Number.EPSILON * Math.max(Math.abs(ev[0]!), Math.abs(ev[d - 1]!));
      // cum[k] = sum of the k smallest (minus slack), added in ascending order.
      let t = 0;
      for (let j = 0; j < d; j++) {
        cum[j] = t;
        t += Math.max(ev[j]! - slack, 0);
      }
      cum[d] = t;
      for (let mm = 0; mm < d; mm++) tail[mm] += weight * cum[d - mm]!;
    }
  }
  for (let mm = 0; mm <= d; mm++) tail[mm] = tail[mm]! / E;
  return { squares: tail, flops };
}

/**
 * H = M^H M (columns) or M M^H (rows) for M = A + iB (r x c), as real and imaginary parts:
 *   M^H M = A^T A + B^T B + i (A^T B - B^T A),   M M^H = A A^T + B B^T + i (B A^T - A B^T).
 * When `real`, B = 0: only hRe = A^T A (or A A^T) is formed.
 */
function hermitianGram(
  columns: boolean,
  real: boolean,
  r: number,
  c: number,
  A: Float64Array,
  B: Float64Array,
  hRe: Float64Array,
  hIm: Float64Array,
): void {
  if (real) {
    if (columns) gemm(true, false, c, c, r, 1, A, c, A, c, 0, hRe, c);
    else gemm(false, true, r, r, c, 1, A, c, A, c, 0, hRe, r);
    return;
  }
  const d = columns ? c : r;
  if (columns) {
    gemm(true, false, c, c, r, 1, A, c, A, c, 0, hRe, c);
    gemm(true, false, c, c, r, 1, B, c, B, c, 1, hRe, c);
    gemm(true, false, c, c, r, 1, A, c, B, c, 0, hIm, c); // X = A^T B
  } else {
    gemm(false, true, r, r, c, 1, A, c, A, c, 0, hRe, r);
    gemm(false, true, r, r, c, 1, B, c, B, c, 1, hRe, r);
    gemm(false, true, r, r, c, 1, B, c, A, c, 0, hIm, r); // X = B A^T
  }
  // Im H = X - X^T (antisymmetric), formed in place: one GEMM instead of two.
  for (let i = 0; i < d; i++) {
    hIm[i * d + i] = 0;
    for (let j = i + 1; j < d; j++) {
      const x = hIm[i * d + j]! - hIm[j * d + i]!;
      hIm[i * d + j] = x;
      hIm[j * d + i] = -x;
    }
  }
}
