import { describe, expect, it } from "vitest";
import { balanceStd } from "../../src/als/balance.js";
import { initialF1 } from "../../src/als/init.js";
import { structuredAls } from "../../src/als/methods/structured.js";
import { defaultAlsOptions, type AlsOptions } from "../../src/als/options.js";
import { decompose } from "../../src/decompose.js";
import { compose } from "../../src/geometry/compose.js";
import { pad2d } from "../../src/geometry/pad.js";
import { resolveGeometry } from "../../src/geometry/shapes.js";
import type { Tensor4 } from "../../src/geometry/tensor.js";
import { chooseFilters } from "../../src/quality/auto-filters.js";
import { energyOffCentre } from "../../src/quality/energy.js";
import { classifyRegime, denseExactFilters } from "../../src/quality/regime.js";
import { Rng } from "../../src/random.js";
import { TestRng } from "../helpers/random.js";
import { loadTensor4 } from "../helpers/fixtures.js";

const rng = new Rng(11);
const parent = (cOut: number, cIn: number, k = 3): Tensor4 => ({ shape: [cOut, cIn, k, k], data: rng.normals(cOut * cIn * k * k, 0.1) });
const P8 = parent(8, 8);
const opts = (o: Partial<AlsOptions>): AlsOptions => ({ ...defaultAlsOptions, tol: 0, stallTol: 0, stallWindow: 1e9, ...o });

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe("regime and density", () => {
  it("when m varies on a 32-channel 3x3 parent, then compression, exact-with-delta (m = 32 and 64) and exact-dense from m_dense = 89 are named", () => {
    const g = (m: number) => resolveGeometry([32, 32, 3, 3], m);
    const T = { shape: [32, 32, 5, 5] as const, data: new Float64Array(32 * 32 * 25) };
    expect(denseExactFilters(g(1))).toBe(89);
    expect(classifyRegime(g(8), T).name).toBe("compression");
    expect(classifyRegime(g(32), T).name).toBe("exact-with-delta");
    expect(classifyRegime(g(64), T).name).toBe("exact-with-delta");
    expect(classifyRegime(g(89), T).name).toBe("exact-dense");
  });
  it("when a factor is a centre-tap delta, then its off-centre energy is 0; random taps give about 8/9", () => {
    const g = resolveGeometry([8, 8, 3, 3], 8);
    expect(energyOffCentre(initialF1("identity", pad2d(P8, g.targetPad), g, new Rng(0)))).toBe(0);
    const r = energyOffCentre(initialF1("random", pad2d(P8, g.targetPad), g, new Rng(0)));
    expect(r).toBeGreaterThan(0.8);
    expect(r).toBeLessThan(0.95);
  });
});

describe("structured convergence", () => {
  it("when m = c on a random 8-channel parent (identity start), then the residual is <= 1e-6 within 60 iterations", () => {
    const g = resolveGeometry(P8.shape, 8);
    const r = structuredAls(pad2d(P8, g.targetPad), g, opts({ init: "identity", maxIter: 60, tol: 1e-6 }));
    expect(r.trace[r.trace.length - 1]!).toBeLessThanOrEqual(1e-6);
  });

  it("when the parent narrows (c_out <= m < c_in), then the identity start is exact in one iteration, the delta on f2's side", () => {
    for (const P of [parent(4, 6), { shape: [4, 6, 3, 5] as const, data: rng.normals(4 * 6 * 15, 0.1) }]) {
      const g = resolveGeometry(P.shape, 4);
      const T = pad2d(P, g.targetPad);
      const r = structuredAls(T, g, opts({ init: "identity", maxIter: 1 }));
      // Independent check: compose the factors and compare with the padded parent.
      expect(maxAbsDiff(compose(r.f1, r.f2).data, T.data)).toBeLessThan(1e-9);
      expect(energyOffCentre(r.f2)).toBeLessThan(1e-9);
    }
  });

  it("when m k2^2 >= c_in ke^2 (dense regime), then a random start reaches 1e-6 in 2 iterations with >= half of f1 off centre", () => {
    const P = parent(4, 4);
    const g = resolveGeometry(P.shape, denseExactFilters(resolveGeometry(P.shape, 1)));
    const T = pad2d(P, g.targetPad);
    const r = structuredAls(T, g, opts({ init: "random", maxIter: 2 }));
    expect(r.trace[1]!).toBeLessThanOrEqual(1e-6);
    expect(energyOffCentre(r.f1)).toBeGreaterThanOrEqual(0.5);
  });

  it("when run from a random start in compression, then the reported trace never increases", () => {
    const g = resolveGeometry(P8.shape, 4);
    const r = structuredAls(pad2d(P8, g.targetPad), g, opts({ init: "random", maxIter: 40 }));
    for (let i = 1; i < r.trace.length; i++) expect(r.trace[i]!).toBeLessThanOrEqual(r.trace[i - 1]!);
    const C = compose(r.f1, r.f2);
    const T = pad2d(P8, g.targetPad);
    let e = 0;
    let t = 0;
    for (let q = 0; q < C.data.length; q++) {
      e += (C.data[q]! - T.data[q]!) ** 2;
      t += T.data[q]! ** 2;
    }
    expect(Math.sqrt(e / t)).toBeCloseTo(r.trace[r.trace.length - 1]!, 10);
  });

  it("when the parent is scaled by a, then the composition scales by a (scale-free ridge with continuation)", () => {
    const a = 37.5;
    const scaled: Tensor4 = { shape: P8.shape, data: P8.data.map((x) => a * x) };
    for (const init of ["random", "spectral"] as const) {
      const r1 = decompose(P8, { filters: 4, init, maxIter: 8, floor: false, functional: false });
      const r2 = decompose(scaled, { filters: 4, init, maxIter: 8, floor: false, functional: false });
      const c1 = compose(r1.f1, r1.f2).data.map((x) => a * x);
      const c2 = compose(r2.f1, r2.f2).data;
      expect(maxAbsDiff(c1, c2)).toBeLessThan(1e-9 * a);
    }
  });
});

