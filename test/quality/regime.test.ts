/**
 * The regime model (quality/regime.ts), every branch checked by brute force on small random
 * parents: "exact" branches by a solver pushed to 1e-10 (residual from brute-force composition),
 * "not exact" ones by a long best-of-starts run that stays well above 0, matrix geometries by
 * planting the rank.
 */
import { describe, expect, it } from "vitest";
import { defaultAlsOptions } from "../../src/als/options.js";
import { structuredAls } from "../../src/als/methods/structured.js";
import { initialF1 } from "../../src/als/init.js";
import { decompose } from "../../src/decompose.js";
import { pad2d } from "../../src/geometry/pad.js";
import { resolveGeometry } from "../../src/geometry/shapes.js";
import type { Size2, Tensor4 } from "../../src/geometry/tensor.js";
import { classifyRegime, defaultInit } from "../../src/quality/regime.js";
import { Rng } from "../../src/random.js";
import { bruteCompose, brutePad, relDiff } from "../helpers/oracles.js";
import { TestRng } from "../helpers/random.js";

const rand = (shape: [number, number, number, number], seed: number): Tensor4 => ({ shape, data: new TestRng(seed).normals(shape.reduce((a, b) => a * b, 1)) });
const sz = (h: number, w = h): Size2 => ({ h, w });

/** Best brute-force residual over `starts` long structured runs from the given start. */
function best(W: Tensor4, m: number, k1: Size2, k2: Size2, init: "identity" | "random" | "spectral", starts: number, maxIter: number): number {
  const g = resolveGeometry(W.shape, m, k1, k2);
  const T = pad2d(W, g.targetPad);
  let b = Infinity;
  for (let s = 0; s < starts; s++) {
    const r = structuredAls(T, g, { ...defaultAlsOptions, maxIter, tol: 1e-13, stallTol: 0, stallWindow: 1e9, seed: s, init });
    b = Math.min(b, relDiff(bruteCompose(r.f1, r.f2).data, brutePad(W, g.targetPad.h, g.targetPad.w).data));
  }
  return b;
}

const regimeOf = (W: Tensor4, m: number, k1?: Size2, k2?: Size2) => {
  const g = resolveGeometry(W.shape, m, k1, k2);
  return classifyRegime(g, pad2d(W, g.targetPad));
};

describe("regime model, every branch against brute force", () => {
  it("exact-with-delta on f1 (m >= c_in, k2 >= k): identity start reaches 1e-10", () => {
    const W = rand([5, 3, 3, 3], 1);
    const r = regimeOf(W, 3);
    expect(r).toMatchObject({ name: "exact-with-delta", exact: true, deltaSide: "f1", exactFilters: 3 });
    expect(defaultInit(r.name)).toBe("identity");
    expect(best(W, 3, sz(3), sz(3), "identity", 1, 50)).toBeLessThan(1e-10);
  });

  it("exact-with-delta on f2 (m >= c_out, k1 >= k, k2 < k: 5x5 parent, k1 5, k2 3): identity puts the delta on f2 and reaches 1e-10", () => {
    const W = rand([3, 5, 5, 5], 2);
    const r = regimeOf(W, 3, sz(5), sz(3));
    expect(r).toMatchObject({ name: "exact-with-delta", exact: true, deltaSide: "f2" });
    expect(best(W, 3, sz(5), sz(3), "identity", 1, 50)).toBeLessThan(1e-10);
    // the same start when m >= c_in too but k2 < k: the delta must still go on f2
    const W2 = rand([3, 3, 5, 5], 3);
    const g2 = resolveGeometry(W2.shape, 3, sz(5), sz(3));
    expect(classifyRegime(g2, pad2d(W2, g2.targetPad)).deltaSide).toBe("f2");
    const f1 = initialF1("identity", pad2d(W2, g2.targetPad), g2, new Rng(0));
    // f1 = the parent's window under f2's centre tap: f1[p, i] equals W[p, i] itself (ke = 7, pad 1)
    expect(f1.data[0]).toBe(W2.data[0]);
    expect(best(W2, 3, sz(5), sz(3), "identity", 1, 50)).toBeLessThan(1e-10);
  });

  it("exact-dense (m k2h k2w >= c_in keh kew): a random dense start reaches 1e-10", () => {
    const W = rand([3, 2, 3, 3], 4);
    const r = regimeOf(W, 6);
    expect(r).toMatchObject({ name: "exact-dense", exact: true, denseExactFilters: 6 });
    expect(defaultInit(r.name)).toBe("random");
    expect(best(W, 6, sz(3), sz(3), "random", 1, 60)).toBeLessThan(1e-10);
  });

  it("compression (m < min(c_in, c_out)): no exact split; 4 long starts stay above the (positive) floor", () => {
    const W = rand([4, 4, 3, 3], 5);
    const r = regimeOf(W, 2);
    expect(r).toMatchObject({ name: "compression", exact: false });
    const d = decompose(W, { filters: 2, functional: false });
    expect(d.report.floor.rel).toBeGreaterThan(0.05);
    expect(best(W, 2, sz(3), sz(3), "random", 4, 200)).toBeGreaterThanOrEqual(d.report.floor.rel);
  });

  it("no-exact-known: 5x5 -> 3x3 + 3x3 at m = c_in (fewer parameters than equations) is not exact; best of 4 long starts stays well above 0", () => {
    const W = rand([4, 4, 5, 5], 6);
    const r = regimeOf(W, 4, sz(3), sz(3));
    expect(r.name).toBe("no-exact-known");
    expect(r.exact).toBeNull();
    expect(r.counts).toEqual({ parameters: 4 * (36 + 36) - 16, equations: 400 });
    expect(r.description).toMatch(/rank bound only/);
    expect(defaultInit(r.name)).not.toBe("identity");
    expect(best(W, 4, sz(3), sz(3), "random", 4, 300)).toBeGreaterThan(1e-2);
    const rep = decompose(W, { filters: 4, k1: sz(3), k2: sz(3), functional: false }).report;
    expect(rep.floor.rel).toBe(0);
    expect(rep.floor.kind).toBe("rank-bound");
    expect(rep.quality!.init).toBe("spectral");
  });

  it("matrix: exact iff m >= the rank of the unfolding (planted rank 3 on 3x3 -> 3x1 + 1x3)", () => {
    // W = compose of a random rank-3 separable split: its (c_in kh) x (c_out kw) unfolding has rank 3
    const rng = new TestRng(7);
    const f1: Tensor4 = { shape: [3, 4, 3, 1], data: rng.normals(36) };
    const f2: Tensor4 = { shape: [5, 3, 1, 3], data: rng.normals(45) };
    const W = bruteCompose(f1, f2);
    const at3 = regimeOf(W, 3, sz(3, 1), sz(1, 3));
    expect(at3).toMatchObject({ name: "matrix", exact: true, matrix: { rows: 15, cols: 12, rank: 3 } });
    expect(decompose(W, { filters: 3, k1: sz(3, 1), k2: sz(1, 3) }).report.residual.rel).toBeLessThan(1e-10);
    const at2 = regimeOf(W, 2, sz(3, 1), sz(1, 3));
    expect(at2.exact).toBe(false);
    expect(decompose(W, { filters: 2, k1: sz(3, 1), k2: sz(1, 3) }).report.residual.rel).toBeGreaterThan(1e-3);
  });
});
