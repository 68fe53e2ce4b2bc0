import { gemm } from "./gemm.js";
import { tridiagonalQl } from "./symmetric-eigenvalues.js";

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
 *     For n > NX + 1 the reduction is blocked (LAPACK zhetrd/zlatrd, see reduceComplexPanels): the
 *     rank-2 updates of NB consecutive steps are deferred and applied as one rank-2NB update by
 *     gemm, so half the flops run in the wasm SIMD kernel; the last NX columns are done unblocked.
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
  else reduceComplex(n, re, im, d, e, reduceComplexPanels(n, re, im, d, e));
  e[n - 1] = 0;
  tridiagonalQl(n, d, e);
  return d.sort();
}

/** Flops of hermitianEigenvalues (the reduction; the QL stage is O(n^2) per sweep). */
export function hermitianEigenvaluesFlops(n: number, complex: boolean): number {
  return ((complex ? 16 : 4) / 3) * n * n * n;
}

/**
 * Steps 1-2 for complex H, unblocked (zhetd2), on rows/columns k0.. of the stored matrix: d
 * (diagonal) and e (|sub-diagonal|, e[k] between k and k+1).
 */
function reduceComplex(n: number, ar: Float64Array, ai: Float64Array, d: Float64Array, e: Float64Array, k0: number): void {
  const vr = new Float64Array(n);
  const vi = new Float64Array(n);
  const pr = new Float64Array(n);
  const pi = new Float64Array(n);
  for (let k = k0; k < n - 1; k++) {
    const row = k * n;
    const beta = householder(n, ar, ai, row, k, vr, vi, d, e);
    if (beta === undefined) continue;
    hemvUpper(n, ar, ai, k + 1, vr, vi, pr, pi); // p = A22 v
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

/**
 * p = A v for the trailing Hermitian block A = H[k1:, k1:] stored in the upper triangle (row-major),
 * in one pass over it (zhemv): row i contributes A_ij v_j (j >= i) to p_i and conj(A_ij) v_i to p_j
 * (j > i). Two rows at a time, so each v_j and p_j is loaded once per pair of rows.
 */
function hemvUpper(
  n: number,
  ar: Float64Array,
  ai: Float64Array,
  k1: number,
  vr: Float64Array,
  vi: Float64Array,
  pr: Float64Array,
  pi: Float64Array,
): void {
  pr.fill(0, k1);
  pi.fill(0, k1);
  let i = k1;
  for (; i + 1 < n; i += 2) {
    const r0 = i * n;
    const r1 = r0 + n;
    const v0r = vr[i]!;
    const v0i = vi[i]!;
    const v1r = vr[i + 1]!;
    const v1i = vi[i + 1]!;
    const a00 = ar[r0 + i]!;
    const a11 = ar[r1 + i + 1]!;
    const b01r = ar[r0 + i + 1]!;
    const b01i = ai[r0 + i + 1]!;
    let s0r = a00 * v0r + b01r * v1r - b01i * v1i;
    let s0i = a00 * v0i + b01r * v1i + b01i * v1r;
    let s1r = a11 * v1r + b01r * v0r + b01i * v0i;
    let s1i = a11 * v1i + b01r * v0i - b01i * v0r;
    for (let c = i + 2; c < n; c++) {
      const x0 = ar[r0 + c]!;
      const y0 = ai[r0 + c]!;
      const x1 = ar[r1 + c]!;
      const y1 = ai[r1 + c]!;
      const vcr = vr[c]!;
      const vci = vi[c]!;
      s0r += x0 * vcr - y0 * vci;
      s0i += x0 * vci + y0 * vcr;
      s1r += x1 * vcr - y1 * vci;
      s1i += x1 * vci + y1 * vcr;
      pr[c] += x0 * v0r + y0 * v0i + x1 * v1r + y1 * v1i;
      pi[c] += x0 * v0i - y0 * v0r + x1 * v1i - y1 * v1r;
    }
    pr[i] += s0r;
    pi[i] += s0i;
    pr[i + 1] += s1r;
    pi[i + 1] += s1i;
  }
  if (i < n) {
    const aii = ar[i * n + i]!;
    pr[i] += aii * vr[i]!;
    pi[i] += aii * vi[i]!;
  }
}

/** Panel width of the blocked reduction, and the trailing size below which it hands over to zhetd2. */
const NB = 32;
const NX = 96;
/** Rows per GEMM call of the trailing update (only the upper triangle is updated, block row by block row). */
const BS = 64;

/**
 * Steps 1-2 blocked (LAPACK zhetrd/zlatrd, Golub & Van Loan 5.2.3 / 8.3.1 blocked): for a panel of
 * NB reflectors the trailing block is not updated after each one; instead the vectors are kept,
 * V = [v_0 .. v_{NB-1}] and W = [w_0 .. w_{NB-1}], so that after step j the current matrix is
 *    A_stored - sum_{t<j} (v_t w_t^H + w_t v_t^H).
 * Step j then needs the current row k = k0 + j (corrected on the fly; the row is final after it) and
 *    A22_cur v = A22_stored v - sum_t (v_t (w_t^H v) + w_t (v_t^H v))        (O(n NB) extra),
 * which is the same p as the unblocked step, so w_j follows as there. At the end of the panel the
 * trailing triangle takes the whole rank-2NB update by GEMM: with P = [Vr; Vi; Wr; Wi] (4NB x n,
 * one row per vector), Q = [Wr; Wi; Vr; Vi] and P' = [Vi; -Vr; Wi; -Wr],
 *    Re A22 -= P^T Q,   Im A22 -= P'^T Q,
 * since Re(v w^H + w v^H) = vr wr^T + vi wi^T + wr vr^T + wi vi^T and
 *       Im(v w^H + w v^H) = vi wr^T - vr wi^T + wi vr^T - wr vi^T.
 * Half the flops (the rank-2 updates) so go through gemm; the Hermitian mat-vecs stay here.
 * Returns the index k0 from which the unblocked reduction must finish.
 */
function reduceComplexPanels(n: number, ar: Float64Array, ai: Float64Array, d: Float64Array, e: Float64Array): number {
  if (n - 1 <= NX) return 0;
  const K4 = 4 * NB;
  const P = new Float64Array(K4 * n); // rows: Vr (0..NB), Vi, Wr, Wi, each row one vector of length n
  const Q = new Float64Array(K4 * n);
  const Pi = new Float64Array(K4 * n);
  const vr = new Float64Array(n);
  const vi = new Float64Array(n);
  const pr = new Float64Array(n);
  const pi = new Float64Array(n);
  const offVi = NB * n;
  const offWr = 2 * NB * n;
  const offWi = 3 * NB * n;
  let k0 = 0;
  for (; n - 1 - k0 > NX; k0 += NB) {
    P.fill(0);
    for (let j = 0; j < NB; j++) {
      const k = k0 + j;
      const row = k * n;
      // Row k of the current matrix (columns k..n-1): subtract the panel's earlier rank-2 terms.
      for (let t = 0; t < j; t++) {
        const vkr = P[t * n + k]!;
        const vki = P[offVi + t * n + k]!;
        const wkr = P[offWr + t * n + k]!;
        const wki = P[offWi + t * n + k]!;
        const tv = t * n;
        for (let c = k; c < n; c++) {
          const vcr = P[tv + c]!;
          const vci = P[offVi + tv + c]!;
          const wcr = P[offWr + tv + c]!;
          const wci = P[offWi + tv + c]!;
          ar[row + c]! -= vkr * wcr + vki * wci + wkr * vcr + wki * vci;
          ai[row + c]! -= vki * wcr - vkr * wci + wki * vcr - wkr * vci;
        }
      }
      const beta = householder(n, ar, ai, row, k, vr, vi, d, e);
      if (beta === undefined) continue;
      hemvUpper(n, ar, ai, k + 1, vr, vi, pr, pi); // p = A22_stored v
      // p -= v_t (w_t^H v) + w_t (v_t^H v) for the panel's earlier t.
      for (let t = 0; t < j; t++) {
        const tv = t * n;
        let wvr = 0;
        let wvi = 0;
        let vvr = 0;
        let vvi = 0;
        for (let c = k + 1; c < n; c++) {
          const xr = vr[c]!;
          const xi = vi[c]!;
          const tvr = P[tv + c]!;
          const tvi = P[offVi + tv + c]!;
          const twr = P[offWr + tv + c]!;
          const twi = P[offWi + tv + c]!;
          wvr += twr * xr + twi * xi;
          wvi += twr * xi - twi * xr;
          vvr += tvr * xr + tvi * xi;
          vvi += tvr * xi - tvi * xr;
        }
        for (let c = k + 1; c < n; c++) {
          const tvr = P[tv + c]!;
          const tvi = P[offVi + tv + c]!;
          const twr = P[offWr + tv + c]!;
          const twi = P[offWi + tv + c]!;
          pr[c]! -= tvr * wvr - tvi * wvi + twr * vvr - twi * vvi;
          pi[c]! -= tvr * wvi + tvi * wvr + twr * vvi + twi * vvr;
        }
      }
      let vhp = 0;
      for (let c = k + 1; c < n; c++) {
        pr[c]! *= beta;
        pi[c]! *= beta;
        vhp += vr[c]! * pr[c]! + vi[c]! * pi[c]!;
      }
      const K = (beta / 2) * vhp;
      const jv = j * n;
      for (let c = k + 1; c < n; c++) {
        P[jv + c] = vr[c]!;
        P[offVi + jv + c] = vi[c]!;
        P[offWr + jv + c] = pr[c]! - K * vr[c]!;
        P[offWi + jv + c] = pi[c]! - K * vi[c]!;
      }
    }
    // Trailing update of rows/columns k1.. (upper triangle, block row by block row) by GEMM.
    const k1 = k0 + NB;
    Q.set(P.subarray(offWr, K4 * n), 0);
    Q.set(P.subarray(0, offWr), offWr);
    Pi.set(P.subarray(offVi, offWr), 0);
    Pi.set(P.subarray(offWi, K4 * n), offWr);
    for (let q = 0; q < NB * n; q++) {
      Pi[offVi + q] = -P[q]!;
      Pi[offWi + q] = -P[offWr + q]!;
    }
    for (let i0 = k1; i0 < n; i0 += BS) {
      const ib = Math.min(BS, n - i0);
      const cols = n - i0;
      const cOff = i0 * n + i0;
      gemm(true, false, ib, cols, K4, -1, P.subarray(i0), n, Q.subarray(i0), n, 1, ar.subarray(cOff), n);
      gemm(true, false, ib, cols, K4, -1, Pi.subarray(i0), n, Q.subarray(i0), n, 1, ai.subarray(cOff), n);
    }
  }
  return k0;
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

/**
 * Step k's Householder reflector H = I - beta v v^H (Golub & Van Loan 5.1.2, complex form), from
 * row k of the upper triangle, whose entries j > k are conj(A[j, k]): x = A[k+1:, k]. Sets d[k] and
 * e[k] = ||x|| (the sub-diagonal after the reflection; its phase is removed later), writes v
 * (zero up to k, v[k+1] = u (|x0| + mu), v[j] = x_j beyond) and returns beta, or undefined when
 * x is already reduced (nothing beyond x0).
 */
function householder(
  n: number,
  ar: Float64Array,
  ai: Float64Array,
  row: number,
  k: number,
  vr: Float64Array,
  vi: Float64Array,
  d: Float64Array,
  e: Float64Array,
): number | undefined {
  d[k] = ar[row + k]!;
  let sigma = 0;
  for (let j = k + 2; j < n; j++) sigma += ar[row + j]! * ar[row + j]! + ai[row + j]! * ai[row + j]!;
  const x0r = ar[row + k + 1]!;
  const x0i = -ai[row + k + 1]!;
  const a0 = Math.hypot(x0r, x0i);
  if (sigma === 0) {
    e[k] = a0; // already reduced: only the phase of x0 remains, removed with the others
    return undefined;
  }
  const mu = Math.sqrt(a0 * a0 + sigma);
  e[k] = mu;
  const ur = a0 === 0 ? 1 : x0r / a0;
  const ui = a0 === 0 ? 0 : x0i / a0;
  vr.fill(0, 0, k + 1);
  vi.fill(0, 0, k + 1);
  vr[k + 1] = ur * (a0 + mu);
  vi[k + 1] = ui * (a0 + mu);
  for (let j = k + 2; j < n; j++) {
    vr[j] = ar[row + j]!;
    vi[j] = -ai[row + j]!;
  }
  return 1 / (mu * (mu + a0));
}
