/** LU with partial pivoting (src/linalg/portable/lu.ts): residuals of A X = B, and singular input as data. */
import { describe, expect, it } from "vitest";
import { luFactor, luSolve } from "../../src/linalg/portable/lu.js";
import { TestRng } from "../helpers/random.js";

describe("LU with partial pivoting", () => {
  it("solves random systems (n = 1..60, 3 right-hand sides) to a backward error near rounding", () => {
    for (const n of [1, 2, 3, 7, 20, 60]) {
      const rng = new TestRng(n);
      const A = rng.normals(n * n);
      const B = rng.normals(n * 3);
      const f = luFactor(n, A.slice());
      expect(f.ok).toBe(true);
      const X = luSolve(f, B, 3);
      let r = 0;
      let scale = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 3; j++) {
          let s = -B[i * 3 + j]!;
          for (let k = 0; k < n; k++) s += A[i * n + k]! * X[k * 3 + j]!;
          r = Math.max(r, Math.abs(s));
        }
      }
      for (const a of A) scale = Math.max(scale, Math.abs(a));
      let xs = 0;
      for (const x of X) xs = Math.max(xs, Math.abs(x));
      expect(r / (scale * xs * n)).toBeLessThan(1e-14);
    }
  });

  it("needs the pivoting: [[0, 1], [1, 0]] x = [2, 3] gives x = [3, 2]", () => {
    const f = luFactor(2, Float64Array.from([0, 1, 1, 0]));
    expect(Array.from(luSolve(f, Float64Array.from([2, 3]), 1))).toEqual([3, 2]);
  });

  it("a singular matrix is reported (ok false, pivot ratio 0), not divided by", () => {
    const f = luFactor(3, Float64Array.from([1, 2, 3, 2, 4, 6, 1, 0, 1]));
    expect(f.ok).toBe(false);
    expect(f.pivotRatio).toBe(0);
  });
});
