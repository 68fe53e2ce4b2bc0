/**
 * The LM Jacobian (src/lm/jacobian.ts), factors in solution layout: J v against central finite
 * differences of r(X1, X2) = compose(X1, X2) - T computed by the brute-force composition
 * (test/helpers/oracles.ts; exact up to rounding, compose being bilinear: the second-order term
 * h^2 compose(D1, D2) cancels in the central difference), and J^T against the adjoint identity
 * <J v, E> = <v, J^T E> (fast-check) and against finite differences of 1/2 ||r||^2.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { solutionSizes } from "../../src/geometry/compose-solution.js";
import { dampedGaussNewtonTimes, jacobianTimes, jacobianTransposeTimes } from "../../src/lm/jacobian.js";
import { bruteCompose, dot, maxAbs, maxAbsDiff, type Arr4 } from "../helpers/oracles.js";
import { TestRng } from "../helpers/random.js";
import { pairGeometry, toTapMajor, toX1, toX2 } from "../helpers/solution-layout.js";

function problem(seed: number, m = 3, cIn = 4, cOut = 2, k1 = { h: 2, w: 3 }, k2 = { h: 3, w: 2 }) {
  const rng = new TestRng(seed);
  const g = pairGeometry(m, cIn, cOut, k1, k2);
  const f1: Arr4 = { shape: [m, cIn, k1.h, k1.w], data: rng.normals(m * cIn * k1.h * k1.w) };
  const f2: Arr4 = { shape: [cOut, m, k2.h, k2.w], data: rng.normals(cOut * m * k2.h * k2.w) };
  const d1: Arr4 = { shape: f1.shape, data: rng.normals(f1.data.length) };
  const d2: Arr4 = { shape: f2.shape, data: rng.normals(f2.data.length) };
  const sizes = solutionSizes(g);
  const T = rng.normals(sizes.e);
  return { g, f1, f2, d1, d2, T, E: rng.normals(sizes.e), sizes };
}
const axpy = (x: Arr4, h: number, d: Arr4): Arr4 => ({ shape: x.shape, data: x.data.map((v, q) => v + h * d.data[q]!) });
/** The residual, tap-major, by brute force. */
const residual = (f1: Arr4, f2: Arr4, T: Float64Array) => toTapMajor(bruteCompose(f1, f2)).map((v, q) => v - T[q]!);

describe("LM Jacobian (solution layout)", () => {
  it("when compared with central finite differences of the brute-force residual then J v matches", () => {
    const { g, f1, f2, d1, d2, T, sizes } = problem(1);
    const h = 1e-3;
    const plus = residual(axpy(f1, h, d1), axpy(f2, h, d2), T);
    const minus = residual(axpy(f1, -h, d1), axpy(f2, -h, d2), T);
    const fd = plus.map((v, q) => (v - minus[q]!) / (2 * h));
    const jv = new Float64Array(sizes.e);
    jacobianTimes(g, toX1(f1), toX2(f2), toX1(d1), toX2(d2), jv);
    expect(maxAbsDiff(jv, fd)).toBeLessThanOrEqual(1e-9 * Math.max(1, maxAbs(fd)));
  });

  it("when the gradient of 1/2 ||r||^2 is taken by finite differences then J^T r matches in any direction", () => {
    const { g, f1, f2, d1, d2, T, sizes } = problem(2);
    const half = (a: Arr4, b: Arr4) => 0.5 * residual(a, b, T).reduce((s, v) => s + v * v, 0);
    const g1 = new Float64Array(sizes.n1);
    const g2 = new Float64Array(sizes.n2);
    jacobianTransposeTimes(g, toX1(f1), toX2(f2), residual(f1, f2, T), g1, g2);
    const h = 1e-5;
    const fd = (half(axpy(f1, h, d1), axpy(f2, h, d2)) - half(axpy(f1, -h, d1), axpy(f2, -h, d2))) / (2 * h);
    const an = dot(g1, toX1(d1)) + dot(g2, toX2(d2));
    expect(Math.abs(an - fd)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(fd)));
  });

  it("when paired then <J v, E> = <v, J^T E> for random shapes (adjoint identity)", () => {
    const dim = fc.integer({ min: 1, max: 4 });
    fc.assert(
      fc.property(dim, dim, dim, dim, dim, dim, dim, fc.integer({ min: 0, max: 1e6 }), (m, cIn, cOut, a, b, c, d, seed) => {
        const { g, f1, f2, d1, d2, E, sizes } = problem(seed, m, cIn, cOut, { h: a, w: b }, { h: c, w: d });
        const [X1, X2, V1, V2] = [toX1(f1), toX2(f2), toX1(d1), toX2(d2)];
        const jv = new Float64Array(sizes.e);
        jacobianTimes(g, X1, X2, V1, V2, jv);
        const g1 = new Float64Array(sizes.n1);
        const g2 = new Float64Array(sizes.n2);
        jacobianTransposeTimes(g, X1, X2, E, g1, g2);
        const lhs = dot(jv, E);
        const rhs = dot(V1, g1) + dot(V2, g2);
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-11 * Math.max(1, Math.abs(lhs)));
      }),
      { numRuns: 60 },
    );
  });
});

