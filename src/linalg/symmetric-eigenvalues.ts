import { backend } from "./backends/registry.js";

/**
 * Eigenvalues of a real symmetric matrix A (n x n, row-major, both triangles), ascending, without
 * eigenvectors, on the active back-end (portable/symmetric-eigenvalues.ts: Householder
 * tridiagonalisation + implicit QL; or LAPACK dsyevd). A is destroyed. About (4/3) n^3 flops.
 */
export function symmetricEigenvalues(n: number, a: Float64Array): Float64Array {
  return backend().symmetricEigenvalues(n, a);
}
