import { describe, expect, it } from "vitest";
import type { ChildPadding } from "../../src/geometry/shapes.js";
import type { Size2, Tensor4 } from "../../src/geometry/tensor.js";
import { functionalCheck } from "../../src/report/functional.js";
import { Rng } from "../../src/random.js";
import { conv2dForward } from "../../src/train/conv2d-backward.js";
import {
  functionalGeometry,
  functionalLineSearch,
  functionalLoss,
  functionalTarget,
  solveF1,
  solveF2,
  stackedTarget,
} from "../../src/train/functional-als.js";
import { refineSplit } from "../../src/train/refine.js";

const rng = new Rng(11);
const t4 = (shape: Tensor4["shape"]): Tensor4 => ({ shape, data: rng.normals(shape[0] * shape[1] * shape[2] * shape[3]) });
const P1: Size2 = { h: 1, w: 1 };

/** ||A - B||_F^2 of the two nets as linear maps, by pushing every unit image through both. */
function exactOperatorError(W: Tensor4, f1: Tensor4, f2: Tensor4, pp: Size2, pads: ChildPadding, size: Size2): number {
  const cIn = W.shape[1];
  const n = cIn * size.h * size.w;
  let s = 0;
  for (let q = 0; q < n; q++) {
    const data = new Float64Array(n);
    data[q] = 1;
    const x: Tensor4 = { shape: [1, cIn, size.h, size.w], data };
    const ref = conv2dForward(x, W, pp).y.data;
    const out = conv2dForward(conv2dForward(x, f1, pads.p1).y, f2, pads.p2).y.data;
    for (let r = 0; r < out.length; r++) s += (out[r]! - ref[r]!) ** 2;
  }
  return s;
}

const cases: { name: string; k1: Size2; k2: Size2; pads: ChildPadding }[] = [
  { name: "3x3 + 3x3", k1: { h: 3, w: 3 }, k2: { h: 3, w: 3 }, pads: { p1: P1, p2: P1 } },
  { name: "3x1 + 1x3", k1: { h: 3, w: 1 }, k2: { h: 1, w: 3 }, pads: { p1: { h: 1, w: 0 }, p2: { h: 0, w: 1 } } },
];

describe("functional loss in closed form", () => {
  for (const c of cases) {
    it(`when the split is ${c.name}, then it equals the nets' operator difference ||A - B||_F^2`, () => {
      const W = t4([3, 2, 3, 3]);
      const f1 = t4([2, 2, c.k1.h, c.k1.w]);
      const f2 = t4([3, 2, c.k2.h, c.k2.w]);
      const size = { h: 6, w: 7 };
      const g = functionalGeometry(size, c.k1, c.k2, c.pads, 1);
      const T = functionalTarget(W, P1, c.pads, g.ke);
      const exact = exactOperatorError(W, f1, f2, P1, c.pads, size);
      expect(Math.abs(functionalLoss(g, T, f1, f2) - exact)).toBeLessThan(1e-9 * exact);
    });
  }
});

describe("functional ALS half-steps", () => {
  const W = t4([3, 2, 3, 3]);
  const c = cases[0]!;
  const g = functionalGeometry({ h: 8, w: 8 }, c.k1, c.k2, c.pads, 10);
  const T = functionalTarget(W, P1, c.pads, g.ke);
  const f1 = t4([4, 2, 3, 3]);
  const f2 = t4([3, 4, 3, 3]);
  const dirDeriv = (loss: (s: number) => number): number => (loss(1e-5) - loss(-1e-5)) / 2e-5;

  it("when solving for f2, then the weighted loss is stationary in f2 and no larger", () => {
    const s2 = solveF2(g, T, f1, 3, 0).f2;
    const d = t4(s2.shape);
    const at = (s: number): number => functionalLoss(g, T, f1, { shape: s2.shape, data: s2.data.map((v, q) => v + s * d.data[q]!) });
    expect(at(0)).toBeLessThanOrEqual(functionalLoss(g, T, f1, f2));
    expect(Math.abs(dirDeriv(at))).toBeLessThan(1e-6 * Math.max(1, at(0)));
  });

  it("when solving for f1, then the weighted loss is stationary in f1 and no larger", () => {
    const s1 = solveF1(g, T, f2, 2, 0).f1;
    const d = t4(s1.shape);
    const at = (s: number): number => functionalLoss(g, T, { shape: s1.shape, data: s1.data.map((v, q) => v + s * d.data[q]!) }, f2);
    expect(at(0)).toBeLessThanOrEqual(functionalLoss(g, T, f1, f2));
    expect(Math.abs(dirDeriv(at))).toBeLessThan(1e-6 * Math.max(1, at(0)));
  });

  it("when line searching, then the returned loss is the loss at the returned step", () => {
    const d1 = t4(f1.shape);
    const d2 = t4(f2.shape);
    const ls = functionalLineSearch(g, stackedTarget(g, T), f1, f2, d1, d2, 100);
    const at = (s: number): number =>
      functionalLoss(g, T, { shape: f1.shape, data: f1.data.map((v, q) => v + s * d1.data[q]!) }, { shape: f2.shape, data: f2.data.map((v, q) => v + s * d2.data[q]!) });
    if (ls === undefined) {
      expect(at(1e-3)).toBeGreaterThanOrEqual(at(0));
    } else {
      expect(Math.abs(ls.loss - at(ls.step))).toBeLessThan(1e-9 * at(0));
      expect(ls.loss).toBeLessThan(at(0));
    }
  });
});

describe("refineSplit", () => {
  const W = t4([4, 4, 3, 3]);
  const pads: ChildPadding = { p1: P1, p2: P1 };
  const f1 = t4([4, 4, 3, 3]);
  const f2 = t4([4, 4, 3, 3]);

  it("when refining a dense split by functional ALS, then the functional loss and the border error go down, deterministically", () => {
    const r = refineSplit(W, f1, f2, P1, pads, { steps: 40, seed: 1 });
    expect(r.method).toBe("als");
    expect(r.lossLast).toBeLessThan(r.lossFirst);
    const same = { name: "same" as const, parentPadding: P1, stride: { h: 1, w: 1 }, ...pads };
    const before = functionalCheck(W, f1, f2, same, 1);
    const after = functionalCheck(W, r.f1, r.f2, same, 1);
    expect(after.borderRelError).toBeLessThan(before.borderRelError);
    const again = refineSplit(W, f1, f2, P1, pads, { steps: 40, seed: 1 });
    expect(Array.from(again.f1.data)).toEqual(Array.from(r.f1.data));
    expect(Array.from(again.f2.data)).toEqual(Array.from(r.f2.data));
  });

  it("when refining by Adam, then the sampled functional loss goes down", () => {
    const r = refineSplit(W, f1, f2, P1, pads, { steps: 60, seed: 1, method: "adam", lr: 3e-2 });
    expect(r.lossLast).toBeLessThan(r.lossFirst);
  });
});
