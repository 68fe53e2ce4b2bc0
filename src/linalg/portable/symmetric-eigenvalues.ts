/**
 * Eigenvalues of a real symmetric matrix, without eigenvectors: Householder reduction to
 * tridiagonal form (Golub & Van Loan, Algorithm 8.3.1) followed by the implicit QL iteration with
 * Wilkinson-style shifts (EISPACK tql1). A (n x n, row-major, both triangles) is destroyed.
 * Returns the eigenvalues in ascending order. About (4/3) n^3 flops. Non-convergence (60 sweeps
 * for one eigenvalue) is a typed E_NUMERIC error, a handled outcome, never a crash.
 */
import { DecomposeError } from "../../errors.js";

export function symmetricEigenvalues(n: number, a: Float64Array): Float64Array {
  const d = new Float64Array(n);
  const e = new Float64Array(n); // e[k]: sub-diagonal entry between rows k and k+1
  tridiagonalise(n, a, d, e);
  tridiagonalQl(n, d, e);
  return d.sort();
}

function tridiagonalise(n: number, a: Float64Array, d: Float64Array, e: Float64Array): void {
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    // Householder vector v for x = A[k+1:, k]: (I - beta v v^T) x = alpha e_1.
    let sigma = 0;
    for (let i = k + 2; i < n; i++) sigma += a[i * n + k]! * a[i * n + k]!;
    const x0 = a[(k + 1) * n + k]!;
    d[k] = a[k * n + k]!;
    if (sigma === 0) {
      e[k] = x0;
      continue;
    }
    const mu = Math.sqrt(x0 * x0 + sigma);
    const alpha = x0 <= 0 ? mu : -mu;
    const v0 = x0 - alpha;
    v[k + 1] = 1;
    for (let i = k + 2; i < n; i++) v[i] = a[i * n + k]! / v0;
    const beta = (-v0 * 1) / alpha; // = 2 / (v^T v) with v0 normalised to 1
    e[k] = alpha;
    // p = beta A22 v ; w = p - (beta/2)(p^T v) v ; A22 -= v w^T + w v^T.
    let pv = 0;
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let j = k + 1; j < n; j++) s += a[row + j]! * v[j]!;
      p[i] = beta * s;
      pv += p[i]! * v[i]!;
    }
    const c = (beta * pv) / 2;
    for (let i = k + 1; i < n; i++) p[i]! -= c * v[i]!;
    for (let i = k + 1; i < n; i++) {
      const row = i * n;
      const vi = v[i]!;
      const wi = p[i]!;
      for (let j = k + 1; j < n; j++) a[row + j]! -= vi * p[j]! + wi * v[j]!;
    }
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + n - 2]!;
    e[n - 2] = a[(n - 1) * n + n - 2]!;
  }
  if (n >= 1) d[n - 1] = a[(n - 1) * n + n - 1]!;
  e[n - 1] = 0;
}

/**
 * Eigenvalues of the symmetric tridiagonal matrix with diagonal d and sub-diagonal e (e[k] between
 * rows k and k+1, e[n-1] unused): implicit QL, in place; d holds them on return, unsorted.
 */
export function tridiagonalQl(n: number, d: Float64Array, e: Float64Array): void {
  // An off-diagonal entry is negligible when it is tiny next to its neighbours on the diagonal or
  // next to the whole matrix: zeroing it moves every eigenvalue by at most eps ||T||, within the
  // backward error of the reduction anyway. The absolute test matters for (nearly) singular
  // matrices, where both neighbours can be ~0 and the relative test alone never fires.
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d[i]!) + Math.abs(e[i]!) + (i > 0 ? Math.abs(e[i - 1]!) : 0));
  const absTol = Number.EPSILON * norm;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= Number.EPSILON * dd || Math.abs(e[m]!) <= absTol) break;
      }
      if (m !== l) {
        if (iter++ === 60) throw new DecomposeError("E_NUMERIC", "the symmetric eigenvalue iteration (QL) did not converge in 60 sweeps");
        let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
        let r = Math.hypot(g, 1);
        g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1;
        let c = 1;
        let p = 0;
        let i: number;
        for (i = m - 1; i >= l; i--) {
          const f = s * e[i]!;
          const b = c * e[i]!;
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1]! -= p;
            e[m] = 0;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1]! - p;
          r = (d[i]! - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
        }
        if (r === 0 && i >= l) continue;
        d[l]! -= p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
}
