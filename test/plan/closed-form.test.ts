/**
 * The matrix geometries' closed forms (src/plan/candidates.ts, closed-form.ts) against independent
 * oracles: a brute-force composition of random factors of each geometry must be the rank-m
 * product the unfolding says it is, the tails must match ml-matrix's SVD of that unfolding, and
 * the ALS solver run on the same geometry must never beat the closed form (Eckart-Young).
 */
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { describe, expect, it } from "vitest";
import { decompose } from "../../src/decompose.js";
import { layerCandidates, candidateParams } from "../../src/plan/candidates.js";
import { truncatedSvdTails } from "../../src/plan/closed-form.js";
import { bruteCompose, type Arr4 } from "../helpers/oracles.js";
import { TestRng } from "../helpers/random.js";

const shapes: [number, number, number, number][] = [
  [5, 4, 3, 3],
  [3, 6, 3, 5],
  [4, 2, 1, 1],
];

describe("matrix geometries", () => {
  for (const shape of shapes) {
    const [cOut, cIn, kh, kw] = shape;
    const rng = new TestRng(cOut * 100 + cIn * 10 + kh);
    const W = rng.normals(cOut * cIn * kh * kw);
    for (const c of layerCandidates(shape).filter((x) => x.unfolding !== null)) {
      const u = c.unfolding!;
      it(`when W is ${shape.join("x")} and the geometry is ${c.name} then a composition is a rank-m product of the unfolding`, () => {
        const m = 2;
        const f1: Arr4 = { shape: [m, cIn, c.k1.h, c.k1.w], data: rng.normals(m * cIn * c.k1.h * c.k1.w) };
        const f2: Arr4 = { shape: [cOut, m, c.k2.h, c.k2.w], data: rng.normals(cOut * m * c.k2.h * c.k2.w) };
        const C = bruteCompose(f1, f2);
        expect(C.shape).toEqual(shape); // ke = k: no target padding
        const A = new Matrix(u.rows, u.cols);
        for (let r = 0; r < u.rows; r++) for (let col = 0; col < u.cols; col++) A.set(r, col, C.data[u.index(r, col)]!);
        const s = new SingularValueDecomposition(A, { autoTranspose: true }).diagonal;
        expect(s.filter((x) => x > 1e-9 * s[0]!).length).toBeLessThanOrEqual(m);
        expect(candidateParams(shape, c, m)).toBe(m * (u.rows + u.cols));
      });
      it(`when W is ${shape.join("x")} and the geometry is ${c.name} then the tails are ml-matrix's singular-value tails`, () => {
        const A = new Matrix(u.rows, u.cols);
        for (let r = 0; r < u.rows; r++) for (let col = 0; col < u.cols; col++) A.set(r, col, W[u.index(r, col)]!);
        const s = new SingularValueDecomposition(A, { autoTranspose: true }).diagonal;
        const tails = truncatedSvdTails(W, u);
        const total = W.reduce((a, x) => a + x * x, 0);
        expect(tails.length).toBe(c.mMax + 1);
        for (let m = 0; m <= c.mMax; m++) {
          const want = s.slice(m).reduce((a, x) => a + x * x, 0);
          expect(Math.abs(tails[m]! - want)).toBeLessThan(1e-12 * total);
        }
      });
    }
  }
  it("when the ALS solver runs on a matrix geometry then it never beats the closed form and reaches it", () => {
    const shape: [number, number, number, number] = [6, 5, 3, 3];
    const W = new TestRng(7).normals(6 * 5 * 9);
    for (const c of layerCandidates(shape).filter((x) => x.unfolding !== null)) {
      const tails = truncatedSvdTails(W, c.unfolding!);
      const m = 2;
      const r = decompose({ shape, data: W }, { filters: m, k1: c.k1, k2: c.k2, maxIter: 200, floor: false, functional: false });
      const reached = r.report.residual.abs ** 2;
      expect(reached).toBeGreaterThanOrEqual(tails[m]! * (1 - 1e-9));
      expect(reached).toBeLessThan(tails[m]! * 1.01);
    }
  });
  it("when the parent is 1x1 then channel low rank is the only geometry; odd kernels get the half geometry", () => {
    expect(layerCandidates([4, 2, 1, 1]).map((c) => c.name)).toEqual(["1x1-first"]);
    expect(layerCandidates([4, 2, 3, 3]).map((c) => c.name)).toEqual(["1x1-first", "1x1-second", "sep-v", "sep-h", "half", "default"]);
    expect(layerCandidates([4, 2, 5, 5]).find((c) => c.name === "half")?.k1).toEqual({ h: 3, w: 3 });
    expect(layerCandidates([4, 2, 2, 2]).some((c) => c.name === "half")).toBe(false);
  });
});
