import { backend } from "./backends/registry.js";

export { hermitianEigenvaluesFlops } from "./portable/hermitian-eigenvalues.js";

/**
 * Eigenvalues, ascending, of a complex Hermitian matrix H = re + i im (n x n, row-major), without
 * eigenvectors, on the active back-end (portable/hermitian-eigenvalues.ts, or LAPACK zheevd; dsyevd
 * when im is null, H real). Only the upper triangle (j >= i) is read; both arrays are destroyed.
 */
export function hermitianEigenvalues(n: number, re: Float64Array, im: Float64Array | null): Float64Array {
  return backend().hermitianEigenvalues(n, re, im);
}
