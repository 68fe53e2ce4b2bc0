/**
 * LU factorisation with partial (row) pivoting, P A = L U (Golub & Van Loan, Algorithm 3.4.1), and
 * the solve of A X = B from it. A (n x n, row-major) is overwritten by L (unit lower, below the
 * diagonal) and U (upper). A zero pivot column is a numerical outcome, not an error: `ok` is false
 * and `solve` must not be called. `pivotRatio` = min |u_jj| / max |u_jj| is a cheap
 * ill-conditioning indicator (0 for a singular matrix; not a condition number).
 * About (2/3) n^3 flops, and 2 n^2 per right-hand side for the solve.
 */
export interface LuFactors {
  readonly n: number;
  readonly lu: Float64Array;
  /** Row k of U came from row perm[k] of A. */
  readonly perm: Int32Array;
  readonly ok: boolean;
  readonly pivotRatio: number;
}

export function luFactor(n: number, a: Float64Array): LuFactors {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let ok = true;
  let minPivot = Infinity;
  let maxPivot = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    let big = Math.abs(a[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]!);
      if (v > big) {
        big = v;
        p = i;
      }
    }
    minPivot = Math.min(minPivot, big);
    maxPivot = Math.max(maxPivot, big);
    if (!(big > 0)) {
      ok = false;
      continue;
    }
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j]!;
        a[k * n + j] = a[p * n + j]!;
        a[p * n + j] = t;
      }
      const t = perm[k]!;
      perm[k] = perm[p]!;
      perm[p] = t;
    }
    const pivot = a[k * n + k]!;
    for (let i = k + 1; i < n; i++) {
      const l = a[i * n + k]! / pivot;
      a[i * n + k] = l;
      if (l === 0) continue;
      for (let j = k + 1; j < n; j++) a[i * n + j]! -= l * a[k * n + j]!;
    }
  }
  const pivotRatio = n === 0 ? 1 : ok && maxPivot > 0 ? minPivot / maxPivot : 0;
  return { n, lu: a, perm, ok, pivotRatio };
}

/** X = A^-1 B for B (n x nrhs, row-major), from luFactor's result (which must be ok). */
export function luSolve(f: LuFactors, b: Float64Array, nrhs: number): Float64Array {
  const { n, lu, perm } = f;
  const x = new Float64Array(n * nrhs);
  for (let i = 0; i < n; i++) for (let j = 0; j < nrhs; j++) x[i * nrhs + j] = b[perm[i]! * nrhs + j]!;
  // L y = P b (unit lower), then U x = y.
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      const l = lu[i * n + k]!;
      if (l === 0) continue;
      for (let j = 0; j < nrhs; j++) x[i * nrhs + j]! -= l * x[k * nrhs + j]!;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const u = lu[i * n + k]!;
      if (u === 0) continue;
      for (let j = 0; j < nrhs; j++) x[i * nrhs + j]! -= u * x[k * nrhs + j]!;
    }
    const d = lu[i * n + i]!;
    for (let j = 0; j < nrhs; j++) x[i * nrhs + j]! /= d;
  }
  return x;
}
