/**
 * functionalCheck (DESIGN.md, "border effect"): for an exact split (the factorable fixture's known f1,
 * f2; parent 5x5 'same', padding 2; children 3x3 with paddings 1 and 1) the interior agrees to
 * rounding and the border clearly does not; with a bias on f2 the composition stays exact. The
 * interior/border split and the stacked result are also checked against direct convolution loops.
 */
import { describe, expect, it } from "vitest";
import { decompose } from "../../src/decompose.js";
import { functionalCheck } from "../../src/report/functional.js";
import { describeFunctional } from "../../src/report/words.js";
import type { Tensor4 } from "../../src/geometry/tensor.js";
import { loadTensor4 } from "../helpers/fixtures.js";
import { bruteCompose, bruteConv2d, maxAbs, relDiff } from "../helpers/oracles.js";
import { TestRng } from "../helpers/random.js";

const W = loadTensor4("factorable-5x6x5-m4.npy");
const f1 = loadTensor4("factorable-5x6x5-m4.f1.npy");
const f2 = loadTensor4("factorable-5x6x5-m4.f2.npy");
const parentPadding = { h: 2, w: 2 };
const pads = { p1: { h: 1, w: 1 }, p2: { h: 1, w: 1 } };
const same = { name: "same" as const, parentPadding, stride: { h: 1, w: 1 }, ...pads };

describe("functionalCheck on an exact split", () => {
  it("the fixture is the composition of its known factors (brute force)", () => {
    expect(relDiff(bruteCompose(f1, f2).data, W.data)).toBeLessThan(1e-14);
  });

  it("same layout: interior error is at rounding (~1e-12), border error clearly > 0, positions split 16x16 / rest of 20x20", () => {
    const fc = functionalCheck(W, f1, f2, same, 0);
    expect(fc.inputSize).toEqual({ h: 20, w: 20 });
    expect(fc.interiorRelError).toBeLessThan(1e-12);
    expect(fc.interiorMaxError).toBeLessThan(1e-11);
    expect(fc.borderRelError).toBeGreaterThan(1e-3);
    // border: the composed 5x5 window (padding 2) reaches the input's zero padding
    expect(fc.interiorPositions).toBe(16 * 16);
    expect(fc.borderPositions).toBe(20 * 20 - 16 * 16);
    expect(fc.layout).toBe("same");
    expect(describeFunctional(fc)).toMatch(/border effect/);
  });

  it("with a bias on f2 the stacked convs still equal the parent with that bias in the interior", () => {
    const bias = new TestRng(3).normals(5);
    const fc = functionalCheck(W, f1, f2, same, 1, bias);
    expect(fc.interiorRelError).toBeLessThan(1e-12);
    expect(fc.borderRelError).toBeGreaterThan(1e-3);
  });

  it("direct loops agree: conv(x, W, 2) + b equals conv(conv(x, f1, 1), f2, 1) + b exactly on the interior only", () => {
    const rng = new TestRng(4);
    const x: Tensor4 = { shape: [1, 6, 9, 10], data: rng.normals(6 * 90) };
    const b = rng.normals(5);
    const ref = bruteConv2d(x, W, parentPadding, { h: 1, w: 1 }, b);
    const out = bruteConv2d(bruteConv2d(x, f1, pads.p1), f2, pads.p2, { h: 1, w: 1 }, b);
    expect(out.shape).toEqual(ref.shape);
    const [, O, oh, ow] = ref.shape;
    let interior = 0;
    let border = 0;
    for (let o = 0; o < O; o++)
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          const q = (o * oh + y) * ow + xx;
          const e = Math.abs(ref.data[q]! - out.data[q]!);
          if (y >= 1 && y <= oh - 2 && xx >= 1 && xx <= ow - 2) interior = Math.max(interior, e);
          else border = Math.max(border, e);
        }
    expect(interior).toBeLessThan(1e-12 * maxAbs(ref.data));
    expect(border).toBeGreaterThan(1e-3 * maxAbs(ref.data));
  });

  it("when the factors are unrelated to W then the interior error is large", () => {
    const rng = new TestRng(6);
    const g1: Tensor4 = { shape: f1.shape, data: rng.normals(f1.data.length) };
    const fc = functionalCheck(W, g1, f2, same, 0);
    expect(fc.interiorRelError).toBeGreaterThan(0.1);
  });

  it("when the parent ran unpadded then no window reaches the padding and the words say so", () => {
    // parent 3x3 'valid' = f1 3x3 (pad 0) then f2 1x1 (pad 0): an exact split with f1 = W, f2 = I
    const rng = new TestRng(7);
    const P: Tensor4 = { shape: [3, 2, 3, 3], data: rng.normals(54) };
    const I: Tensor4 = { shape: [3, 3, 1, 1], data: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]) };
    const fc = functionalCheck(P, P, I, { name: "same", parentPadding: { h: 0, w: 0 }, stride: { h: 1, w: 1 }, p1: { h: 0, w: 0 }, p2: { h: 0, w: 0 } }, 0);
    expect(fc.borderPositions).toBe(0);
    expect(fc.interiorRelError).toBeLessThan(1e-14);
    expect(describeFunctional(fc)).toMatch(/no border positions/);
  });
});

describe("bias goes to f2", () => {
  it("decompose returns the parent's bias as f2's, reports it, and the functional check with bias is exact in the interior", () => {
    const bias = new TestRng(12).normals(5);
    const d = decompose(W, { filters: 4, k1: { h: 3, w: 3 }, k2: { h: 3, w: 3 }, bias, maxIter: 300, lambda: 0, layout: "same" });
    expect(d.f2Bias).toEqual(bias);
    expect(d.f2Bias).not.toBe(bias);
    expect(d.report.f2.bias).toBe(true);
    expect(d.report.f1.padding).toEqual({ h: 1, w: 1 });
    expect(d.report.f2.padding).toEqual({ h: 1, w: 1 });
    expect(d.report.residual.rel).toBeLessThan(1e-6);
    expect(d.report.functional!.interiorRelError).toBeLessThan(1e-6);
    expect(d.report.functional!.borderRelError).toBeGreaterThan(1e-3);
    // the same pair through direct loops, bias on the second conv only
    const rng = new TestRng(13);
    const x: Tensor4 = { shape: [1, 6, 8, 8], data: rng.normals(6 * 64) };
    const ref = bruteConv2d(x, W, parentPadding, { h: 1, w: 1 }, bias);
    const out = bruteConv2d(bruteConv2d(x, d.f1, pads.p1), d.f2, pads.p2, { h: 1, w: 1 }, d.f2Bias);
    let interior = 0;
    for (let o = 0; o < 5; o++)
      for (let y = 1; y < 7; y++)
        for (let xx = 1; xx < 7; xx++) {
          const q = (o * 8 + y) * 8 + xx;
          interior = Math.max(interior, Math.abs(ref.data[q]! - out.data[q]!));
        }
    expect(interior).toBeLessThan(1e-6 * maxAbs(ref.data));
  });

  it("when the bias length is not c_out then decompose rejects it", () => {
    expect(() => decompose(W, { filters: 4, bias: new Float64Array(4), maxIter: 1 })).toThrow(/bias has 4 values/);
  });
});
