/**
 * The linear-algebra back-end contract (tfjs-style: each op validates nothing and dispatches;
 * each back-end implements the same-named kernel). Every matrix is a row-major Float64Array with
 * a leading dimension, exactly as the public ops in src/linalg/*.ts document them:
 *
 * - gemm:        C (m x n) := alpha op(A) op(B) + beta C; beta = 0: C is not read.
 * - syrkLower:   lower triangle of C (n x n) := alpha op(A) op(A)^T + beta C, op(A) = A (n x k) or
 *                A^T (A k x n); the strict upper triangle of C is neither read nor written.
 * - cholesky:    A = L L^T in place on the lower triangle (strict upper triangle untouched);
 *                returns the first column whose pivot is not positive, or -1.
 * - trsm*:       triangular solves with L lower (strict upper triangle never read):
 *                LowerLeft B := L^{-1} B, LowerTransLeft B := L^{-T} B (B n x nrhs),
 *                LowerTransRight B := B L^{-T} (B m x n).
 * - symmetricEigenvalues: eigenvalues, ascending, of real symmetric A (n x n, both triangles);
 *                A is destroyed.
 * - hermitianEigenvalues: eigenvalues, ascending, of Hermitian H = re + i im (n x n), reading only
 *                the upper triangle (j >= i) of re and im; im null means H is real. Both destroyed.
 *
 * Determinism: the same back-end with the same thread count gives bitwise-identical results for
 * the same input; the portable ("wasm") back-end is identical for any thread count.
 */
export type BackendName = "wasm" | "openblas";

export interface LinalgBackend {
  readonly name: BackendName;
  /** What runs underneath, for the report (e.g. "wasm-simd-4x4", "OpenBLAS 0.3.21 Haswell, /usr/lib/.../libopenblas.so.0"). */
  readonly detail: string;
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float64Array, lda: number, b: Float64Array, ldb: number, beta: number, c: Float64Array, ldc: number,
  ): void;
  syrkLower(trans: boolean, n: number, k: number, alpha: number, a: Float64Array, lda: number, beta: number, c: Float64Array, ldc: number): void;
  cholesky(n: number, a: Float64Array, lda: number): number;
  trsmLowerLeft(n: number, nrhs: number, l: Float64Array, ldl: number, b: Float64Array, ldb: number): void;
  trsmLowerTransLeft(n: number, nrhs: number, l: Float64Array, ldl: number, b: Float64Array, ldb: number): void;
  trsmLowerTransRight(m: number, n: number, l: Float64Array, ldl: number, b: Float64Array, ldb: number): void;
  symmetricEigenvalues(n: number, a: Float64Array): Float64Array;
  hermitianEigenvalues(n: number, re: Float64Array, im: Float64Array | null): Float64Array;
  /** Threads the back-end's own library uses (the portable back-end threads through src/linalg/threads). */
  setThreads(threads: number): void;
  /** The thread count it runs with now. */
  threads(): number;
}
