/**
 * ridgeSolve and the scale-free shift (DESIGN.md, "The three methods"), and the residual that comes
 * free from the normal equations, ||A X - B||^2 = ||B||^2 - <X, R> - shift ||X||^2, against the
 * explicit residual. Oracle for the solve: ml-matrix's `solve` on (A^T A + shift I).
 */
import { Matrix, solve } from "ml-matrix";
import { describe, expect, it } from "vitest";
import { addScaledRidge, meanDiagonal } from "../../src/als/regularise.js";
import { ridgeSolve } from "../../src/als/ridge-solve.js";
import { crossOf, gramOf, matmul, maxAbs, maxAbsDiff, norm } from "../helpers/oracles.js";
import { TestRng } from "../helpers/random.js";

function problem(rows: number, n: number, J: number, seed: number) {
  const rng = new TestRng(seed);
  const A = rng.normals(rows * n);
  const B = rng.normals(rows * J);
  return { A, B, G: gramOf(A, rows, n), R: crossOf(A, B, rows, n, J) };
}

function residualSq(A: Float64Array, X: Float64Array, B: Float64Array, rows: number, n: number, J: number): number {
  const AX = matmul(A, X, rows, n, J);
  let s = 0;
  for (let q = 0; q < B.length; q++) s += (AX[q]! - B[q]!) ** 2;
  return s;
}

describe("ridgeSolve", () => {
  for (const lambda of [0, 1e-4, 0.3]) {
    it(`when lambda = ${lambda} then X solves (G + lambda mean(diag G) I) X = R and the free residual equals the explicit one`, () => {
      const rows = 40;
      const n = 9;
      const J = 3;
      const { A, B, G, R } = problem(rows, n, J, 17);
      const mean = meanDiagonal(n, G);
      const sol = ridgeSolve(n, G.slice(), R, J, lambda);
      expect(sol.shift).toBeCloseTo(lambda * mean, 12);
      const shifted = Matrix.from1DArray(n, n, gramOf(A, rows, n));
      for (let i = 0; i < n; i++) shifted.set(i, i, shifted.get(i, i) + lambda * mean);
      const want = solve(shifted, Matrix.from1DArray(n, J, R));
      expect(maxAbsDiff(sol.X, Float64Array.from(want.to1DArray()))).toBeLessThan(1e-10 * Math.max(1, maxAbs(sol.X)));
      const bNormSq = norm(B) ** 2;
      const free = bNormSq - sol.xDotR - sol.shift * sol.xNormSq;
      expect(free).toBeCloseTo(residualSq(A, sol.X, B, rows, n, J), 9);
      expect(sol.xNormSq).toBeCloseTo(norm(sol.X) ** 2, 10);
    });
  }

  it("leaves R intact", () => {
    const { G, R } = problem(20, 5, 2, 3);
    const copy = R.slice();
    ridgeSolve(5, G, R, 2, 1e-4);
    expect(R).toEqual(copy);
  });

  it("when G is rank deficient and lambda = 0 then it raises the shift until it factors, and the result is still a least-squares minimiser", () => {
    // Two identical columns: G singular.
    const rows = 12;
    const rng = new TestRng(4);
    const base = rng.normals(rows * 2);
    const A = new Float64Array(rows * 3);
    for (let r = 0; r < rows; r++) {
      A[r * 3] = base[r * 2]!;
      A[r * 3 + 1] = base[r * 2 + 1]!;
      A[r * 3 + 2] = base[r * 2]!;
    }
    const B = rng.normals(rows);
    const G = gramOf(A, rows, 3);
    const R = crossOf(A, B, rows, 3, 1);
    const sol = ridgeSolve(3, G.slice(), R, 1, 0);
    expect(sol.shift).toBeGreaterThan(0);
    expect(sol.shift).toBeLessThan(1e-6 * meanDiagonal(3, G));
    // Reference least-squares residual on the two independent columns.
    const A2 = new Float64Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      A2[r * 2] = base[r * 2]!;
      A2[r * 2 + 1] = base[r * 2 + 1]!;
    }
    const x2 = solve(Matrix.from1DArray(2, 2, gramOf(A2, rows, 2)), Matrix.from1DArray(2, 1, crossOf(A2, B, rows, 2, 1)));
    const best = residualSq(A2, Float64Array.from(x2.to1DArray()), B, rows, 2, 1);
    expect(residualSq(A, sol.X, B, rows, 3, 1)).toBeCloseTo(best, 8);
  });

  it("when G is zero then X is zero with no shift", () => {
    const sol = ridgeSolve(3, new Float64Array(9), Float64Array.from([1, 2, 3]), 1, 1e-4);
    expect(Array.from(sol.X)).toEqual([0, 0, 0]);
    expect(sol.shift).toBe(0);
  });
});

describe("addScaledRidge", () => {
  it("adds lambda * mean(diag G) to the diagonal and scales with G", () => {
    const G = Float64Array.from([4, 1, 1, 2]);
    expect(addScaledRidge(2, G, 0.5)).toBe(1.5);
    expect(Array.from(G)).toEqual([5.5, 1, 1, 3.5]);
    const H = Float64Array.from([4e6, 1e6, 1e6, 2e6]);
    expect(addScaledRidge(2, H, 0.5)).toBe(1.5e6);
  });
});
