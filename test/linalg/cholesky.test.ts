import { CholeskyDecomposition, Matrix } from "ml-matrix";
import { expect, it } from "vitest";
import { cholesky, choleskyFlops } from "../../src/linalg/cholesky.js";
import { describeEachBackend, spdMatrix } from "./helpers.js";

/** || L L^T - A ||_max / || A ||_max over the lower triangle, L read from the factored array. */
function reconstructionError(n: number, l: Float64Array, ld: number, a: Float64Array): number {
  let d = 0, s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let v = 0;
      for (let p = 0; p <= j; p++) v += l[i * ld + p]! * l[j * ld + p]!;
      d = Math.max(d, Math.abs(v - a[i * ld + j]!));
      s = Math.max(s, Math.abs(a[i * ld + j]!));
    }
  }
  return d / s;
}

describeEachBackend("cholesky", () => {
  it.each([1, 7, 33, 100, 257])("when A is SPD of size %i (lda = n + 5) then L L^T = A and the upper triangle is untouched", (n) => {
    const ld = n + 5;
    const a = spdMatrix(n, n, ld);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < ld; j++) a[i * ld + j] = 1234.5; // sentinel
    const l = a.slice();
    const res = cholesky(n, l, ld);
    expect(res).toEqual({ ok: true, failedAt: -1 });
    expect(reconstructionError(n, l, ld, a)).toBeLessThan(1e-13);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < ld; j++) expect(l[i * ld + j]).toBe(1234.5);
  });

  it("when compared with ml-matrix's CholeskyDecomposition on n = 100 then L agrees", () => {
    const n = 100;
    const a = spdMatrix(n, 41);
    const l = a.slice();
    cholesky(n, l, n);
    const M = new Matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) M.set(i, j, a[i * n + j]!);
    const L = new CholeskyDecomposition(M).lowerTriangularMatrix;
    let d = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) d = Math.max(d, Math.abs(L.get(i, j) - l[i * n + j]!));
    expect(d).toBeLessThan(1e-12);
  });

  it.each([0, 5, 47, 48, 49, 130, 299])("when the pivot of column %i is negative then ok is false and failedAt names it", (bad) => {
    // Diagonal blocks decouple, so column `bad` is the first whose pivot is <= 0, in leaf or recursion.
    const n = 300;
    const a = spdMatrix(n, 43);
    for (let j = 0; j < n; j++) {
      if (j !== bad) { a[bad * n + j] = 0; a[j * n + bad] = 0; }
    }
    a[bad * n + bad] = -1;
    expect(cholesky(n, a, n)).toEqual({ ok: false, failedAt: bad });
  });

  it("when A is singular (rank 1) then the failure is reported, not a NaN factor", () => {
    const n = 64;
    const a = new Float64Array(n * n).fill(1);
    const res = cholesky(n, a, n);
    expect(res.ok).toBe(false);
    expect(res.failedAt).toBe(1);
  });

  it("when n is 0 then it succeeds trivially", () => {
    expect(cholesky(0, new Float64Array(0), 0)).toEqual({ ok: true, failedAt: -1 });
    expect(choleskyFlops(3)).toBe(9);
  });
});
