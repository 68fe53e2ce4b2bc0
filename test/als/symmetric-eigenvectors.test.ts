/** topEigenvectors (src/als/symmetric-eigenvectors.ts) against ml-matrix's eigendecomposition. */
import { EigenvalueDecomposition, Matrix, QrDecomposition } from "ml-matrix";
import { describe, expect, it } from "vitest";
import { topEigenvectors } from "../../src/als/symmetric-eigenvectors.js";
import { Rng } from "../../src/random.js";

/** A = U diag(d) U^T with a random orthogonal U (from a QR of a Gaussian matrix) and the given spectrum. */
function psd(n: number, d: (i: number) => number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const G = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) G.set(i, j, rng.normal());
  const U = new QrDecomposition(G).orthogonalMatrix;
  const D = Matrix.diag(Array.from({ length: n }, (_, i) => d(i)));
  return Float64Array.from(U.mmul(D).mmul(U.transpose()).to1DArray());
}

/** Largest principal angle's sine between the row spaces of X (r x n) and Y (r x n), both orthonormal. */
function subspaceGap(X: Float64Array, Y: Float64Array, r: number, n: number): number {
  const x = new Matrix(r, n);
  const y = new Matrix(r, n);
  for (let i = 0; i < r; i++) for (let j = 0; j < n; j++) {
    x.set(i, j, X[i * n + j]!);
    y.set(i, j, Y[i * n + j]!);
  }
  // ||(I - Y^T Y) X^T||_2 <= ||.||_F
  const proj = x.transpose().sub(y.transpose().mmul(y.mmul(x.transpose())));
  return proj.norm("frobenius");
}

describe("topEigenvectors", () => {
  for (const [n, r] of [[40, 10], [200, 20], [300, 60]] as const) {
    it(`spans the dominant subspace for n = ${n}, r = ${r} (${n <= 128 ? "Jacobi" : "subspace iteration"})`, () => {
      const A = psd(n, (i) => Math.pow(0.9, i), n);
      const got = topEigenvectors(n, A, r);
      const e = new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, i) => Array.from(A.subarray(i * n, (i + 1) * n)))));
      const order = e.realEigenvalues.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
      const V = e.eigenvectorMatrix;
      const want = new Float64Array(r * n);
      for (let k = 0; k < r; k++) for (let i = 0; i < n; i++) want[k * n + i] = V.get(i, order[k]![1]);
      // Rows orthonormal.
      for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += got[a * n + i]! * got[b * n + i]!;
        expect(Math.abs(dot - (a === b ? 1 : 0))).toBeLessThan(1e-9);
      }
      expect(subspaceGap(got, want, r, n)).toBeLessThan(1e-6);
    });
  }
});
