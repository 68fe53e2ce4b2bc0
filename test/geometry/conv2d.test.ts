/** conv2d against direct loops (with bias), pad2d against an element-by-element copy. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conv2d } from "../../src/geometry/conv2d.js";
import { pad2d } from "../../src/geometry/pad.js";
import type { Tensor4 } from "../../src/geometry/tensor.js";
import { bruteConv2d, brutePad, maxAbs, maxAbsDiff } from "../helpers/oracles.js";
import { TestRng } from "../helpers/random.js";

describe("conv2d", () => {
  it("when given random inputs, weights, paddings and a bias then it equals the direct loop", () => {
    const small = (lo: number, hi: number) => fc.integer({ min: lo, max: hi });
    fc.assert(
      fc.property(
        small(1, 2), small(1, 3), small(1, 3), small(1, 7), small(1, 7), small(1, 4), small(1, 4), small(0, 2), small(0, 2),
        fc.boolean(), fc.integer({ min: 0, max: 1e6 }),
        (N, C, O, H, W, kh, kw, ph, pw, withBias, seed) => {
          fc.pre(H + 2 * ph >= kh && W + 2 * pw >= kw);
          const rng = new TestRng(seed);
          const x: Tensor4 = { shape: [N, C, H, W], data: rng.normals(N * C * H * W) };
          const w: Tensor4 = { shape: [O, C, kh, kw], data: rng.normals(O * C * kh * kw) };
          const bias = withBias ? rng.normals(O) : undefined;
          const got = conv2d(x, w, { h: ph, w: pw }, bias);
          const want = bruteConv2d(x, w, { h: ph, w: pw }, { h: 1, w: 1 }, bias);
          expect(got.shape).toEqual(want.shape);
          expect(maxAbsDiff(got.data, want.data)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(want.data)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("when channels disagree then it throws", () => {
    const x: Tensor4 = { shape: [1, 2, 4, 4], data: new Float64Array(32) };
    const w: Tensor4 = { shape: [1, 3, 3, 3], data: new Float64Array(27) };
    expect(() => conv2d(x, w, { h: 1, w: 1 })).toThrow(/channels/);
  });
});

describe("pad2d", () => {
  it("zero-pads the last two axes symmetrically, per axis", () => {
    const rng = new TestRng(5);
    for (const [ph, pw] of [[0, 0], [1, 0], [0, 2], [2, 1]] as const) {
      const t: Tensor4 = { shape: [2, 3, 3, 5], data: rng.normals(90) };
      const got = pad2d(t, { h: ph, w: pw });
      const want = brutePad(t, ph, pw);
      expect(got.shape).toEqual(want.shape);
      expect(got.data).toEqual(want.data);
    }
  });
});
