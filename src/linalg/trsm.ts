/**
 * Triangular solves with many right-hand sides, B (n x nrhs) row-major with leading dimension ldb,
 * overwritten by the solution. L is lower triangular (n x n, leading dimension ldl).
 */

/** B := L^{-1} B (forward substitution). */
export function trsmLowerLeft(n: number, nrhs: number, l: Float64Array, ldl: number, b: Float64Array, ldb: number): void {
  for (let i = 0; i < n; i++) {
    const bi = i * ldb;
    const li = i * ldl;
    for (let p = 0; p < i; p++) {
      const lip = l[li + p]!;
      if (lip === 0) continue;
      const bp = p * ldb;
      for (let j = 0; j < nrhs; j++) b[bi + j]! -= lip * b[bp + j]!;
    }
    const inv = 1 / l[li + i]!;
    for (let j = 0; j < nrhs; j++) b[bi + j]! *= inv;
  }
}

/** B := L^{-T} B (back substitution with the transpose). */
export function trsmLowerTransLeft(n: number, nrhs: number, l: Float64Array, ldl: number, b: Float64Array, ldb: number): void {
  for (let i = n - 1; i >= 0; i--) {
    const bi = i * ldb;
    const inv = 1 / l[i * ldl + i]!;
    for (let j = 0; j < nrhs; j++) b[bi + j]! *= inv;
    for (let p = 0; p < i; p++) {
      const lip = l[i * ldl + p]!;
      if (lip === 0) continue;
      const bp = p * ldb;
      for (let j = 0; j < nrhs; j++) b[bp + j]! -= lip * b[bi + j]!;
    }
  }
}

export function trsmFlops(n: number, nrhs: number): number {
  return n * n * nrhs;
}
