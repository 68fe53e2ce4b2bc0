import { symmetricEigenvalues } from "./symmetric-eigenvalues.js";

/**
 * Eigenvalues of a complex Hermitian matrix H = Re + i Im (n x n), without eigenvectors, by
 * working on H itself rather than on its real 2n x 2n embedding [[Re, -Im], [Im, Re]]:
 *
 *  1. Householder reduction to Hermitian tridiagonal form, Q^H H Q = T (Golub & Van Loan, 4th ed.,
 *     Algorithm 8.3.1 with complex reflectors, 5.1.13; the unblocked LAPACK zhetd2, lower variant).
 *     At step k, with x = H[k+1:, k] (length n-k-1), mu = ||x||, x0 = |x0| e^{i theta}:
 *        v = x + e^{i theta} mu e_1,   beta = 2 / (v^H v) = 1 / (mu (mu + |x0|)),
 *        P = I - beta v v^H            (Hermitian and unitary; P x = -e^{i theta} mu e_1),
 *     and the trailing block A22 := P A22 P as a Hermitian rank-2 update (zhemv + zher2):
 *        p = beta A22 v,  K = (beta / 2) v^H p  (real),  w = p - K v,  A22 -= v w^H + w v^H.
 *  2. T has a real diagonal and complex sub-diagonal entries t_k = -e^{i theta_k} mu_k. The diagonal
 *     unitary similarity D^H T D with D = diag(1, e^{i phi_1}, ...) chosen so every t_k becomes
 *     |t_k| = mu_k (as LAPACK zhetrd does through its choice of tau) gives a real symmetric
 *     tridiagonal with the same eigenvalues: diagonal d_k = H_kk after the updates, off-diagonal mu_k.
 *  3. The implicit QL iteration of symmetric-eigenvalues.ts on that tridiagonal (passed there as a
 *     dense matrix that is already tridiagonal, so its own Householder stage does no reflections).
 *
 * About (16/3) n^3 real flops for complex input, (4/3) n^3 when Im is null (the real symmetric
 * case, LAPACK dsytd2), against (4/3) (2n)^3 = (32/3) n^3 for the real embedding with full updates.
 * Symmetry is exploited: only the upper triangle (j >= i) of the row-major arrays is read or
 * written, which is the lower triangle of H^T = conj(H) in column-major terms, so row k holds
 * conj(x) contiguously, and the Hermitian mat-vec and rank-2 update run along contiguous rows.
 *
 * re, im: row-major n x n; only the upper triangle (diagonal included) is used, and both arrays are
 * destroyed. The imaginary part of the diagonal is taken as 0. Returns the eigenvalues ascending.
 */
export function hermitianEigenvalues(n: number, re: Float64Array, im: Float64Array | null): Float64Array {
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (im === null) reduceReal(n, re, d, e);
  else reduceComplex(n, re, im, d, e);
  if (n === 0) return d;
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    t[i * n + i] = d[i]!;
    if (i + 1 < n) {
      t[i * n + i + 1] = e[i]!;
      t[(i + 1) * n + i] = e[i]!;
    }
  }
  return symmetricEigenvalues(n, t);
}

/** Flops of hermitianEigenvalues (the reduction; the QL stage is O(n^2) per sweep). */
export function hermitianEigenvaluesFlops(n: number, complex: boolean): number {
  return ((complex ? 16 : 4) / 3) * n * n * n;
}

