/**
 * Stacking layouts (geometry/layout.ts, DESIGN.md "Padding of the child layers"), against direct
 * convolution loops (test/helpers/oracles.ts), never against the code's own convolution:
 * - exact: conv(conv(x, f1, P), f2, 0, s) equals conv(x, compose(f1, f2), P, s) at EVERY output
 *   position, for random factors (so any split), rectangular kernels and strides > 1; hence the
 *   stack minus the parent conv(x, W, p, s) is exactly conv(x, compose - T, P, s), the kernel
 *   residual's effect;
 * - same: the same identity fails on the border (the border effect), holds in the interior.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decompose } from "../../src/decompose.js";
import { stackLayouts } from "../../src/geometry/layout.js";
import { resolveGeometry } from "../../src/geometry/shapes.js";
import type { Tensor4 } from "../../src/geometry/tensor.js";
import { functionalCheck } from "../../src/report/functional.js";
import { loadTensor4 } from "../helpers/fixtures.js";
import { bruteCompose, bruteConv2d, maxAbs, maxAbsDiff } from "../helpers/oracles.js";
import { TestRng } from "../helpers/random.js";

const t4 = (rng: TestRng, shape: [number, number, number, number]): Tensor4 => ({ shape, data: rng.normals(shape[0] * shape[1] * shape[2] * shape[3]) });

describe("exact layout", () => {
  it("property: the stack equals one conv with the composed kernel at every position (rectangular kernels, strides 1-3, any padding)", () => {
    fc.assert(
      fc.property(
        fc.record({
          k1h: fc.integer({ min: 1, max: 3 }), k1w: fc.integer({ min: 1, max: 3 }),
          k2h: fc.integer({ min: 1, max: 3 }), k2w: fc.integer({ min: 1, max: 3 }),
          ph: fc.integer({ min: 0, max: 2 }), pw: fc.integer({ min: 0, max: 2 }),
          sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        (c) => {
          const rng = new TestRng(c.seed);
          // a parent with k = ke (no target padding), so P = p
          const keh = c.k1h + c.k2h - 1;
          const kew = c.k1w + c.k2w - 1;
          const g = resolveGeometry([3, 2, keh, kew], 2, { h: c.k1h, w: c.k1w }, { h: c.k2h, w: c.k2w });
          const L = stackLayouts(g, { h: c.ph, w: c.pw }, { h: c.sh, w: c.sw }).exact;
          const f1 = t4(rng, [2, 2, c.k1h, c.k1w]);
          const f2 = t4(rng, [3, 2, c.k2h, c.k2w]);
          const x = t4(rng, [1, 2, 7 + keh, 6 + kew]);
          const stack = bruteConv2d(bruteConv2d(x, f1, L.p1), f2, L.p2, L.stride);
          const direct = bruteConv2d(x, bruteCompose(f1, f2), { h: c.ph, w: c.pw }, { h: c.sh, w: c.sw });
          expect(stack.shape).toEqual(direct.shape);
          expect(maxAbsDiff(stack.data, direct.data)).toBeLessThan(1e-12 * Math.max(1, maxAbs(direct.data)));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("stack - conv(x, W, p, s) = conv(x, compose - T, P, s) everywhere: a 5x3 parent split 3x1 + 3x3, stride 2, padding 2x1", () => {
    const rng = new TestRng(5);
    const W = t4(rng, [4, 3, 5, 3]);
    const p = { h: 2, w: 1 };
    const s = { h: 2, w: 2 };
    const g = resolveGeometry(W.shape, 2, { h: 3, w: 1 }, { h: 3, w: 3 });
    expect(g.targetPad).toEqual({ h: 0, w: 0 });
    const L = stackLayouts(g, p, s).exact;
    const f1 = t4(rng, [2, 3, 3, 1]);
    const f2 = t4(rng, [4, 2, 3, 3]);
    const x = t4(rng, [1, 3, 13, 11]);
    const stack = bruteConv2d(bruteConv2d(x, f1, L.p1), f2, L.p2, L.stride);
    const parent = bruteConv2d(x, W, p, s);
    const C = bruteCompose(f1, f2);
    const E: Tensor4 = { shape: C.shape, data: C.data.map((v, q) => v - W.data[q]!) };
    const effect = bruteConv2d(x, E, p, s);
    const diff = stack.data.map((v, q) => v - parent.data[q]!);
    expect(maxAbsDiff(diff, effect.data)).toBeLessThan(1e-12 * maxAbs(parent.data));
  });

  it("an exact split is exact at the border too with layout exact (rounding), not with same (> 1e-3); strides 1 and 2x3", () => {
    const W = loadTensor4("factorable-5x6x5-m4.npy");
    const f1 = loadTensor4("factorable-5x6x5-m4.f1.npy");
    const f2 = loadTensor4("factorable-5x6x5-m4.f2.npy");
    const g = resolveGeometry(W.shape, 4, { h: 3, w: 3 }, { h: 3, w: 3 });
    for (const stride of [{ h: 1, w: 1 }, { h: 2, w: 3 }]) {
      const L = stackLayouts(g, { h: 2, w: 2 }, stride);
      const exact = functionalCheck(W, f1, f2, L.exact, 0);
      expect(exact.borderPositions).toBeGreaterThan(0);
      expect(exact.borderRelError).toBeLessThan(1e-12);
      expect(exact.interiorRelError).toBeLessThan(1e-12);
      expect(exact.layoutRelError).toBeLessThan(1e-12);
      const same = functionalCheck(W, f1, f2, L.same!, 0);
      expect(same.interiorRelError).toBeLessThan(1e-12);
      expect(same.borderRelError).toBeGreaterThan(1e-3);
      expect(same.layoutRelError).toBeGreaterThan(1e-3);
    }
  });

  it("decompose: the functional check runs on the chosen layout; the exact layout's border error is the kernel residual's (compression split)", () => {
    const rng = new TestRng(8);
    const W = t4(rng, [6, 5, 3, 3]);
    const exact = decompose(W, { filters: 2, maxIter: 10, parentStride: { h: 2, w: 2 } }).report;
    expect(exact.functional!.layout).toBe("exact");
    expect(exact.functional!.summary).toMatch(/layout exact/);
    expect(exact.functional!.layoutRelError).toBeLessThan(1e-12);
    expect(exact.f2.stride).toEqual({ h: 2, w: 2 });
    const same = decompose(W, { filters: 2, maxIter: 10, layout: "same", parentStride: { h: 2, w: 2 } }).report;
    expect(same.functional!.layout).toBe("same");
    expect(same.functional!.layoutRelError).toBeGreaterThan(1e-3);
    // the same factors (same seed, same solver): interior errors agree, only the border differs
    expect(same.residual.rel).toBe(exact.residual.rel);
    expect(same.functional!.interiorRelError).toBeCloseTo(exact.functional!.interiorRelError, 12);
  });

  it("--refine is skipped with layout exact and the report says why; it runs with same", () => {
    const W = loadTensor4("factorable-5x6x5-m4.npy");
    const a = decompose(W, { filters: 4, k1: { h: 3, w: 3 }, k2: { h: 3, w: 3 }, maxIter: 5, quality: { refine: 2 } }).report;
    expect(a.quality!.refine).toBeNull();
    expect(a.quality!.refineSkipped).toMatch(/no border effect/);
    const b = decompose(W, { filters: 4, k1: { h: 3, w: 3 }, k2: { h: 3, w: 3 }, maxIter: 5, layout: "same", quality: { refine: 2 } }).report;
    expect(b.quality!.refine).not.toBeNull();
    expect(b.quality!.refineSkipped).toBeNull();
  });

  it("layouts: exact pads f1 by P and f2 by 0; same takes f1's centred share, clamped to P, and f2 the rest", () => {
    const g = resolveGeometry([2, 2, 3, 3], 2);
    const L = stackLayouts(g, { h: 0, w: 0 }, { h: 1, w: 1 });
    expect(L.exact.p1).toEqual({ h: 1, w: 1 });
    expect(L.exact.p2).toEqual({ h: 0, w: 0 });
    expect(L.same?.p1).toEqual({ h: 1, w: 1 });
    expect(L.same?.p2).toEqual({ h: 0, w: 0 });
    const v = stackLayouts(resolveGeometry([2, 2, 3, 3], 2, { h: 3, w: 3 }, { h: 1, w: 1 }), { h: 0, w: 0 }, { h: 1, w: 1 });
    expect(v.exact.p1).toEqual({ h: 0, w: 0 });
    expect(v.same).toEqual({ ...v.exact, name: "same" });
  });
});
