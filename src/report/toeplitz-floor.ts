import type { Size2, Tensor4 } from "../geometry/tensor.js";
import { backend } from "../linalg/backends/registry.js";
import { gram, gramFlops } from "../linalg/gram.js";
import { symmetricEigenvalues } from "../linalg/symmetric-eigenvalues.js";

/**
 * A rigorous floor on ||compose(f1, f2) - T||_F from the block-Toeplitz (valid convolution)
 * embedding: not 0 in places where the frequency floor (floor.ts) is, once m >= min(c_in, c_out).
 *
 * For a kernel K (c_out, c_in, eh, ew) and an output window L = (Lh, Lw), let V_L(K) be the matrix
 * of the valid correlation y[o, p] = sum_{i, t} K[o, i, t] x[i, p + t] from an input window of
 * L + e - 1 to the L output positions: (c_out Lh Lw) x (c_in (Lh + eh - 1)(Lw + ew - 1)). Then
 *  - every entry of K appears in V_L(K) exactly once per output position, so
 *    ||V_L(K)||_F^2 = Lh Lw ||K||_F^2, and V_L is linear;
 *  - valid correlations stack: V_L(compose(f1, f2)) = V_L(f2) V_{L + k2 - 1}(f1), which passes
 *    through an intermediate window of m (Lh + k2h - 1)(Lw + k2w - 1) values, so its rank is at most
 *    r = m (Lh + k2h - 1)(Lw + k2w - 1).
 * By Eckart-Young, for every f1, f2:
 *   ||compose(f1, f2) - T||^2 = ||V_L(compose) - V_L(T)||^2 / (Lh Lw) >= sum_{j > r} sigma_j(V_L(T))^2 / (Lh Lw).
 * The same holds with the roles of f1 and f2 exchanged, on the channel transpose
 * T^t[i, o, s] = T[o, i, s] = compose(f2^t, f1^t)[i, o, s] (the composition is a product of
 * polynomials in the spatial shift, which commute), with r = m (Lh + k1h - 1)(Lw + k1w - 1).
 * The bound is informative when r < min(rows, cols): for large windows that needs m below the
 * output channels of the side's product (c_out, resp. c_in), and for small windows m below the
 * input side's count plus a border margin. So it can be positive for min(c_in, c_out) <= m <
 * max(c_in, c_out), where every frequency's product has full rank. Where m < min(c_in, c_out)
 * the frequency floor measured tighter (facerec conv64-down-conv1, 2x2 + 2x2: 0.630 / 0.390 /
 * 0.199 against 0.506 / 0.295 / 0.158 at m = 8 / 16 / 24), so callers use this one only where the
 * frequency floor is 0 (report/kernel-floor.ts).
 *
 * Computed on the Gram of the smaller side (n = min(rows, cols)): the tail is the sum of its
 * n - r smallest eigenvalues, each less a rounding slack (forming the Gram perturbs it by at most
 * about `big` eps ||V||_F^2 = big eps trace(Gram), the symmetric eigensolver by about n eps
 * lambda_max; Weyl: each eigenvalue moves by at most the sum), which keeps the bound rigorous: it
 * may read low, never high. Windows are tried per axis from 1 to WINDOW_MAX (1 on an axis of
 * extent 1, where a longer window only repeats the block; near-square, Lh and Lw within 1 of each
 * other, where both axes have extent), whose Gram is at most GRAM_MAX square and whose matrix at
 * most MATRIX_MAX doubles. Only the
 * WINDOWS_EVALUATED windows with the most tail singular values per output position,
 * (n - r) / (Lh Lw), are evaluated (each within the back-end's WORK_MAX floating-point operations),
 * and the larger bound wins: on facerec conv64-down-conv1 (2x2 + 2x2) that score's best window was
 * the best bound at every m tried (32, 36, 40, 43), where evaluating every window cost up to 31
 * eigendecompositions on small layers.
 */
export const WINDOW_MAX = 12;
export const WINDOWS_EVALUATED = 2;
export const GRAM_MAX = 1600;
/** The most doubles the window's matrix may hold (128 MB): a very wide layer's other side stays bounded. */
export const MATRIX_MAX = 1 << 24;
/**
 * The work allowed, per back-end: measured on facerec conv64-down-conv1 at m = 32 (5x5 window,
 * Gram 1568 square, 9.1 GFLOP per window), OpenBLAS ran the bound at 20-40 GFLOP/s (0.95 s for
 * 19.6 GFLOP) and the portable back-end at 1.3 GFLOP/s (its eigensolver is unblocked: 14.8 s), so
 * the portable one gets a tenth (its bound may come from a smaller window, still rigorous).
 */
export const WORK_MAX = { openblas: 2e10, wasm: 2e9 } as const;

export interface ToeplitzFloor {
  /** The floor ||.||_F (0 when no window applies). */
  readonly abs: number;
  /** The output window of the best bound, or null when no window gave a positive one. */
  readonly window: Size2 | null;
  /** Whose side the rank passes through: f2's (intermediate k2, V_L(T)) or f1's (on T^t). */
  readonly side: "f1" | "f2" | null;
  readonly windowsTried: number;
  readonly flops: number;
}

