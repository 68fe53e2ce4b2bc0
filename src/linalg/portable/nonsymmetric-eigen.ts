import { hessenbergReduce } from "./hessenberg.js";
import { realSchur } from "./real-schur.js";
import { schurEigenvectors } from "./schur-eigenvectors.js";

/**
 * Eigenvalues, and optionally eigenvectors, of a real nonsymmetric matrix (Golub & Van Loan,
 * chapter 7): Householder reduction to Hessenberg form (hessenberg.ts), the Francis double-shift
 * QR iteration to real Schur form (real-schur.ts), then back-substitution on the quasi-triangular
 * factor (schur-eigenvectors.ts). No balancing. A (n x n, row-major) is destroyed.
 *
 * Eigenvalue j is re[j] + i im[j]; complex eigenvalues come in adjacent conjugate pairs with
 * im[j] > 0 first. vectors (when asked for) is n x n row-major in EISPACK's real storage: a real
 * eigenvalue's column is its unit eigenvector; for a pair (j, j+1), V[:, j] + i V[:, j+1] is the
 * unit eigenvector of re[j] + i im[j], and its conjugate that of eigenvalue j+1.
 * Non-convergence (maxIterations without a deflation) is a typed E_NUMERIC error.
 * About 10 n^3 flops without vectors and 25 n^3 with them.
 */
export interface NonsymmetricEigen {
  readonly n: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
  readonly vectors: Float64Array | null;
}

export interface NonsymmetricEigenOptions {
  readonly vectors?: boolean;
  /** QR iterations allowed without a deflation (default 30 max(10, n)). */
  readonly maxIterations?: number;
}

export function nonsymmetricEigen(n: number, a: Float64Array, options: NonsymmetricEigenOptions = {}): NonsymmetricEigen {
  const q = hessenbergReduce(n, a);
  const schur = realSchur(n, a, q, options.maxIterations);
  const vectors = options.vectors === true ? schurEigenvectors(n, a, q, schur.re, schur.im, schur.norm) : null;
  return { n, re: schur.re, im: schur.im, vectors };
}

export function nonsymmetricEigenFlops(n: number, vectors: boolean): number {
  return (vectors ? 25 : 10) * n * n * n;
}
