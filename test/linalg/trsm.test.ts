import { expect, it } from "vitest";
import { cholesky } from "../../src/linalg/cholesky.js";
import { gram } from "../../src/linalg/gram.js";
import { solveSpd } from "../../src/linalg/spd-solve.js";
import { syrkLower } from "../../src/linalg/syrk.js";
import { trsmLowerLeft, trsmLowerTransLeft, trsmLowerTransRight } from "../../src/linalg/trsm.js";
import { describeEachBackend, naiveGemm, randomArray, relDiff, spdMatrix } from "./helpers.js";

/** A Cholesky factor with garbage (NaN) in its strict upper triangle, which must never be read. */
function factor(n: number, ld: number, seed: number): Float64Array {
  const l = spdMatrix(n, seed, ld);
  cholesky(n, l, ld);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) l[i * ld + j] = NaN;
  return l;
}

/** Dense copy of the lower triangle (zeros above), for the naive oracle. */
function lowerDense(n: number, l: Float64Array, ld: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) out[i * n + j] = l[i * ld + j]!;
  return out;
}

describeEachBackend("triangular solves", () => {
  it.each([[1, 1], [7, 3], [33, 40], [100, 1], [257, 9]])("when n=%i nrhs=%i then L X = B, L^T X = B and X L^T = B hold", (n, nrhs) => {
    const ld = n + 2, ldb = nrhs + 1;
    const l = factor(n, ld, n + 50);
    const dense = lowerDense(n, l, ld);
    const b = randomArray(n * ldb, 51);

    const x = b.slice();
    trsmLowerLeft(n, nrhs, l, ld, x, ldb);
    const lx = new Float64Array(n * ldb);
    naiveGemm(false, false, n, nrhs, n, 1, dense, n, x, ldb, 0, lx, ldb);
    expect(relDiff(n, nrhs, lx, ldb, b, ldb)).toBeLessThan(1e-12);

    const y = b.slice();
    trsmLowerTransLeft(n, nrhs, l, ld, y, ldb);
    const lty = new Float64Array(n * ldb);
    naiveGemm(true, false, n, nrhs, n, 1, dense, n, y, ldb, 0, lty, ldb);
    expect(relDiff(n, nrhs, lty, ldb, b, ldb)).toBeLessThan(1e-12);

    const m = nrhs; // right solve: B is (m x n)
    const br = randomArray(m * ld, 52);
    const z = br.slice();
    trsmLowerTransRight(m, n, l, ld, z, ld);
    const zlt = new Float64Array(m * ld);
    naiveGemm(false, true, m, n, n, 1, z, ld, dense, n, 0, zlt, ld);
    expect(relDiff(m, n, zlt, ld, br, ld)).toBeLessThan(1e-12);
  });
});

describeEachBackend("solveSpd", () => {
  it.each([1, 33, 257])("when A (n=%i) is SPD then A X = B to rounding", (n) => {
    const a = spdMatrix(n, 60 + n);
    const b = randomArray(n * 4, 61);
    const f = a.slice(), x = b.slice();
    expect(solveSpd(n, f, 4, x).ok).toBe(true);
    const ax = new Float64Array(n * 4);
    naiveGemm(false, false, n, 4, n, 1, a, n, x, 4, 0, ax, 4);
    expect(relDiff(n, 4, ax, 4, b, 4)).toBeLessThan(1e-12);
  });
  it("when A is not SPD then it reports where the factorisation failed", () => {
    const a = spdMatrix(10, 62);
    a[3 * 10 + 3] = -100;
    expect(solveSpd(10, a, 1, new Float64Array(10))).toEqual({ ok: false, failedAt: 3 });
  });
});

describeEachBackend("gram and syrk", () => {
  it.each([[1, 1], [7, 33], [100, 7], [33, 257], [257, 100]])("when A is %i x %i then gram = A^T A, exactly symmetric", (rows, n) => {
    const lda = n + 1, ldc = n + 3;
    const a = randomArray(rows * lda, 70);
    const c = new Float64Array(n * ldc).fill(NaN);
    gram(rows, n, a, lda, c, ldc);
    const want = new Float64Array(n * ldc);
    naiveGemm(true, false, n, n, rows, 1, a, lda, a, lda, 0, want, ldc);
    expect(relDiff(n, n, c, ldc, want, ldc)).toBeLessThan(1e-13);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(c[i * ldc + j]).toBe(c[j * ldc + i]);
  });
  it("when rows is 0 then the Gram matrix is zero", () => {
    const c = new Float64Array(9).fill(NaN);
    gram(0, 3, new Float64Array(0), 3, c, 3);
    expect([...c]).toEqual(new Array(9).fill(0));
  });
  it("when syrkLower updates C := C - A A^T then the strict upper triangle is untouched", () => {
    const n = 300, k = 20;
    const a = randomArray(n * k, 71);
    const c = randomArray(n * n, 72);
    const want = c.slice();
    naiveGemm(false, true, n, n, k, -1, a, k, a, k, 1, want, n);
    const got = c.slice();
    syrkLower(false, n, k, -1, a, k, 1, got, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (j > i) expect(got[i * n + j]).toBe(c[i * n + j]);
        else expect(Math.abs(got[i * n + j]! - want[i * n + j]!)).toBeLessThan(1e-13);
      }
    }
  });
});
