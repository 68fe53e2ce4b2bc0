/**
 * Packing (BLIS frame/3/bli_l3_packab.c): copy a block of op(A) or op(B) from the caller's
 * row-major arrays into the kernel's workspace in micro-panel order, zero-padding the last panel
 * to a whole MR rows / NR columns. alpha is folded into A here.
 */

/**
 * Pack op(A)[i0 .. i0+mc, p0 .. p0+kc] into MR-row micro-panels at w[off]. op(A) = A (element
 * (i, p) at a[i*lda + p]) or A^T (element (i, p) at a[p*lda + i]).
 */
export function packA(
  transA: boolean, a: Float64Array, lda: number, i0: number, p0: number, mc: number, kc: number,
  alpha: number, mr: number, w: Float64Array, off: number,
): void {
  for (let ir = 0; ir < mc; ir += mr) {
    const dst = off + ir * kc;
    const rows = Math.min(mr, mc - ir);
    if (rows < mr) w.fill(0, dst, dst + mr * kc);
    if (!transA) {
      for (let ii = 0; ii < rows; ii++) {
        const src = (i0 + ir + ii) * lda + p0;
        for (let p = 0; p < kc; p++) w[dst + p * mr + ii] = alpha * a[src + p]!;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const src = (p0 + p) * lda + i0 + ir;
        const d = dst + p * mr;
        for (let ii = 0; ii < rows; ii++) w[d + ii] = alpha * a[src + ii]!;
      }
    }
  }
}

/**
 * Pack op(B)[p0 .. p0+kc, j0 .. j0+nc] into NR-column micro-panels at w[off]. op(B) = B (element
 * (p, j) at b[p*ldb + j]) or B^T (element (p, j) at b[j*ldb + p]).
 */
export function packB(
  transB: boolean, b: Float64Array, ldb: number, p0: number, j0: number, kc: number, nc: number,
  nr: number, w: Float64Array, off: number,
): void {
  for (let jr = 0; jr < nc; jr += nr) {
    const dst = off + jr * kc;
    const cols = Math.min(nr, nc - jr);
    if (cols < nr) w.fill(0, dst, dst + nr * kc);
    if (!transB) {
      for (let p = 0; p < kc; p++) {
        const src = (p0 + p) * ldb + j0 + jr;
        const d = dst + p * nr;
        for (let jj = 0; jj < cols; jj++) w[d + jj] = b[src + jj]!;
      }
    } else {
      for (let jj = 0; jj < cols; jj++) {
        const src = (j0 + jr + jj) * ldb + p0;
        for (let p = 0; p < kc; p++) w[dst + p * nr + jj] = b[src + p]!;
      }
    }
  }
}
