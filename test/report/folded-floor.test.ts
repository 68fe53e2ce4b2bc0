/**
 * The folded floor (pipeline/evaluate.ts, geometry/fold.ts): folding an axis where a child has
 * extent 1 into the channels keeps the floor a lower bound for EVERY split of that geometry (checked
 * on random factors and on solver output, residuals by brute-force composition), and it is at
 * least the unfolded frequency floor.
 */
import { describe, expect, it } from "vitest";
import { decompose } from "../../src/decompose.js";
import { foldTarget } from "../../src/geometry/fold.js";
import { pad2d } from "../../src/geometry/pad.js";
import { resolveGeometry } from "../../src/geometry/shapes.js";
import type { Size2, Tensor4 } from "../../src/geometry/tensor.js";
import { frequencyFloor } from "../../src/report/floor.js";
import { bruteCompose, brutePad, relDiff } from "../helpers/oracles.js";
import { TestRng } from "../helpers/random.js";

const rand = (shape: [number, number, number, number], rng: TestRng): Tensor4 => ({ shape, data: rng.normals(shape.reduce((a, b) => a * b, 1)) });

describe("folded floor", () => {
  const cases: { shape: [number, number, number, number]; m: number; k1: Size2; k2: Size2 }[] = [
    { shape: [6, 3, 3, 3], m: 4, k1: { h: 3, w: 3 }, k2: { h: 1, w: 3 } }, // h folds into the input
    { shape: [3, 6, 3, 3], m: 4, k1: { h: 1, w: 3 }, k2: { h: 3, w: 3 } }, // h folds into the output
  ];
  for (const c of cases) {
    it(`k1=${c.k1.h}x${c.k1.w}, k2=${c.k2.h}x${c.k2.w}, m=${c.m} >= min(c_in, c_out): positive where the unfolded floor is 0, below every split's residual`, () => {
      const rng = new TestRng(11);
      const W = rand(c.shape, rng);
      const g = resolveGeometry(W.shape, c.m, c.k1, c.k2);
      const T = pad2d(W, g.targetPad);
      const plain = frequencyFloor(T, c.m).rel;
      const folded = frequencyFloor(foldTarget(T, g).target, c.m).rel;
      expect(plain).toBe(0);
      expect(folded).toBeGreaterThan(0.01);
      const Tb = brutePad(W, g.targetPad.h, g.targetPad.w);
      for (let k = 0; k < 5; k++) {
        const f1 = rand([c.m, c.shape[1], c.k1.h, c.k1.w], rng);
        const f2 = rand([c.shape[0], c.m, c.k2.h, c.k2.w], rng);
        expect(relDiff(bruteCompose(f1, f2).data, Tb.data)).toBeGreaterThanOrEqual(folded);
      }
      const d = decompose(W, { filters: c.m, k1: c.k1, k2: c.k2, maxIter: 200, functional: false });
      expect(d.report.floor.rel).toBeCloseTo(folded, 14);
      expect(d.report.floor.kind).toBe("rank-bound");
      expect(relDiff(bruteCompose(d.f1, d.f2).data, Tb.data)).toBeGreaterThanOrEqual(folded * (1 - 1e-9));
    });
  }
});