describe("restarts, balance, noise", () => {
  it("when restarts are repeated with the same seed, then the outcome is identical and no start beats the winner", () => {
    const run = () => decompose(P8, { filters: 3, init: "random", maxIter: 10, seed: 5, floor: false, functional: false, quality: { restarts: 3 } });
    const a = run();
    const b = run();
    expect(Array.from(a.f1.data)).toEqual(Array.from(b.f1.data));
    const rs = a.report.quality!.restarts!;
    expect(rs.perStart.map((p) => p.seed)).toEqual([5, 6, 7]);
    expect(a.report.residual.rel).toBeLessThanOrEqual(Math.min(...rs.perStart.map((p) => p.residualRel)) * (1 + 1e-12));
  });

  it("when --balance is set, then f1 and f2 have equal std and the composition is unchanged", () => {
    const plain = decompose(P8, { filters: 4, maxIter: 5, floor: false, functional: false });
    const b = balanceStd(plain.f1, plain.f2);
    const std = (x: Float64Array) => {
      const m = x.reduce((s, v) => s + v, 0) / x.length;
      return Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / x.length);
    };
    expect(std(b.f1.data)).toBeCloseTo(std(b.f2.data), 12);
    expect(maxAbsDiff(compose(b.f1, b.f2).data, compose(plain.f1, plain.f2).data)).toBeLessThan(1e-12);
    const viaPipeline = decompose(P8, { filters: 4, maxIter: 5, floor: false, functional: false, quality: { balance: true } });
    expect(viaPipeline.report.residual.rel).toBeCloseTo(plain.report.residual.rel, 12);
  });

  it("when --noise is set, then the report gives the residual before and after it", () => {
    const r = decompose(P8, { filters: 8, maxIter: 5, floor: false, functional: false, quality: { noise: 1e-3 } });
    const n = r.report.quality!.noise!;
    expect(n.residualBeforeRel).toBeLessThan(1e-6);
    expect(r.report.residual.rel).toBeGreaterThan(n.residualBeforeRel);
    expect(r.report.residual.rel).toBeLessThan(0.1);
  });
});

describe("--filters auto", () => {
  it("when a target is given, then the chosen m reaches it and every smaller m tried missed or was ruled out by the floor", () => {
    const report = chooseFilters(P8, 0.3, { maxIter: 20 });
    expect(report.chosen).not.toBeNull();
    const chosen = report.tried.find((t) => t.m === report.chosen)!;
    expect(chosen.residualRel!).toBeLessThanOrEqual(0.3);
    for (const t of report.tried) {
      if (t.m < report.chosen!) expect(t.outcome === "missed" || t.outcome === "floor-above-target").toBe(true);
      if (t.outcome === "floor-above-target") expect(t.floorRel).toBeGreaterThan(0.3);
    }
  });
});

describe("--filters auto on a hard geometry", () => {
  it("when no exact split exists at min(c_in, c_out) (5x5 -> 3x3 + 3x3), then it searches above it, up to the smallest m known exact (dense, 12 here), and finds the m that reaches 1e-6", () => {
    const W: Tensor4 = { shape: [4, 4, 5, 5], data: new TestRng(41).normals(4 * 4 * 25) };
    const report = chooseFilters(W, 1e-6, { k1: { h: 3, w: 3 }, k2: { h: 3, w: 3 } });
    expect(report.chosen).not.toBeNull();
    expect(report.chosen!).toBeGreaterThan(4);
    expect(report.chosen!).toBeLessThanOrEqual(12);
    expect(report.tried.find((t) => t.m === report.chosen)!.residualRel!).toBeLessThanOrEqual(1e-6);
    expect(report.tried.find((t) => t.m === 4)!.outcome).toBe("missed"); // min(c_in, c_out) itself is not enough
  });
});

describe("--filters auto with the block-Toeplitz floor", () => {
  it("when an m at or above min(c_in, c_out) has a block-Toeplitz floor above the target, then it is ruled out without a decomposition (facerec conv64-down-conv1, 2x2 + 2x2)", () => {
    const W = loadTensor4("facerec-conv64-down-conv1.npy");
    const report = chooseFilters(W, 0.05, { k1: { h: 2, w: 2 }, k2: { h: 2, w: 2 }, maxIter: 4 });
    const at32 = report.tried.find((t) => t.m === 32)!;
    expect(at32.outcome).toBe("floor-above-target");
    expect(at32.residualRel).toBeNull();
    expect(at32.floorRel).toBeGreaterThan(0.05); // 0.0625 (OpenBLAS), 0.0561 (portable: a smaller window)
    for (const t of report.tried) if (t.outcome === "floor-above-target") expect(t.floorRel).toBeGreaterThan(0.05);
    if (report.chosen !== null) expect(report.tried.find((t) => t.m === report.chosen)!.residualRel!).toBeLessThanOrEqual(0.05);
  });
});

describe("--refine", () => {
  it("when refining a dense split, then the functional border error goes down", () => {
    const r = decompose(P8, { filters: 8, init: "random", maxIter: 10, floor: false, layout: "same", quality: { refine: 150 } });
    const f = r.report.quality!.refine!;
    expect(f.after.borderRelError).toBeLessThan(f.before.borderRelError);
    expect(f.lossLast).toBeLessThan(f.lossFirst);
  });
});
