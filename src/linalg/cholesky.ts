/**
 * Cholesky factorisation A = L L^T of a symmetric positive definite matrix, in place.
 * A is (n x n) row-major with leading dimension lda; only the lower triangle is read, and on return
 * it holds L (the strict upper triangle is left untouched). Golub & Van Loan, Algorithm 4.2.1.
 *
 * A numerical outcome is data: `ok` is false when a pivot is not positive (the matrix is not
 * numerically SPD), with `failedAt` the column where it happened.
 */
export interface CholeskyResult {
  ok: boolean;
  /** First column whose pivot was <= 0, or -1 when ok. */
  failedAt: number;
}

export function cholesky(n: number, a: Float64Array, lda: number = n): CholeskyResult {
  for (let j = 0; j < n; j++) {
    const rj = j * lda;
    let d = a[rj + j]!;
    for (let p = 0; p < j; p++) d -= a[rj + p]! * a[rj + p]!;
    if (!(d > 0)) return { ok: false, failedAt: j };
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * lda;
      let s = a[ri + j]!;
      for (let p = 0; p < j; p++) s -= a[ri + p]! * a[rj + p]!;
      a[ri + j] = s * inv;
    }
  }
  return { ok: true, failedAt: -1 };
}

export function choleskyFlops(n: number): number {
  return (n * n * n) / 3;
}