/** Step 1-2 for complex H: d (diagonal) and e (|sub-diagonal|, e[k] between k and k+1). */
function reduceComplex(n: number, ar: Float64Array, ai: Float64Array, d: Float64Array, e: Float64Array): void {
  const vr = new Float64Array(n);
  const vi = new Float64Array(n);
  const pr = new Float64Array(n);
  const pi = new Float64Array(n);
  for (let k = 0; k < n - 1; k++) {
    const row = k * n;
    d[k] = ar[row + k]!;
    // x_j = H[j, k] = conj(A[k, j]) for j > k.
    let sigma = 0;
    for (let j = k + 2; j < n; j++) sigma += ar[row + j]! * ar[row + j]! + ai[row + j]! * ai[row + j]!;
    const x0r = ar[row + k + 1]!;
    const x0i = -ai[row + k + 1]!;
    const a0 = Math.hypot(x0r, x0i);
    if (sigma === 0) {
      e[k] = a0; // already reduced: only the phase of x0 remains, removed by step 2
      continue;
    }
    const mu = Math.sqrt(a0 * a0 + sigma);
    e[k] = mu;
    const ur = a0 === 0 ? 1 : x0r / a0;
    const ui = a0 === 0 ? 0 : x0i / a0;
    const beta = 1 / (mu * (mu + a0));
    vr[k + 1] = ur * (a0 + mu);
    vi[k + 1] = ui * (a0 + mu);
    for (let j = k + 2; j < n; j++) {
      vr[j] = ar[row + j]!;
      vi[j] = -ai[row + j]!;
    }
    // p = A22 v from the upper triangle: row i gives A_ij v_j (j >= i) and conj(A_ij) v_i to p_j (j > i).
    pr.fill(0, k + 1);
    pi.fill(0, k + 1);
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vir = vr[i]!;
      const vii = vi[i]!;
      const aii = ar[ri + i]!;
      let sr = aii * vir;
      let si = aii * vii;
      for (let j = i + 1; j < n; j++) {
        const r = ar[ri + j]!;
        const s = ai[ri + j]!;
        const vjr = vr[j]!;
        const vji = vi[j]!;
        sr += r * vjr - s * vji;
        si += r * vji + s * vjr;
        pr[j] += r * vir + s * vii;
        pi[j] += r * vii - s * vir;
      }
      pr[i] += sr;
      pi[i] += si;
    }
    // p *= beta; K = (beta/2) Re(v^H p); w = p - K v (stored in p).
    let vhp = 0;
    for (let i = k + 1; i < n; i++) {
      pr[i]! *= beta;
      pi[i]! *= beta;
      vhp += vr[i]! * pr[i]! + vi[i]! * pi[i]!;
    }
    const K = (beta / 2) * vhp;
    for (let i = k + 1; i < n; i++) {
      pr[i]! -= K * vr[i]!;
      pi[i]! -= K * vi[i]!;
    }
    // A22 -= v w^H + w v^H on the upper triangle: A_ij -= v_i conj(w_j) + w_i conj(v_j).
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vir = vr[i]!;
      const vii = vi[i]!;
      const wir = pr[i]!;
      const wii = pi[i]!;
      for (let j = i; j < n; j++) {
        const vjr = vr[j]!;
        const vji = vi[j]!;
        const wjr = pr[j]!;
        const wji = pi[j]!;
        ar[ri + j]! -= vir * wjr + vii * wji + wir * vjr + wii * vji;
        ai[ri + j]! -= vii * wjr - vir * wji + wii * vjr - wir * vji;
      }
    }
  }
  if (n >= 1) d[n - 1] = ar[(n - 1) * n + n - 1]!;
  e[Math.max(n - 1, 0)] = 0;
}

/** The same reduction for real symmetric H (Im = 0): v, p, w real, A_ij -= v_i w_j + w_i v_j. */
function reduceReal(n: number, a: Float64Array, d: Float64Array, e: Float64Array): void {
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 1; k++) {
    const row = k * n;
    d[k] = a[row + k]!;
    let sigma = 0;
    for (let j = k + 2; j < n; j++) sigma += a[row + j]! * a[row + j]!;
    const x0 = a[row + k + 1]!;
    const a0 = Math.abs(x0);
    if (sigma === 0) {
      e[k] = a0;
      continue;
    }
    const mu = Math.sqrt(a0 * a0 + sigma);
    e[k] = mu;
    const beta = 1 / (mu * (mu + a0));
    v[k + 1] = x0 >= 0 ? a0 + mu : -(a0 + mu);
    for (let j = k + 2; j < n; j++) v[j] = a[row + j]!;
    p.fill(0, k + 1);
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vi = v[i]!;
      let s = a[ri + i]! * vi;
      for (let j = i + 1; j < n; j++) {
        const aij = a[ri + j]!;
        s += aij * v[j]!;
        p[j] += aij * vi;
      }
      p[i] += s;
    }
    let vtp = 0;
    for (let i = k + 1; i < n; i++) {
      p[i]! *= beta;
      vtp += v[i]! * p[i]!;
    }
    const K = (beta / 2) * vtp;
    for (let i = k + 1; i < n; i++) p[i]! -= K * v[i]!;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vi = v[i]!;
      const wi = p[i]!;
      for (let j = i; j < n; j++) a[ri + j]! -= vi * p[j]! + wi * v[j]!;
    }
  }
  if (n >= 1) d[n - 1] = a[(n - 1) * n + n - 1]!;
  e[Math.max(n - 1, 0)] = 0;
}
