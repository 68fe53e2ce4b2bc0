/**
 * The LM Jacobian (src/lm/jacobian.ts): J v against central finite differences of
 * r(f1, f2) = compose(f1, f2) - T (exact up to rounding, compose being bilinear: the second-order
 * term h^2 compose(d1, d2) cancels in the central difference), and J^T against the adjoint identity
 * <J v, r> = <v, J^T r> (fast-check) and against finite differences of 1/2 ||r||^2.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compose } from "../../src/geometry/compose.js";
import type { Tensor4 } from "../../src/geometry/tensor.js";
import { jacobianTimes, jacobianTransposeTimes } from "../../src/lm/jacobian.js";
import { dot, maxAbs, maxAbsDiff } from "../helpers/oracles.js";
import { TestRng } from "../helpers/random.js";

const t4 = (shape: readonly [number, number, number, number], rng: TestRng): Tensor4 => ({ shape, data: rng.normals(shape[0] * shape[1] * shape[2] * shape[3]) });
const axpy = (x: Tensor4, h: number, d: Tensor4): Tensor4 => ({ shape: x.shape, data: x.data.map((v, q) => v + h * d.data[q]!) });

function problem(seed: number, m = 3, cIn = 4, cOut = 2, k1 = { h: 2, w: 3 }, k2 = { h: 3, w: 2 }) {
  const rng = new TestRng(seed);
  const f1 = t4([m, cIn, k1.h, k1.w], rng);
  const f2 = t4([cOut, m, k2.h, k2.w], rng);
  const T = t4([cOut, cIn, k1.h + k2.h - 1, k1.w + k2.w - 1], rng);
  return { f1, f2, T, d1: t4(f1.shape, rng), d2: t4(f2.shape, rng), E: t4(T.shape, rng) };
}

describe("LM Jacobian", () => {
  it("when compared with central finite differences then J v matches", () => {
    const { f1, f2, d1, d2 } = problem(1);
    const h = 1e-3;
    const plus = compose(axpy(f1, h, d1), axpy(f2, h, d2)).data;
    const minus = compose(axpy(f1, -h, d1), axpy(f2, -h, d2)).data;
    const fd = plus.map((v, q) => (v - minus[q]!) / (2 * h));
    const jv = jacobianTimes(f1, f2, d1, d2).out.data;
    expect(maxAbsDiff(jv, fd)).toBeLessThanOrEqual(1e-9 * Math.max(1, maxAbs(fd)));
  });

  it("when the gradient of 1/2 ||r||^2 is taken by finite differences then J^T r matches in any direction", () => {
    const { f1, f2, T, d1, d2 } = problem(2);
    const half = (a: Tensor4, b: Tensor4) => 0.5 * compose(a, b).data.reduce((s, v, q) => s + (v - T.data[q]!) ** 2, 0);
    const r = { shape: T.shape, data: compose(f1, f2).data.map((v, q) => v - T.data[q]!) };
    const g = jacobianTransposeTimes(f1, f2, r);
    const h = 1e-5;
    const fd = (half(axpy(f1, h, d1), axpy(f2, h, d2)) - half(axpy(f1, -h, d1), axpy(f2, -h, d2))) / (2 * h);
    const an = dot(g.g1.data, d1.data) + dot(g.g2.data, d2.data);
    expect(Math.abs(an - fd)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(fd)));
  });

  it("when paired then <J v, E> = <v, J^T E> for random shapes (adjoint identity)", () => {
    const dim = fc.integer({ min: 1, max: 4 });
    fc.assert(
      fc.property(dim, dim, dim, dim, dim, dim, dim, fc.integer({ min: 0, max: 1e6 }), (m, cIn, cOut, a, b, c, d, seed) => {
        const { f1, f2, d1, d2, E } = problem(seed, m, cIn, cOut, { h: a, w: b }, { h: c, w: d });
        const lhs = dot(jacobianTimes(f1, f2, d1, d2).out.data, E.data);
        const g = jacobianTransposeTimes(f1, f2, E);
        const rhs = dot(d1.data, g.g1.data) + dot(d2.data, g.g2.data);
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-11 * Math.max(1, Math.abs(lhs)));
      }),
      { numRuns: 60 },
    );
  });
});
