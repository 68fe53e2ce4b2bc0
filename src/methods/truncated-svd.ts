import { gemm } from "../linalg/gemm.js";
import { symmetricEigen } from "../linalg/symmetric-eigen.js";

/**
 * The best rank-m approximation of A (rows x cols, row-major), A ~ L R with L (rows x m) and
 * R (m x cols), by Eckart-Young: from the eigenvectors of the Gram of A's smaller side
 * (linalg/symmetric-eigen.ts). With cols <= rows: G = A^T A, top-m eigenvectors v_j, u = A v_j,
 * s = ||u|| (= sigma_j), L_j = u / sqrt(s), R_j = sqrt(s) v_j, so L R = A V V^T, the orthogonal
 * projection onto the top-m right singular subspace; mirrored when rows < cols. Singular values
 * are split evenly between the two factors (balanced). Components with s = 0, and those beyond
 * min(rows, cols), are zero.
 */
export interface TruncatedSvd {
  readonly L: Float64Array;
  readonly R: Float64Array;
  /** sigma_j^2 in descending order (all min(rows, cols) of them), from the Gram's eigenvalues, clamped at 0. */
  readonly sigmaSq: Float64Array;
  readonly flops: number;
}

export function truncatedSvd(A: Float64Array, rows: number, cols: number, m: number): TruncatedSvd {
  const right = cols <= rows; // Gram of the columns (cols x cols)
  const d = right ? cols : rows;
  const G = new Float64Array(d * d);
  if (right) gemm(true, false, cols, cols, rows, 1, A, cols, A, cols, 0, G, cols);
  else gemm(false, true, rows, rows, cols, 1, A, cols, A, cols, 0, G, rows);
  const eig = symmetricEigen(d, G);
  const sigmaSq = new Float64Array(d);
  for (let j = 0; j < d; j++) sigmaSq[j] = Math.max(eig.values[d - 1 - j]!, 0);
  const L = new Float64Array(rows * m);
  const R = new Float64Array(m * cols);
  const r = Math.min(m, d);
  for (let j = 0; j < r; j++) {
    const v = eig.vectors.subarray((d - 1 - j) * d, (d - j) * d); // unit eigenvector, length d
    if (right) {
      // u = A v (rows)
      const u = new Float64Array(rows);
      for (let a = 0; a < rows; a++) {
        let acc = 0;
        for (let b = 0; b < cols; b++) acc += A[a * cols + b]! * v[b]!;
        u[a] = acc;
      }
      const s = norm(u);
      if (!(s > 0)) continue;
      const q = Math.sqrt(s);
      for (let a = 0; a < rows; a++) L[a * m + j] = u[a]! / q;
      for (let b = 0; b < cols; b++) R[j * cols + b] = v[b]! * q;
    } else {
      // w = v^T A (cols)
      const w = new Float64Array(cols);
      for (let a = 0; a < rows; a++) {
        const va = v[a]!;
        if (va === 0) continue;
        for (let b = 0; b < cols; b++) w[b]! += va * A[a * cols + b]!;
      }
      const s = norm(w);
      if (!(s > 0)) continue;
      const q = Math.sqrt(s);
      for (let a = 0; a < rows; a++) L[a * m + j] = v[a]! * q;
      for (let b = 0; b < cols; b++) R[j * cols + b] = w[b]! / q;
    }
  }
  const flops = 2 * d * d * Math.max(rows, cols) + 9 * d * d * d + 4 * r * rows * cols;
  return { L, R, sigmaSq, flops };
}

function norm(x: Float64Array): number {
  let ss = 0;
  for (let q = 0; q < x.length; q++) ss += x[q]! * x[q]!;
  return Math.sqrt(ss);
}
