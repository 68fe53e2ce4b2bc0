/**
 * compose and its adjoints in solution layout (src/geometry/compose-solution.ts): the composition
 * against the brute-force quadruple loop (test/helpers/oracles.ts) read through the layouts'
 * definitions, the adjoints against brute-force correlation loops entry by entry and against the
 * adjoint identity <compose(D1, X2), E> = <D1, adjoint1(E, X2)> (fast-check over shapes,
 * rectangular kernels included), `accumulate`, and the size check.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adjointSolution1, adjointSolution2, composeSolution, solutionSizes } from "../../src/geometry/compose-solution.js";
import { at4, bruteCompose, dot, maxAbs, maxAbsDiff, type Arr4 } from "../helpers/oracles.js";
import { pairGeometry, toTapMajor, toX1, toX2 } from "../helpers/solution-layout.js";
import { TestRng } from "../helpers/random.js";

function problem(seed: number, m: number, cIn: number, cOut: number, k1: { h: number; w: number }, k2: { h: number; w: number }) {
  const rng = new TestRng(seed);
  const g = pairGeometry(m, cIn, cOut, k1, k2);
  const f1: Arr4 = { shape: [m, cIn, k1.h, k1.w], data: rng.normals(m * cIn * k1.h * k1.w) };
  const f2: Arr4 = { shape: [cOut, m, k2.h, k2.w], data: rng.normals(cOut * m * k2.h * k2.w) };
  const sizes = solutionSizes(g);
  return { g, f1, f2, X1: toX1(f1), X2: toX2(f2), E: rng.normals(sizes.e), D1: rng.normals(sizes.n1), D2: rng.normals(sizes.n2), sizes };
}

const dim = fc.integer({ min: 1, max: 4 });
const shapeArb = fc.tuple(dim, dim, dim, dim, dim, dim, dim, fc.integer({ min: 0, max: 1e6 }));

describe("compose in solution layout", () => {
  it("when the factors are random then composeSolution is the brute-force composition, tap-major", () => {
    fc.assert(
      fc.property(shapeArb, ([m, cIn, cOut, a, b, c, d, seed]) => {
        const { g, f1, f2, X1, X2, sizes } = problem(seed, m, cIn, cOut, { h: a, w: b }, { h: c, w: d });
        const want = toTapMajor(bruteCompose(f1, f2));
        const got = composeSolution(g, X1, X2, new Float64Array(sizes.e).fill(Number.NaN));
        expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(want)));
      }),
      { numRuns: 60 },
    );
  });

  it("when paired with compose then each adjoint satisfies the adjoint identity", () => {
    fc.assert(
      fc.property(shapeArb, ([m, cIn, cOut, a, b, c, d, seed]) => {
        const { g, X1, X2, E, D1, D2, sizes } = problem(seed, m, cIn, cOut, { h: a, w: b }, { h: c, w: d });
        const lhs1 = dot(composeSolution(g, D1, X2, new Float64Array(sizes.e)), E);
        const lhs2 = dot(composeSolution(g, X1, D2, new Float64Array(sizes.e)), E);
        const rhs1 = dot(D1, adjointSolution1(g, E, X2, new Float64Array(sizes.n1)));
        const rhs2 = dot(D2, adjointSolution2(g, E, X1, new Float64Array(sizes.n2)));
        expect(Math.abs(lhs1 - rhs1)).toBeLessThanOrEqual(1e-11 * Math.max(1, Math.abs(lhs1)));
        expect(Math.abs(lhs2 - rhs2)).toBeLessThanOrEqual(1e-11 * Math.max(1, Math.abs(lhs2)));
      }),
      { numRuns: 60 },
    );
  });

  it("when computed by brute force as correlations then both adjoints agree entry by entry", () => {
    const [m, cIn, cOut] = [2, 3, 4];
    const k1 = { h: 2, w: 3 };
    const k2 = { h: 3, w: 2 };
    const { g, f1, f2, X1, X2, E, sizes } = problem(3, m, cIn, cOut, k1, k2);
    const ew = k1.w + k2.w - 1;
    const e = (o: number, i: number, y: number, x: number) => E[((y * ew + x) * cOut + o) * cIn + i]!;
    const a1 = adjointSolution1(g, E, X2, new Float64Array(sizes.n1));
    for (let p = 0; p < m; p++) for (let i = 0; i < cIn; i++) for (let uh = 0; uh < k1.h; uh++) for (let uw = 0; uw < k1.w; uw++) {
      let s = 0;
      for (let o = 0; o < cOut; o++) for (let vh = 0; vh < k2.h; vh++) for (let vw = 0; vw < k2.w; vw++) s += at4(f2, o, p, vh, vw) * e(o, i, vh + uh, vw + uw);
      expect(a1[(p * k1.h * k1.w + uh * k1.w + uw) * cIn + i]).toBeCloseTo(s, 12);
    }
    const a2 = adjointSolution2(g, E, X1, new Float64Array(sizes.n2));
    for (let o = 0; o < cOut; o++) for (let p = 0; p < m; p++) for (let vh = 0; vh < k2.h; vh++) for (let vw = 0; vw < k2.w; vw++) {
      let s = 0;
      for (let i = 0; i < cIn; i++) for (let uh = 0; uh < k1.h; uh++) for (let uw = 0; uw < k1.w; uw++) s += at4(f1, p, i, uh, uw) * e(o, i, uh + vh, uw + vw);
      expect(a2[(p * k2.h * k2.w + vh * k2.w + vw) * cOut + o]).toBeCloseTo(s, 12);
    }
  });

  it("when asked to accumulate then each product is added to what out holds", () => {
    const { g, X1, X2, E, sizes } = problem(5, 3, 2, 4, { h: 2, w: 2 }, { h: 3, w: 1 });
    const base = new TestRng(9).normals(sizes.e);
    const sum = composeSolution(g, X1, X2, base.slice(), true);
    const alone = composeSolution(g, X1, X2, new Float64Array(sizes.e));
    expect(maxAbsDiff(sum, base.map((v, q) => v + alone[q]!))).toBeLessThanOrEqual(1e-12 * maxAbs(sum));
    const b1 = new TestRng(10).normals(sizes.n1);
    const a1 = adjointSolution1(g, E, X2, new Float64Array(sizes.n1));
    expect(maxAbsDiff(adjointSolution1(g, E, X2, b1.slice(), true), b1.map((v, q) => v + a1[q]!))).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(a1)));
  });

  it("when a buffer does not fit the geometry then it throws a RangeError naming the sizes", () => {
    const { g, X1, X2, sizes } = problem(6, 2, 2, 2, { h: 2, w: 2 }, { h: 2, w: 2 });
    expect(() => composeSolution(g, X1, X2, new Float64Array(sizes.e - 1))).toThrow(RangeError);
    expect(() => adjointSolution2(g, new Float64Array(sizes.e), X1.subarray(1), new Float64Array(sizes.n2))).toThrow(/the geometry needs/);
  });
});
