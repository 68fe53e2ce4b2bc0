/**
 * The adjoints of compose in each factor against the adjoint identity <compose(d1, f2), E> =
 * <d1, adjointF1(E, f2)>, <compose(f1, d2), E> = <d2, adjointF2(E, f1)> (fast-check over shapes,
 * rectangular kernels included), and against a brute-force correlation loop.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adjointF1, adjointF2 } from "../../src/geometry/compose-adjoint.js";
import { compose } from "../../src/geometry/compose.js";
import type { Tensor4 } from "../../src/geometry/tensor.js";
import { dot } from "../helpers/oracles.js";
import { TestRng } from "../helpers/random.js";

const t4 = (shape: readonly [number, number, number, number], rng: TestRng): Tensor4 => ({ shape, data: rng.normals(shape[0] * shape[1] * shape[2] * shape[3]) });

describe("compose adjoints", () => {
  it("when paired with compose then <compose(d1, f2), E> = <d1, adjointF1(E, f2)> and likewise for f2", () => {
    const dim = fc.integer({ min: 1, max: 4 });
    fc.assert(
      fc.property(dim, dim, dim, dim, dim, dim, dim, fc.integer({ min: 0, max: 1e6 }), (m, cIn, cOut, k1h, k1w, k2h, k2w, seed) => {
        const rng = new TestRng(seed);
        const f1 = t4([m, cIn, k1h, k1w], rng);
        const f2 = t4([cOut, m, k2h, k2w], rng);
        const E = t4([cOut, cIn, k1h + k2h - 1, k1w + k2w - 1], rng);
        const a1 = adjointF1(E, f2, { h: k1h, w: k1w });
        const a2 = adjointF2(E, f1, { h: k2h, w: k2w });
        expect(a1.shape).toEqual(f1.shape);
        expect(a2.shape).toEqual(f2.shape);
        const lhs = dot(compose(f1, f2).data, E.data);
        const scale = Math.max(1, Math.abs(lhs));
        expect(Math.abs(dot(f1.data, a1.data) - lhs)).toBeLessThanOrEqual(1e-12 * scale * 10);
        expect(Math.abs(dot(f2.data, a2.data) - lhs)).toBeLessThanOrEqual(1e-12 * scale * 10);
      }),
      { numRuns: 60 },
    );
  });

  it("when computed by brute force as a correlation then adjointF1 and adjointF2 agree entry by entry", () => {
    const rng = new TestRng(3);
    const [m, cIn, cOut] = [2, 3, 2];
    const k1 = { h: 2, w: 3 };
    const k2 = { h: 3, w: 2 };
    const f1 = t4([m, cIn, k1.h, k1.w], rng);
    const f2 = t4([cOut, m, k2.h, k2.w], rng);
    const eh = k1.h + k2.h - 1;
    const ew = k1.w + k2.w - 1;
    const E = t4([cOut, cIn, eh, ew], rng);
    const e = (o: number, i: number, y: number, x: number) => E.data[((o * cIn + i) * eh + y) * ew + x]!;
    const a1 = adjointF1(E, f2, k1);
    for (let p = 0; p < m; p++) for (let i = 0; i < cIn; i++) for (let uh = 0; uh < k1.h; uh++) for (let uw = 0; uw < k1.w; uw++) {
      let s = 0;
      for (let o = 0; o < cOut; o++) for (let vh = 0; vh < k2.h; vh++) for (let vw = 0; vw < k2.w; vw++) {
        s += f2.data[((o * m + p) * k2.h + vh) * k2.w + vw]! * e(o, i, vh + uh, vw + uw);
      }
      expect(a1.data[((p * cIn + i) * k1.h + uh) * k1.w + uw]).toBeCloseTo(s, 12);
    }
    const a2 = adjointF2(E, f1, k2);
    for (let o = 0; o < cOut; o++) for (let p = 0; p < m; p++) for (let vh = 0; vh < k2.h; vh++) for (let vw = 0; vw < k2.w; vw++) {
      let s = 0;
      for (let i = 0; i < cIn; i++) for (let uh = 0; uh < k1.h; uh++) for (let uw = 0; uw < k1.w; uw++) {
        s += f1.data[((p * cIn + i) * k1.h + uh) * k1.w + uw]! * e(o, i, uh + vh, uw + vw);
      }
      expect(a2.data[((o * m + p) * k2.h + vh) * k2.w + vw]).toBeCloseTo(s, 12);
    }
  });
});
