import { backend } from "./backends/registry.js";

export { invertLower, trsmFlops } from "./portable/trsm.js";

/**
 * Triangular solves with many right-hand sides, row-major, on the active back-end
 * (portable/trsm.ts, or CBLAS dtrsm). L is lower triangular (leading dimension ldl; its strict
 * upper triangle is never read). Flops: n^2 nrhs for the left solves, m n^2 for the right one.
 */

/** B := L^{-1} B (forward substitution); B is (n x nrhs), leading dimension ldb. */
export function trsmLowerLeft(n: number, nrhs: number, l: Float64Array, ldl: number, b: Float64Array, ldb: number): void {
  backend().trsmLowerLeft(n, nrhs, l, ldl, b, ldb);
}

/** B := L^{-T} B (back substitution with the transpose); B is (n x nrhs). */
export function trsmLowerTransLeft(n: number, nrhs: number, l: Float64Array, ldl: number, b: Float64Array, ldb: number): void {
  backend().trsmLowerTransLeft(n, nrhs, l, ldl, b, ldb);
}

/** B := B L^{-T}, i.e. solve X L^T = B; B is (m x n), leading dimension ldb (Cholesky's panel solve). */
export function trsmLowerTransRight(m: number, n: number, l: Float64Array, ldl: number, b: Float64Array, ldb: number): void {
  backend().trsmLowerTransRight(m, n, l, ldl, b, ldb);
}
