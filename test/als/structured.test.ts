/**
 * Structured ALS (DESIGN.md, method 3): the objective never increases (half-step by half-step,
 * with the residual measured by the brute-force composition), the trace is the true residual, and
 * the exactly factorable fixture is recovered to a relative residual below 1e-6.
 */
import { describe, expect, it } from "vitest";
import { f1FromSolution, f2FromSolution } from "../../src/als/factors.js";
import { structuredAls } from "../../src/als/methods/structured.js";
import { normalEquations } from "../../src/als/normal-equations.js";
import { defaultAlsOptions, type AlsOptions } from "../../src/als/options.js";
import { ridgeSolve } from "../../src/als/ridge-solve.js";
import { decompose } from "../../src/decompose.js";
import { pad2d } from "../../src/geometry/pad.js";
import { resolveGeometry } from "../../src/geometry/shapes.js";
import { size2, swapChannels, type Tensor4 } from "../../src/geometry/tensor.js";
import { loadTensor4 } from "../helpers/fixtures.js";
import { bruteResidualRel } from "../helpers/oracles.js";
import { TestRng } from "../helpers/random.js";

const opts = (o: Partial<AlsOptions>): AlsOptions => ({ ...defaultAlsOptions, ...o });

function expectNonIncreasing(xs: readonly number[], slack = 1e-12): void {
  for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeLessThanOrEqual(xs[i - 1]! * (1 + slack));
}

describe("structured ALS: monotone decrease", () => {
  const cases: { name: string; W: () => Tensor4; m: number }[] = [
    { name: "random-8x8x3, m = 3 (compression)", W: () => loadTensor4("random-8x8x3.npy"), m: 3 },
    { name: "rect-4x6x3x5, m = 2 (kh != kw)", W: () => loadTensor4("rect-4x6x3x5.npy"), m: 2 },
    { name: "random-16x8x3, m = 8 (deepening)", W: () => loadTensor4("random-16x8x3.npy"), m: 8 },
  ];
  for (const c of cases) {
    for (const lambda of [0, 1e-12]) {
      it(`when lambda = ${lambda} on ${c.name} then the trace never increases (1e-12 relative slack)`, () => {
        const W = c.W();
        const g = resolveGeometry(W.shape, c.m);
        const T = pad2d(W, g.targetPad);
        const r = structuredAls(T, g, opts({ lambda, maxIter: 25, tol: 0, stallTol: 0, seed: 3 }));
        expect(r.trace.length).toBe(25);
        expectNonIncreasing(r.trace);
        // the last trace entry is the true residual of the returned factors
        expect(r.trace[r.trace.length - 1]!).toBeCloseTo(bruteResidualRel(r.f1, r.f2, T), 9);
      });
    }
  }

  it("half-step by half-step (f2 step, then f1 step, exact least squares, lambda = 0) the brute-force residual never increases", () => {
    const W = loadTensor4("random-8x8x3.npy");
    const g = resolveGeometry(W.shape, 2, size2(3), size2(3));
    const T = pad2d(W, g.targetPad);
    const rng = new TestRng(21);
    let f1: Tensor4 = { shape: [2, 8, 3, 3], data: rng.normals(2 * 8 * 9) };
    let f2: Tensor4 = { shape: [8, 2, 3, 3], data: rng.normals(8 * 2 * 9) };
    const objective: number[] = [bruteResidualRel(f1, f2, T)];
    for (let it = 0; it < 8; it++) {
      const n2 = normalEquations(swapChannels(f1), swapChannels(T), g.k2);
      f2 = f2FromSolution(ridgeSolve(n2.n, n2.G, n2.R, n2.J, 0).X, 2, g.k2, 8);
      objective.push(bruteResidualRel(f1, f2, T));
      const n1 = normalEquations(f2, T, g.k1);
      f1 = f1FromSolution(ridgeSolve(n1.n, n1.G, n1.R, n1.J, 0).X, 2, g.k1, 8);
      objective.push(bruteResidualRel(f1, f2, T));
    }
    expectNonIncreasing(objective);
    expect(objective[objective.length - 1]!).toBeLessThan(objective[0]! * 0.9);
  });
});

describe("structured ALS: the exactly factorable fixture (k1 = k2 = 3, m = 4)", () => {
  const W = loadTensor4("factorable-5x6x5-m4.npy");
  const base = { filters: 4, k1: size2(3), k2: size2(3), maxIter: 300, floor: false, functional: false } as const;

  // `decompose-filter fixtures/factorable-5x6x5-m4.npy --k1 3 --k2 3 --filters 4 --max-iter 300`, all
  // else default (lambda 1e-4, seed 0). DESIGN.md's goal for an exact split is 1e-6 relative.
  it("with the default options and 300 iterations then the relative residual is below 1e-6", () => {
    const d = decompose(W, base);
    expect(d.report.residual.rel).toBeLessThan(1e-6);
  });

  it("from the random init (init: 'random', default lambda and seed) and 300 iterations then the relative residual is below 1e-6", () => {
    const d = decompose(W, { ...base, init: "random" });
    expect(d.report.residual.rel).toBeLessThan(1e-6);
  });

  it("with lambda = 0 (default seed) then it reaches the tolerance with a residual below 1e-6, checked by the brute-force composition", () => {
    const d = decompose(W, { ...base, lambda: 0 });
    expect(d.report.stopReason).toBe("tolerance");
    const T = pad2d(W, { h: 0, w: 0 });
    expect(bruteResidualRel(d.f1, d.f2, T)).toBeLessThan(1e-6);
    expect(d.report.residual.rel).toBeLessThan(1e-6);
  });

  it("with lambda = 1e-8 (default seed) then the residual is below 1e-6", () => {
    const d = decompose(W, { ...base, lambda: 1e-8 });
    expect(d.report.residual.rel).toBeLessThan(1e-6);
  });
});
