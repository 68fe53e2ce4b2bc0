/**
 * Leading eigenvectors of a real symmetric matrix by the cyclic Jacobi method (Golub & Van Loan,
 * Algorithm 8.5.3): accurate to working precision, O(n^3) per sweep, a handful of sweeps. Meant for
 * channel-sized matrices (n up to a few hundred). A (n x n, row-major) is not modified.
 * Returns the r eigenvectors of the largest eigenvalues as rows of an (r x n) array, in
 * descending eigenvalue order.
 */
export function topEigenvectors(n: number, A: Float64Array, r: number): Float64Array {
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