interface Candidate {
  readonly side: "f1" | "f2";
  readonly L: Size2;
  readonly rank: number;
  readonly rows: number;
  readonly cols: number;
}

/**
 * T (c_out, c_in, eh, ew) with e = k1 + k2 - 1 per axis (the padded target), m middle channels.
 */
export function toeplitzFloor(T: Tensor4, m: number, k1: Size2, k2: Size2): ToeplitzFloor {
  const [cOut, cIn, eh, ew] = T.shape;
  if (eh !== k1.h + k2.h - 1 || ew !== k1.w + k2.w - 1) throw new Error(`toeplitzFloor: target ${eh}x${ew} is not k1 + k2 - 1`);
  const candidates: Candidate[] = [];
  const lengths = (e: number) => (e === 1 ? [1] : Array.from({ length: WINDOW_MAX }, (_, i) => i + 1));
  for (const side of ["f2", "f1"] as const) {
    const mid = side === "f2" ? k2 : k1;
    const outC = side === "f2" ? cOut : cIn;
    const inC = side === "f2" ? cIn : cOut;
    for (const Lh of lengths(eh)) {
      for (const Lw of lengths(ew)) {
        if (eh > 1 && ew > 1 && Math.abs(Lh - Lw) > 1) continue;
        const rows = outC * Lh * Lw;
        const cols = inC * (Lh + eh - 1) * (Lw + ew - 1);
        const rank = m * (Lh + mid.h - 1) * (Lw + mid.w - 1);
        if (rank < Math.min(rows, cols) && Math.min(rows, cols) <= GRAM_MAX && rows * cols <= MATRIX_MAX) candidates.push({ side, L: { h: Lh, w: Lw }, rank, rows, cols });
      }
    }
  }
  const score = (c: Candidate) => (Math.min(c.rows, c.cols) - c.rank) / (c.L.h * c.L.w);
  candidates.sort((a, b) => score(b) - score(a) || Math.min(b.rows, b.cols) - Math.min(a.rows, a.cols));
  const budget = WORK_MAX[backend().name];
  let best: Candidate | undefined;
  let bestAbs = 0;
  let flops = 0;
  let tried = 0;
  for (const c of candidates) {
    if (tried === WINDOWS_EVALUATED) break;
    const cost = windowFlops(c);
    if (flops + cost > budget) continue;
    const abs = Math.sqrt(windowTail(T, c));
    flops += cost;
    tried++;
    if (abs > bestAbs) {
      bestAbs = abs;
      best = c;
    }
  }
  return { abs: bestAbs, window: best?.L ?? null, side: best?.side ?? null, windowsTried: tried, flops };
}

function windowFlops(c: Candidate): number {
  const n = Math.min(c.rows, c.cols);
  const big = Math.max(c.rows, c.cols);
  return gramFlops(big, n) + (4 / 3) * n * n * n;
}

/** sum_{j > rank} sigma_j(V_L)^2 / (Lh Lw), less the rounding slack (>= 0). */
function windowTail(T: Tensor4, c: Candidate): number {
  const [cOut, cIn, eh, ew] = T.shape;
  const { h: Lh, w: Lw } = c.L;
  const Ih = Lh + eh - 1;
  const Iw = Lw + ew - 1;
  const n = Math.min(c.rows, c.cols);
  const big = Math.max(c.rows, c.cols);
  // B (big x n): V_L itself when it has no more columns than rows, else its transpose, so that
  // B^T B is the n x n Gram with the same nonzero spectrum. V_L's entry (row, col) is
  // K[o, i, Y - y, X - x] at row (o, y, x), col (i, Y, X) when 0 <= Y - y < eh and 0 <= X - x < ew,
  // with K = T on f2's side and K = T^t (K[o, i] = T[i, o]) on f1's.
  const transposeV = c.cols > c.rows;
  const B = new Float64Array(big * n);
  const outC = c.side === "f2" ? cOut : cIn;
  const inC = c.side === "f2" ? cIn : cOut;
  for (let o = 0; o < outC; o++) {
    for (let i = 0; i < inC; i++) {
      const base = c.side === "f2" ? (o * cIn + i) * eh * ew : (i * cIn + o) * eh * ew;
      for (let y = 0; y < Lh; y++) {
        for (let x = 0; x < Lw; x++) {
          const row = (o * Lh + y) * Lw + x;
          for (let ty = 0; ty < eh; ty++) {
            for (let tx = 0; tx < ew; tx++) {
              const col = (i * Ih + y + ty) * Iw + x + tx;
              const v = T.data[base + ty * ew + tx]!;
              if (transposeV) B[col * n + row] = v;
              else B[row * n + col] = v;
            }
          }
        }
      }
    }
  }
  const G = new Float64Array(n * n);
  gram(big, n, B, n, G, n);
  let trace = 0;
  for (let q = 0; q < n; q++) trace += G[q * n + q]!;
  const ev = symmetricEigenvalues(n, G);
  const lambdaMax = Math.max(Math.abs(ev[0]!), Math.abs(ev[n - 1]!));
  const slack = 4 * Number.EPSILON * (big * trace + n * lambdaMax);
  let tail = 0;
  for (let j = 0; j < n - c.rank; j++) tail += Math.max(ev[j]! - slack, 0);
  return tail / (Lh * Lw);
}
