/**
 * Variable projection (src/lm/variable-projection.ts, `--method varpro`): a monotone trace ending at
 * the returned factors' true residual (brute-force composition); f2 optimal for the returned f1
 * (the brute-force gradient of ||compose(f1, f2) - T||^2 in f2 vanishes, by finite differences);
 * exact splits recovered where one exists at the hard geometry ke = k (the fixture
 * factorable-5x6x5-m4, 3x3 + 3x3 at m = 4, and a parent composed from random 2x2 + 2x2 factors).
 */
import { describe, expect, it } from "vitest";
import { defaultAlsOptions, type AlsOptions } from "../../src/als/options.js";
import { resolveGeometry } from "../../src/geometry/shapes.js";
import type { Tensor4 } from "../../src/geometry/tensor.js";
import { variableProjection } from "../../src/lm/variable-projection.js";
import { variableProjectionAfterSweeps } from "../../src/quality/variable-projection-method.js";
import { hardExactSplits } from "../helpers/hard-exact-splits.js";
import { bruteResidualRel } from "../helpers/oracles.js";
import { TestRng } from "../helpers/random.js";

const opts = (o: Partial<AlsOptions>): AlsOptions => ({ ...defaultAlsOptions, init: "random", ...o });

describe("variableProjection", () => {
  it("when run on a compression problem then the trace never increases, ends at the true residual and f2 is optimal for f1", () => {
    const rng = new TestRng(12);
    const T: Tensor4 = { shape: [6, 5, 3, 3], data: rng.normals(6 * 5 * 9) };
    const g = resolveGeometry(T.shape, 3, { h: 2, w: 2 }, { h: 2, w: 2 });
    const start: Tensor4 = { shape: [3, 5, 2, 2], data: rng.normals(60) };
    const r = variableProjection(T, g, start, opts({ maxIter: 20, tol: 0 }));
    for (let k = 1; k < r.trace.length; k++) expect(r.trace[k]!).toBeLessThanOrEqual(r.trace[k - 1]!);
    const end = bruteResidualRel(r.f1, r.f2, T);
    expect(Math.abs(end - r.trace.at(-1)!)).toBeLessThan(1e-12);
    // f2 = argmin over f2: central differences of the brute-force residual along each f2 entry.
    const h = 1e-6;
    let worst = 0;
    for (let q = 0; q < r.f2.data.length; q++) {
      const at = (d: number) => {
        const data = Float64Array.from(r.f2.data);
        data[q]! += d;
        return bruteResidualRel(r.f1, { shape: r.f2.shape, data }, T) ** 2;
      };
      worst = Math.max(worst, Math.abs(at(h) - at(-h)) / (2 * h));
    }
    expect(worst).toBeLessThan(1e-7);
    expect(r.flops).toBeGreaterThan(0);
  });

  for (const p of hardExactSplits()) {
    it(`when the parent is ${p.name} then it reaches 1e-10`, () => {
      const r = variableProjectionAfterSweeps(p.T, p.g, opts({ maxIter: 80, tol: 1e-11, seed: 0 }));
      expect(r.stopReason).toBe("tolerance");
      expect(bruteResidualRel(r.f1, r.f2, p.T)).toBeLessThanOrEqual(1e-10);
    });
  }

  it("when the budget ends inside the warm sweeps then the joined trace is the sweeps' and matches the factors", () => {
    const rng = new TestRng(5);
    const T: Tensor4 = { shape: [4, 4, 3, 3], data: rng.normals(144) };
    const g = resolveGeometry(T.shape, 2, { h: 2, w: 2 }, { h: 2, w: 2 });
    const r = variableProjectionAfterSweeps(T, g, opts({ maxIter: 2, tol: 0 }));
    expect(r.trace.length).toBe(2);
    expect(Math.abs(bruteResidualRel(r.f1, r.f2, T) - r.trace.at(-1)!)).toBeLessThan(1e-12);
  });
});
