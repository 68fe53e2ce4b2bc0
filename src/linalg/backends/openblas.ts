import type { LinalgBackend } from "./contract.js";
import { CBLAS, type OpenBlasLibrary } from "./openblas-library.js";

/**
 * The OpenBLAS back-end: the contract's row-major ops mapped onto CBLAS (row-major natively) and
 * LAPACK's column-major Fortran routines. A row-major (n x n) array read column-major is its
 * transpose, so:
 *  - Cholesky: the row-major lower triangle is the column-major upper one, and A = L L^T there is
 *    A = U^T U with U = L^T: dpotrf('U'). It touches only that triangle (the row-major strict upper
 *    triangle stays as it was), and INFO = j > 0 names the leading minor of order j, so the failing
 *    column is j - 1;
 *  - symmetric eigenvalues: A^T = A, dsyevd('N', 'L') (tridiagonal reduction, then the root-free QR
 *    of dsterf; values only);
 *  - Hermitian eigenvalues: the row-major upper triangle is the column-major lower triangle of
 *    H^T = conj(H), which has H's (real) eigenvalues: zheevd('N', 'L') on re, im interleaved.
 * Workspace sizes come from LAPACK's own query (lwork = -1).
 */
export function createOpenBlasBackend(lib: OpenBlasLibrary): LinalgBackend {
  const { rowMajor, noTrans, trans, lower, nonUnit, left, right } = CBLAS;
  const int = (x: number): Int32Array => Int32Array.of(x);
  const ld = (x: number): number => Math.max(1, x);
  function symmetricEigenvalues(n: number, a: Float64Array): Float64Array {
    const w = new Float64Array(n);
    if (n === 0) return w;
    const info = int(0);
    const query = new Float64Array(1), iquery = int(0);
    lib.dsyevd("N", "L", int(n), a, int(n), w, query, int(-1), iquery, int(-1), info, 1, 1);
    const lwork = Math.max(1, Math.ceil(query[0]!)), liwork = Math.max(1, iquery[0]!);
    lib.dsyevd("N", "L", int(n), a, int(n), w, new Float64Array(lwork), int(lwork), new Int32Array(liwork), int(liwork), info, 1, 1);
    if (info[0] !== 0) throw new Error(`dsyevd failed (INFO = ${info[0]})`);
    return w;
  }
  return {
    name: "openblas",
    detail: `${lib.config.replace(/\s+/g, " ").trim()}, core ${lib.corename}, ${lib.path}`,
    gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      if (m <= 0 || n <= 0) return;
      if (alpha === 0 || k <= 0) {
        // BLAS's contract: C := beta C without reading A or B (beta = 0 writes zeros, even over NaN).
        // Done here because OpenBLAS 0.3.21's SkylakeX dgemm kernel multiplies anyway (0 * NaN in C).
        for (let i = 0; i < m; i++) {
          const row = i * ldc;
          for (let j = 0; j < n; j++) c[row + j] = beta === 0 ? 0 : beta * c[row + j]!;
        }
        return;
      }
      lib.dgemm(rowMajor, ta ? trans : noTrans, tb ? trans : noTrans, m, n, Math.max(k, 0), alpha, a, ld(lda), b, ld(ldb), beta, c, ld(ldc));
    },
    syrkLower(tr, n, k, alpha, a, lda, beta, c, ldc) {
      if (n <= 0) return;
      lib.dsyrk(rowMajor, lower, tr ? trans : noTrans, n, Math.max(k, 0), alpha, a, ld(lda), beta, c, ld(ldc));
    },
    cholesky(n, a, lda) {
      if (n <= 0) return -1;
      const info = int(0);
      lib.dpotrf("U", int(n), a, int(ld(lda)), info, 1);
      if (info[0]! < 0) throw new Error(`dpotrf: argument ${-info[0]!} had an illegal value`);
      return info[0]! > 0 ? info[0]! - 1 : -1;
    },
    trsmLowerLeft(n, nrhs, l, ldl, b, ldb) {
      if (n <= 0 || nrhs <= 0) return;
      lib.dtrsm(rowMajor, left, lower, noTrans, nonUnit, n, nrhs, 1, l, ld(ldl), b, ld(ldb));
    },
    trsmLowerTransLeft(n, nrhs, l, ldl, b, ldb) {
      if (n <= 0 || nrhs <= 0) return;
      lib.dtrsm(rowMajor, left, lower, trans, nonUnit, n, nrhs, 1, l, ld(ldl), b, ld(ldb));
    },
    trsmLowerTransRight(m, n, l, ldl, b, ldb) {
      if (m <= 0 || n <= 0) return;
      lib.dtrsm(rowMajor, right, lower, trans, nonUnit, m, n, 1, l, ld(ldl), b, ld(ldb));
    },
    symmetricEigenvalues,
    hermitianEigenvalues(n, re, im) {
      if (im === null) return symmetricEigenvalues(n, re);
      const w = new Float64Array(n);
      if (n === 0) return w;
      // Interleaved (re, im) pairs; only the upper triangle is defined, and the diagonal is real.
      const z = new Float64Array(2 * n * n);
      for (let i = 0; i < n; i++) {
        z[2 * (i * n + i)] = re[i * n + i]!;
        for (let j = i + 1; j < n; j++) {
          z[2 * (i * n + j)] = re[i * n + j]!;
          z[2 * (i * n + j) + 1] = im[i * n + j]!;
        }
      }
      const info = int(0);
      const query = new Float64Array(2), rquery = new Float64Array(1), iquery = int(0);
      lib.zheevd("N", "L", int(n), z, int(n), w, query, int(-1), rquery, int(-1), iquery, int(-1), info, 1, 1);
      const lwork = Math.max(1, Math.ceil(query[0]!)), lrwork = Math.max(1, Math.ceil(rquery[0]!)), liwork = Math.max(1, iquery[0]!);
      lib.zheevd("N", "L", int(n), z, int(n), w, new Float64Array(2 * lwork), int(lwork), new Float64Array(lrwork), int(lrwork),
        new Int32Array(liwork), int(liwork), info, 1, 1);
      if (info[0] !== 0) throw new Error(`zheevd failed (INFO = ${info[0]})`);
      return w;
    },
    setThreads(threads) {
      lib.setNumThreads(threads);
    },
    threads: () => lib.getNumThreads(),
  };
}
