/**
 * im2col, col2im and overlapCounts against independent oracles: a direct strided, padded
 * cross-correlation loop; the adjoint identity <im2col(x), y> == <x, col2im(y)>; a brute count of
 * how many windows read each pixel.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { col2im, im2col, im2colShape, outputSize, overlapCounts } from "../../src/geometry/im2col.js";
import type { Shape4, Size2 } from "../../src/geometry/tensor.js";
import { bruteConv2d, dot, matmul, maxAbs, maxAbsDiff } from "../helpers/oracles.js";
import { TestRng } from "../helpers/random.js";

interface Geo {
  input: Shape4;
  window: Size2;
  pad: Size2;
  stride: Size2;
}

/** Shapes where at least one window fits: H + 2 ph >= fh. */
const geometry: fc.Arbitrary<Geo> = fc
  .record({
    N: fc.integer({ min: 1, max: 2 }),
    C: fc.integer({ min: 1, max: 3 }),
    H: fc.integer({ min: 1, max: 7 }),
    W: fc.integer({ min: 1, max: 7 }),
    fh: fc.integer({ min: 1, max: 4 }),
    fw: fc.integer({ min: 1, max: 4 }),
    ph: fc.integer({ min: 0, max: 3 }),
    pw: fc.integer({ min: 0, max: 3 }),
    sh: fc.integer({ min: 1, max: 3 }),
    sw: fc.integer({ min: 1, max: 3 }),
  })
  .filter((g) => g.H + 2 * g.ph >= g.fh && g.W + 2 * g.pw >= g.fw)
  .map((g) => ({
    input: [g.N, g.C, g.H, g.W] as const,
    window: { h: g.fh, w: g.fw },
    pad: { h: g.ph, w: g.pw },
    stride: { h: g.sh, w: g.sw },
  }));

describe("im2col", () => {
  it("when multiplied by the reshaped weights then it equals a direct cross-correlation (padding, stride, rectangular windows)", () => {
    fc.assert(
      fc.property(geometry, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1e6 }), (g, O, seed) => {
        const rng = new TestRng(seed);
        const [N, C, H, W] = g.input;
        const x = rng.normals(N * C * H * W);
        const K = C * g.window.h * g.window.w;
        const w = rng.normals(O * K);
        const [rows, cols] = im2colShape(g);
        expect(cols).toBe(K);
        const M = im2col(x, g.input, g.window, g.pad, g.stride);
        expect(M.length).toBe(rows * cols);
        // (rows x K) @ (K x O): w^T as (K x O).
        const wT = new Float64Array(K * O);
        for (let o = 0; o < O; o++) for (let q = 0; q < K; q++) wT[q * O + o] = w[o * K + q]!;
        const prod = matmul(M, wT, rows, K, O);
        const ref = bruteConv2d({ shape: g.input, data: x }, { shape: [O, C, g.window.h, g.window.w], data: w }, g.pad, g.stride);
        const [, , oh, ow] = ref.shape;
        expect(outputSize(g)).toEqual({ h: oh, w: ow });
        expect(rows).toBe(N * oh * ow);
        // prod rows (n, y, x), cols o  vs  ref (n, o, y, x)
        const re = new Float64Array(prod.length);
        for (let n = 0; n < N; n++)
          for (let o = 0; o < O; o++)
            for (let p = 0; p < oh * ow; p++) re[(n * O + o) * oh * ow + p] = prod[(n * oh * ow + p) * O + o]!;
        expect(maxAbsDiff(re, ref.data)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(ref.data)));
      }),
      { numRuns: 150 },
    );
  });

  it("defaults to no padding and stride 1", () => {
    const rng = new TestRng(3);
    const x = rng.normals(2 * 5 * 6);
    const a = im2col(x, [1, 2, 5, 6], { h: 3, w: 2 });
    const b = im2col(x, [1, 2, 5, 6], { h: 3, w: 2 }, { h: 0, w: 0 }, { h: 1, w: 1 });
    expect(a).toEqual(b);
    expect(a.length).toBe(3 * 5 * 2 * 3 * 2);
  });

  it("when stride 2 and padding 1 on a 5x5 single-channel image then entries match a hand-written example", () => {
    // x[y, x] = 10 y + x; window 3x3; outputs at (0,0), (0,2), ... : row (0,0) reads x[-1..1, -1..1].
    const x = Float64Array.from({ length: 25 }, (_, q) => 10 * Math.floor(q / 5) + (q % 5));
    const M = im2col(x, [1, 1, 5, 5], { h: 3, w: 3 }, { h: 1, w: 1 }, { h: 2, w: 2 });
    expect(M.length).toBe(9 * 9);
    expect(Array.from(M.subarray(0, 9))).toEqual([0, 0, 0, 0, 0, 1, 0, 10, 11]);
    // last row: output (2, 2) reads x[3..5, 3..5], row/col 5 are padding
    expect(Array.from(M.subarray(72, 81))).toEqual([33, 34, 0, 43, 44, 0, 0, 0, 0]);
  });
});

describe("col2im", () => {
  it("is the adjoint of im2col: <im2col(x), y> == <x, col2im(y)> over random shapes, pads and strides", () => {
    fc.assert(
      fc.property(geometry, fc.integer({ min: 0, max: 1e6 }), (g, seed) => {
        const rng = new TestRng(seed);
        const [N, C, H, W] = g.input;
        const x = rng.normals(N * C * H * W);
        const [r, c] = im2colShape(g);
        const y = rng.normals(r * c);
        const lhs = dot(im2col(x, g.input, g.window, g.pad, g.stride), y);
        const back = col2im(y, g.input, g.window, g.pad, g.stride);
        expect(back.length).toBe(x.length);
        const rhs = dot(x, back);
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(lhs) + r * c));
      }),
      { numRuns: 200 },
    );
  });
});

describe("overlapCounts", () => {
  it("equals a brute count of the windows covering each pixel, and col2im of ones", () => {
    fc.assert(
      fc.property(geometry, (g) => {
        const [N, C, H, W] = g.input;
        const o = outputSize(g);
        const want = new Float64Array(N * C * H * W);
        for (let n = 0; n < N; n++)
          for (let c = 0; c < C; c++)
            for (let y = 0; y < H; y++)
              for (let x = 0; x < W; x++) {
                let cnt = 0;
                for (let oy = 0; oy < o.h; oy++)
                  for (let ox = 0; ox < o.w; ox++) {
                    const u = y + g.pad.h - oy * g.stride.h;
                    const v = x + g.pad.w - ox * g.stride.w;
                    if (u >= 0 && u < g.window.h && v >= 0 && v < g.window.w) cnt++;
                  }
                want[((n * C + c) * H + y) * W + x] = cnt;
              }
        const got = overlapCounts(g.input, g.window, g.pad, g.stride);
        expect(got).toEqual(want);
        const [r, cc] = im2colShape(g);
        expect(col2im(new Float64Array(r * cc).fill(1), g.input, g.window, g.pad, g.stride)).toEqual(want);
      }),
      { numRuns: 150 },
    );
  });

  it("when the seed's geometry (3x3 image, 3x3 window, full padding 2) then every count is 9", () => {
    expect(Array.from(overlapCounts([2, 4, 3, 3], { h: 3, w: 3 }, { h: 2, w: 2 }))).toEqual(new Array(72).fill(9));
  });
});
