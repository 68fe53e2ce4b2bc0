/**
 * Allocation across layers (src/plan/allocation.ts) against brute force over every combination of
 * options on small random cases:
 * - max: the bisection is exact, so it must equal the brute-force minimum of the worst layer;
 * - total: at a budget equal to the cost of a Lagrangian plan (each layer's argmin of e + lambda c,
 *   found here by brute force per layer, independently of the hull code) the allocation must be
 *   optimal (Everett); at any budget it must be feasible, no worse than the best Lagrangian plan
 *   that fits, and, the costs being small integers, equal to the brute-force optimum (the exact
 *   knapsack pass);
 * - costs on a coarse grid (real-valued, many cells): still feasible, and within the rounding of
 *   the brute-force optimum.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocate, lowerHull, minimumCost, type AllocLayer } from "../../src/plan/allocation.js";

const layerArb = fc.record({
  normSq: fc.double({ min: 0.5, max: 4, noNaN: true }),
  extra: fc.array(fc.record({ cost: fc.integer({ min: 1, max: 40 }), errFrac: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 5 }),
  full: fc.integer({ min: 20, max: 60 }),
});

function toLayer(x: { normSq: number; extra: { cost: number; errFrac: number }[]; full: number }): AllocLayer {
  return { normSq: x.normSq, options: [{ cost: x.full, errSq: 0 }, ...x.extra.map((e) => ({ cost: e.cost, errSq: e.errFrac * x.normSq }))] };
}

function* combos(layers: readonly AllocLayer[]): Generator<number[]> {
  const idx = layers.map(() => 0);
  for (;;) {
    yield [...idx];
    let k = 0;
    while (k < layers.length && ++idx[k]! === layers[k]!.options.length) idx[k++] = 0;
    if (k === layers.length) return;
  }
}

function brute(layers: readonly AllocLayer[], budget: number) {
  let bestTotal = Infinity, bestMax = Infinity;
  for (const c of combos(layers)) {
    let cost = 0, err = 0, mx = 0;
    c.forEach((j, i) => {
      const o = layers[i]!.options[j]!;
      cost += o.cost;
      err += o.errSq;
      mx = Math.max(mx, Math.sqrt(o.errSq / layers[i]!.normSq));
    });
    if (cost > budget) continue;
    bestTotal = Math.min(bestTotal, err);
    bestMax = Math.min(bestMax, mx);
  }
  return { bestTotal, bestMax };
}

/** Lagrangian plans for a sweep of lambdas: per layer argmin e + lambda c (ties: cheaper). */
function lagrangianPlans(layers: readonly AllocLayer[]): { cost: number; err: number }[] {
  const lambdas = [0, ...Array.from({ length: 60 }, (_, k) => 10 ** (-4 + k / 10))];
  return lambdas.map((lam) => {
    let cost = 0, err = 0;
    for (const l of layers) {
      let best = l.options[0]!;
      for (const o of l.options) {
        const a = o.errSq + lam * o.cost, b = best.errSq + lam * best.cost;
        if (a < b - 1e-15 || (Math.abs(a - b) <= 1e-15 && o.cost < best.cost)) best = o;
      }
      cost += best.cost;
      err += best.errSq;
    }
    return { cost, err };
  });
}

describe("allocate", () => {
  it("when the objective is max then it equals the brute-force optimum", () => {
    fc.assert(
      fc.property(fc.array(layerArb, { minLength: 1, maxLength: 4 }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, f) => {
        const layers = xs.map(toLayer);
        const lo = minimumCost(layers), hi = layers.reduce((s, l) => s + l.options[0]!.cost, 0);
        const budget = lo + f * (hi - lo);
        const a = allocate(layers, budget, "max")!;
        expect(a.cost).toBeLessThanOrEqual(budget);
        expect(a.maxRel).toBeCloseTo(brute(layers, budget).bestMax, 12);
      }),
      { numRuns: 200 },
    );
  });
  it("when the objective is total then it is feasible, optimal at Lagrangian costs, and never worse than a Lagrangian plan that fits", () => {
    fc.assert(
      fc.property(fc.array(layerArb, { minLength: 1, maxLength: 4 }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, f) => {
        const layers = xs.map(toLayer);
        const lo = minimumCost(layers), hi = layers.reduce((s, l) => s + l.options[0]!.cost, 0);
        const plans = lagrangianPlans(layers);
        for (const p of plans) {
          const a = allocate(layers, p.cost, "total")!;
          expect(a.errSq).toBeLessThanOrEqual(p.err + 1e-12);
          expect(a.errSq).toBeCloseTo(brute(layers, p.cost).bestTotal, 12);
        }
        const budget = lo + f * (hi - lo);
        const a = allocate(layers, budget, "total")!;
        expect(a.cost).toBeLessThanOrEqual(budget);
        // Integer costs within DP_CELLS units: the knapsack is exact.
        expect(a.errSq).toBeCloseTo(brute(layers, budget).bestTotal, 12);
        const fitting = plans.filter((p) => p.cost <= budget).map((p) => p.err);
        if (fitting.length > 0) expect(a.errSq).toBeLessThanOrEqual(Math.min(...fitting) + 1e-12);
      }),
      { numRuns: 150 },
    );
  });
  it("when costs are real-valued then the rounded knapsack stays feasible and near the optimum", () => {
    fc.assert(
      fc.property(fc.array(layerArb, { minLength: 2, maxLength: 4 }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, f) => {
        const layers = xs.map(toLayer).map((l) => ({ ...l, options: l.options.map((o) => ({ ...o, cost: o.cost * 1e6 + 0.37 })) }));
        const lo = minimumCost(layers), hi = layers.reduce((s, l) => s + l.options[0]!.cost, 0);
        const budget = lo + f * (hi - lo);
        const a = allocate(layers, budget, "total")!;
        // Real-valued costs are summed incrementally by the allocator and in one pass here: the two
        // sums may differ by rounding (a few ulps), so feasibility holds up to that, and the
        // brute-force optimum is taken over the same rounding-widened budget.
        const widened = budget * (1 + 1e-12);
        expect(a.cost).toBeLessThanOrEqual(widened);
        expect(a.errSq).toBeGreaterThanOrEqual(brute(layers, widened).bestTotal - 1e-12);
      }),
      { numRuns: 100 },
    );
  });
  it("when the budget is below every layer's cheapest option then there is no allocation", () => {
    const layers: AllocLayer[] = [{ normSq: 1, options: [{ cost: 10, errSq: 0 }, { cost: 3, errSq: 0.5 }] }];
    expect(allocate(layers, 2.9, "total")).toBeNull();
    expect(allocate(layers, 3, "total")?.choice).toEqual([1]);
  });
  it("when options are given then the hull is convex, decreasing, and keeps the cheapest and the best", () => {
    const o = [{ cost: 10, errSq: 0 }, { cost: 1, errSq: 5 }, { cost: 2, errSq: 4.9 }, { cost: 3, errSq: 1 }, { cost: 4, errSq: 2 }];
    expect(lowerHull(o)).toEqual([1, 3, 0]);
  });
});
