/**
 * A budget below what any plan can reach is refused before a single solver run (issue 12: bad
 * input gets its line before long work), with a minimum that brute force over the candidates'
 * m = 1 costs confirms.
 */
import { describe, expect, it } from "vitest";
import { DecomposeError } from "../../src/errors.js";
import { planBudget, type BudgetLayer } from "../../src/plan/budget.js";
import { loadTensor4 } from "../helpers/fixtures.js";

function layers(): BudgetLayer[] {
  return ["facerec-conv32-1-conv1.npy", "facerec-conv32-down.npy"].map((f) => {
    const W = loadTensor4(f);
    return { name: f, shape: W.shape, data: W.data, groups: 1, inputSize: { h: 16, w: 16 } };
  });
}

describe("planBudget below the minimum", () => {
  it.each(["params", "flops"] as const)("refuses --budget-of %s without running the solver, naming the minimum", (of) => {
    let runs = 0;
    const solve = (): number => {
      runs++;
      return 0;
    };
    let err: unknown;
    try {
      planBudget(layers(), { ratio: 1e-4, of, objective: "total", solve });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecomposeError);
    expect(runs).toBe(0);
    // Brute force: per layer the cheapest of (kx1 + 1xk, 1xk + kx1, 1x1 + kxk, kxk + 1x1, ...) at m = 1.
    const cost = (shape: readonly number[], k1h: number, k1w: number, k2h: number, k2w: number): number => {
      const [o, i] = shape as [number, number];
      if (of === "params") return i * k1h * k1w + o * k2h * k2w;
      const inter = (16 + k2h - 1) * (16 + k2w - 1);
      return 2 * (i * k1h * k1w * inter + o * k2h * k2w * 256);
    };
    let lowest = 0;
    let parent = 0;
    for (const l of layers()) {
      const [o, i, kh, kw] = l.shape;
      const full = of === "params" ? o * i * kh * kw : 2 * o * i * kh * kw * 256;
      parent += full;
      lowest += Math.min(full, cost(l.shape, kh, 1, 1, kw), cost(l.shape, 1, kw, kh, 1), cost(l.shape, 1, 1, kh, kw), cost(l.shape, kh, kw, 1, 1));
    }
    const stated = Number(/the minimum is ([0-9.e-]+)/.exec((err as Error).message)![1]);
    expect(stated).toBeGreaterThanOrEqual(lowest / parent);
    expect(stated).toBeLessThan((lowest / parent) * 1.001);
  });
});
