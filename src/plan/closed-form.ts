/**
 * The Eckart-Young optimum of a matrix geometry for every m at once (candidates.ts): with W
 * unfolded as A (rows x cols), the best rank-m product leaves
 *   ||E_m||^2 = sum_{j > m} sigma_j(A)^2,
 * the sum of the d - m smallest eigenvalues of the Gram of A's smaller side (d = min(rows, cols)).
 * The eigenvalues come from the real symmetric path of linalg (Householder + QL); each is known to
 * about eps * lambda_max, and negatives from rounding are clamped at 0.
 */
import { gemm } from "../linalg/gemm.js";
import { symmetricEigenvalues } from "../linalg/symmetric-eigenvalues.js";
import type { Unfolding } from "./candidates.js";

/** tails[m] = min over rank-m products of ||A - P||_F^2, for m = 0..d (tails[d] = 0). */
export function truncatedSvdTails(W: Float64Array, u: Unfolding): Float64Array {
  const { rows, cols } = u;
  const A = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) A[r * cols + c] = W[u.index(r, c)]!;
  const d = Math.min(rows, cols);
  const G = new Float64Array(d * d);
  if (rows <= cols) gemm(false, true, rows, rows, cols, 1, A, cols, A, cols, 0, G, rows);
  else gemm(true, false, cols, cols, rows, 1, A, cols, A, cols, 0, G, cols);
  const ev = symmetricEigenvalues(d, G); // ascending
  const tails = new Float64Array(d + 1);
  // tails[m] = sum of the d - m smallest: accumulate from the smallest upward.
  let s = 0;
  for (let j = 0; j < d; j++) {
    s += Math.max(ev[j]!, 0);
    tails[d - 1 - j] = s;
  }
  tails[d] = 0;
  return tails;
}
