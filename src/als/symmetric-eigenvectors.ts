import { cholesky } from "../linalg/cholesky.js";
import { DecomposeError } from "../errors.js";
import { gemm } from "../linalg/gemm.js";
import { trsmLowerLeft } from "../linalg/trsm.js";
import { Rng } from "../random.js";

/**
 * Leading eigenvectors of a real symmetric positive semi-definite matrix A (n x n, row-major, not
 * modified), as rows of an (r x n) array in descending eigenvalue order.
 * Small problems, or r close to n: cyclic Jacobi on A. Otherwise subspace iteration (Golub & Van
 * Loan, 8.2.4) on an oversampled block of r + 8 vectors, orthonormalised by Cholesky QR, all in
 * GEMMs, then Rayleigh-Ritz on the projected (r + 8) x (r + 8) matrix by Jacobi. Used for starts,
 * where the dominant subspace matters and the last digits do not.
 */
export function topEigenvectors(n: number, A: Float64Array, r: number): Float64Array {
  const s = r + 8;
  if (n <= 128 || s >= n) return jacobiTopEigenvectors(n, A, r);
  const rng = new Rng(0x5eed);
  let Q = orthonormalRows(s, n, rng.normals(s * n));
  const Z = new Float64Array(s * n);
  for (let it = 0; it < 30; it++) {
    gemm(false, false, s, n, n, 1, Q, n, A, n, 0, Z, n); // Z = Q A (A symmetric: rows of (A Q^T)^T)
    Q = orthonormalRows(s, n, Z.slice());
  }
  // Rayleigh-Ritz: B = Q A Q^T (s x s), its top r eigenvectors W (r x s), vectors W Q (r x n).
  gemm(false, false, s, n, n, 1, Q, n, A, n, 0, Z, n);
  const B = new Float64Array(s * s);
  gemm(false, true, s, s, n, 1, Z, n, Q, n, 0, B, s);
  for (let i = 0; i < s; i++) for (let j = 0; j < i; j++) B[i * s + j] = B[j * s + i] = (B[i * s + j]! + B[j * s + i]!) / 2;
  const W = jacobiTopEigenvectors(s, B, r);
  const out = new Float64Array(r * n);
  gemm(false, false, r, n, s, 1, W, s, Q, n, 0, out, n);
  return out;
}

/** Rows of Z (k x n) orthonormalised by Cholesky QR, twice (CholeskyQR2) for orthogonality to rounding. */
function orthonormalRows(k: number, n: number, Z: Float64Array): Float64Array {
  for (let pass = 0; pass < 2; pass++) {
    const G = new Float64Array(k * k);
    gemm(false, true, k, k, n, 1, Z, n, Z, n, 0, G, k);
    let scale = 0;
    for (let i = 0; i < k; i++) scale = Math.max(scale, G[i * k + i]!);
    // A rank-deficient block (A of low rank) gets a tiny shift: its extra rows are then arbitrary but finite.
    for (let i = 0; i < k; i++) G[i * k + i]! += 1e-14 * scale;
    if (!cholesky(k, G, k).ok) throw new DecomposeError("E_NUMERIC", "the subspace iteration for the spectral start lost rank (Cholesky QR failed); try --init random");
    trsmLowerLeft(k, n, G, k, Z, n);
  }
  return Z;
}

/** Cyclic Jacobi (Golub & Van Loan, Algorithm 8.5.3): accurate to working precision, O(n^3) a sweep. */
function jacobiTopEigenvectors(n: number, A: Float64Array, r: number): Float64Array {
  const a = A.slice();
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += a[i * n + i]! * a[i * n + i]!;
      for (let j = i + 1; j < n; j++) off += a[i * n + j]! * a[i * n + j]!;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A := J^T A J on rows/columns p, q.
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p]!;
          const vkq = V[k * n + q]!;
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j]! - a[i * n + i]!);
  const out = new Float64Array(r * n);
  for (let k = 0; k < r; k++) {
    const col = order[k]!;
    for (let i = 0; i < n; i++) out[k * n + i] = V[i * n + col]!;
  }
  return out;
}
