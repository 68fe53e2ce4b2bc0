/**
 * Reduction of a real square matrix to upper Hessenberg form by Householder similarity
 * transformations (Golub & Van Loan, Algorithm 7.4.2; EISPACK orthes + ortran):
 *   A = Q H Q^T,  H[i][j] = 0 for i > j + 1,  Q orthogonal.
 * Step m (1 <= m <= n - 2) takes x = A[m:, m - 1] scaled by its 1-norm s (so that squares cannot
 * overflow), the reflector P_m = I - u u^T / h with u = x / s - g e_m, g = -sign(x_m) ||x / s||,
 * h = u^T u / 2, and applies it from both sides: P_m x = g s e_m. Q = P_1 P_2 ... P_{n-2} is then
 * accumulated backwards from the stored vectors (s u: u_m in `ort`, the rest still in A[m+1:, m-1]).
 * A (n x n, row-major) is overwritten by H (entries below the subdiagonal set to 0); Q is returned,
 * row-major. About (10/3) n^3 flops for H and (4/3) n^3 for Q.
 */
export function hessenbergReduce(n: number, a: Float64Array): Float64Array {
  const ort = new Float64Array(n);
  for (let m = 1; m <= n - 2; m++) {
    let scale = 0;
    for (let i = m; i < n; i++) scale += Math.abs(a[i * n + m - 1]!);
    if (scale === 0) continue;
    let h = 0;
    for (let i = n - 1; i >= m; i--) {
      ort[i] = a[i * n + m - 1]! / scale;
      h += ort[i]! * ort[i]!;
    }
    let g = Math.sqrt(h);
    if (ort[m]! > 0) g = -g;
    h -= ort[m]! * g;
    ort[m]! -= g;
    // A <- P A: every column j >= m loses (u^T A[:, j] / h) u.
    for (let j = m; j < n; j++) {
      let f = 0;
      for (let i = n - 1; i >= m; i--) f += ort[i]! * a[i * n + j]!;
      f /= h;
      for (let i = m; i < n; i++) a[i * n + j]! -= f * ort[i]!;
    }
    // A <- A P: every row loses (A[i, :] u / h) u^T.
    for (let i = 0; i < n; i++) {
      let f = 0;
      for (let j = n - 1; j >= m; j--) f += ort[j]! * a[i * n + j]!;
      f /= h;
      for (let j = m; j < n; j++) a[i * n + j]! -= f * ort[j]!;
    }
    ort[m] = scale * ort[m]!;
    a[m * n + m - 1] = scale * g;
  }
  // Q = P_1 ... P_{n-2}, applied to I from the last reflector back: with w = s u,
  // P = I - w w^T / (s^2 h) = I + w w^T / (w_m (s g)), and s g is the stored subdiagonal entry.
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let m = n - 2; m >= 1; m--) {
    const sub = a[m * n + m - 1]!;
    if (sub === 0 || ort[m] === 0) continue;
    for (let i = m + 1; i < n; i++) ort[i] = a[i * n + m - 1]!;
    for (let j = m; j < n; j++) {
      let g = 0;
      for (let i = m; i < n; i++) g += ort[i]! * q[i * n + j]!;
      g = g / ort[m]! / sub; // two divisions: the product could underflow
      for (let i = m; i < n; i++) q[i * n + j]! += g * ort[i]!;
    }
  }
  for (let j = 0; j < n; j++) for (let i = j + 2; i < n; i++) a[i * n + j] = 0;
  return q;
}
