import { Matrix } from "ml-matrix";
import { expect, it } from "vitest";
import { gemm, gemmFlops } from "../../src/linalg/gemm.js";
import { describeEachBackend, naiveGemm, randomArray, relDiff } from "./helpers.js";

// Odd sizes straddle the 4x4 tile, the mc = 128 block and the kc = 256 depth.
const sizes = [1, 7, 33, 100, 257];

describeEachBackend("gemm against the naive triple loop", () => {
  const cases: [number, number, number, boolean, boolean][] = [];
  for (const s of sizes) cases.push([s, s, s, false, false]);
  cases.push([7, 33, 100, false, true], [33, 7, 257, true, false], [100, 257, 7, true, true], [257, 1, 33, false, false], [1, 100, 257, true, true]);
  it.each(cases)("when m=%i n=%i k=%i transA=%s transB=%s then C matches to 1e-13", (m, n, k, ta, tb) => {
    const pad = 3; // leading dimensions larger than the rows they hold
    const lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
    const a = randomArray((ta ? k : m) * lda, 1);
    const b = randomArray((tb ? n : k) * ldb, 2);
    const c = randomArray(m * ldc, 3);
    const want = c.slice();
    naiveGemm(ta, tb, m, n, k, 0.75, a, lda, b, ldb, -1.5, want, ldc);
    gemm(ta, tb, m, n, k, 0.75, a, lda, b, ldb, -1.5, c, ldc);
    expect(relDiff(m, n, c, ldc, want, ldc)).toBeLessThan(1e-13);
    // the padding between rows is never written
    for (let i = 0; i < m; i++) for (let j = n; j < ldc; j++) expect(c[i * ldc + j]).toBe(want[i * ldc + j]);
  });
});

describeEachBackend("gemm edge cases", () => {
  it("when beta is 0 then NaN already in C does not propagate", () => {
    const a = randomArray(33 * 33, 4), b = randomArray(33 * 33, 5);
    const c = new Float64Array(33 * 33).fill(NaN);
    gemm(false, false, 33, 33, 33, 1, a, 33, b, 33, 0, c, 33);
    expect(c.every((v) => Number.isFinite(v))).toBe(true);
  });
  it("when k is 0 then C := beta C (and beta 0 clears NaN)", () => {
    const c = randomArray(7 * 9, 6), want = c.map((v) => 2 * v);
    gemm(false, false, 7, 9, 0, 1, new Float64Array(0), 1, new Float64Array(0), 9, 2, c, 9);
    expect(c).toEqual(want);
    const d = new Float64Array(12).fill(NaN);
    gemm(true, true, 3, 4, 0, 1, new Float64Array(0), 3, new Float64Array(0), 1, 0, d, 4);
    expect([...d]).toEqual(new Array(12).fill(0));
  });
  it("when alpha is 0 then A and B are not used", () => {
    const a = new Float64Array(16).fill(NaN);
    const c = new Float64Array(16).fill(1);
    gemm(false, false, 4, 4, 4, 0, a, 4, a, 4, 3, c, 4);
    expect([...c]).toEqual(new Array(16).fill(3));
  });
  it("when m or n is 0 then nothing happens", () => {
    const c = new Float64Array([5]);
    gemm(false, false, 0, 1, 3, 1, new Float64Array(3), 3, new Float64Array(3), 1, 0, c, 1);
    gemm(false, false, 1, 0, 3, 1, new Float64Array(3), 3, new Float64Array(3), 1, 0, c, 1);
    expect(c[0]).toBe(5);
  });
  it("counts 2 m n k flops", () => expect(gemmFlops(2, 3, 4)).toBe(48));
});

describeEachBackend("gemm against ml-matrix", () => {
  it("when multiplying 257 x 100 by 100 x 33 then it matches Matrix.mmul", () => {
    const a = randomArray(257 * 100, 7), b = randomArray(100 * 33, 8);
    const A = new Matrix(257, 100), B = new Matrix(100, 33);
    for (let i = 0; i < 257; i++) for (let j = 0; j < 100; j++) A.set(i, j, a[i * 100 + j]!);
    for (let i = 0; i < 100; i++) for (let j = 0; j < 33; j++) B.set(i, j, b[i * 33 + j]!);
    const want = Float64Array.from(A.mmul(B).to1DArray());
    const c = new Float64Array(257 * 33);
    gemm(false, false, 257, 33, 100, 1, a, 100, b, 33, 0, c, 33);
    expect(relDiff(257, 33, c, 33, want, 33)).toBeLessThan(1e-13);
  });
  it("when checking a 600 x 600 product by its action C t = A (B t) then the residual is at rounding", () => {
    // BLIS-style residual check: cheap for sizes where the naive oracle is slow.
    const n = 600;
    const a = randomArray(n * n, 9), b = randomArray(n * n, 10), t = randomArray(n, 11);
    const c = new Float64Array(n * n);
    gemm(false, true, n, n, n, 1, a, n, b, n, 0, c, n);
    const bt = new Float64Array(n), abt = new Float64Array(n), ct = new Float64Array(n);
    gemm(true, false, n, 1, n, 1, b, n, t, 1, 0, bt, 1);
    gemm(false, false, n, 1, n, 1, a, n, bt, 1, 0, abt, 1);
    gemm(false, false, n, 1, n, 1, c, n, t, 1, 0, ct, 1);
    expect(relDiff(n, 1, ct, 1, abt, 1)).toBeLessThan(1e-12);
  });
});