describe("damped Gauss-Newton product", () => {
  it("when compared with J^T J v plus mu times the explicit ALS normal matrices then it matches", () => {
    const { g, f1, f2, d1, d2, sizes } = problem(4, 3, 4, 5, { h: 2, w: 2 }, { h: 3, w: 2 });
    const [X1, X2, V1, V2] = [toX1(f1), toX2(f2), toX1(d1), toX2(d2)];
    const mu = 0.37;
    // Oracle: J^T J v from the (finite-difference-checked) J and J^T above, and G1 V1, G2 V2 from
    // the brute-force Gram of each factor's linear map X1 -> compose(X1, X2), X2 -> compose(X1, X2).
    const jv = new Float64Array(sizes.e);
    jacobianTimes(g, X1, X2, V1, V2, jv);
    const w1 = new Float64Array(sizes.n1);
    const w2 = new Float64Array(sizes.n2);
    jacobianTransposeTimes(g, X1, X2, jv, w1, w2);
    const map1 = (u: Float64Array) => { const o = new Float64Array(sizes.e); jacobianTimes(g, X1, X2, u, new Float64Array(sizes.n2), o); return o; };
    const map2 = (u: Float64Array) => { const o = new Float64Array(sizes.e); jacobianTimes(g, X1, X2, new Float64Array(sizes.n1), u, o); return o; };
    const gramTimes = (map: (u: Float64Array) => Float64Array, n: number, v: Float64Array) => {
      const cols = Array.from({ length: n }, (_, j) => map(Float64Array.from({ length: n }, (_, q) => (q === j ? 1 : 0))));
      const Av = map(v);
      return Float64Array.from({ length: n }, (_, j) => dot(cols[j]!, Av));
    };
    const want1 = gramTimes(map1, sizes.n1, V1).map((v, q) => w1[q]! + mu * v);
    const want2 = gramTimes(map2, sizes.n2, V2).map((v, q) => w2[q]! + mu * v);
    const out1 = new Float64Array(sizes.n1).fill(Number.NaN);
    const out2 = new Float64Array(sizes.n2).fill(Number.NaN);
    dampedGaussNewtonTimes(g, X1, X2, V1, V2, mu, out1, out2, { a: new Float64Array(sizes.e), b: new Float64Array(sizes.e) });
    expect(maxAbsDiff(out1, want1)).toBeLessThanOrEqual(1e-11 * maxAbs(want1));
    expect(maxAbsDiff(out2, want2)).toBeLessThanOrEqual(1e-11 * maxAbs(want2));
  });
});
