/**
 * The structured normal equations (DESIGN.md, "Building the normal equations without the big im2col
 * matrix") against A^T A and A^T B from an explicitly built Toeplitz matrix A of the half-step,
 *   A[(c, s), (m, a)] = H[c, m, s - a],   B[(c, s), j] = T[c, j, s],
 * for both the f1 step (H = f2, unknowns f1) and the f2 step (H = f1 swapped, unknowns f2),
 * rectangular kernels included; and the model A x itself against the brute-force composition.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { f1FromSolution, f2FromSolution } from "../../src/als/factors.js";
import { normalEquations, type NormalEquations } from "../../src/als/normal-equations.js";
import { tapMajorTarget } from "../../src/geometry/tap-major.js";
import { swapChannels, type Size2, type Tensor4 } from "../../src/geometry/tensor.js";
import { at4, bruteCompose, crossOf, gramOf, matmul, maxAbs, maxAbsDiff, type Arr4 } from "../helpers/oracles.js";
import { TestRng } from "../helpers/random.js";

/** The explicit (c eh ew) x (m ah aw) matrix of the model compose[c, j, s] = sum_{m,a} H[c, m, s - a] X[(m, a), j]. */
function explicitA(H: Arr4, a: Size2): { A: Float64Array; rows: number; n: number } {
  const [c, m, kh, kw] = H.shape;
  const eh = kh + a.h - 1;
  const ew = kw + a.w - 1;
  const rows = c * eh * ew;
  const n = m * a.h * a.w;
  const A = new Float64Array(rows * n);
  for (let ci = 0; ci < c; ci++)
    for (let sh = 0; sh < eh; sh++)
      for (let sw = 0; sw < ew; sw++)
        for (let p = 0; p < m; p++)
          for (let ah = 0; ah < a.h; ah++)
            for (let aw = 0; aw < a.w; aw++) {
              const vh = sh - ah;
              const vw = sw - aw;
              if (vh < 0 || vh >= kh || vw < 0 || vw >= kw) continue;
              A[((ci * eh + sh) * ew + sw) * n + (p * a.h + ah) * a.w + aw] = at4(H, ci, p, vh, vw);
            }
  return { A, rows, n };
}

/** B[(c, s), j] = T[c, j, s]. */
function explicitB(T: Arr4): Float64Array {
  const [c, J, eh, ew] = T.shape;
  const B = new Float64Array(c * eh * ew * J);
  for (let ci = 0; ci < c; ci++)
    for (let j = 0; j < J; j++)
      for (let s = 0; s < eh * ew; s++) B[(ci * eh * ew + s) * J + j] = T.data[(ci * J + j) * eh * ew + s]!;
  return B;
}

function rnd(shape: readonly [number, number, number, number], rng: TestRng): Tensor4 {
  return { shape, data: rng.normals(shape[0] * shape[1] * shape[2] * shape[3]) };
}

const dims = fc.record({
  m: fc.integer({ min: 1, max: 3 }),
  cIn: fc.integer({ min: 1, max: 3 }),
  cOut: fc.integer({ min: 1, max: 3 }),
  k1h: fc.integer({ min: 1, max: 3 }),
  k1w: fc.integer({ min: 1, max: 4 }),
  k2h: fc.integer({ min: 1, max: 3 }),
  k2w: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

/** ne's G and R against A^T A and A^T B of the explicit Toeplitz matrix of H (B: the target's explicitB). */
function expectMatchesExplicit(ne: NormalEquations, H: Arr4, B: Float64Array, a: Size2, J: number): void {
  const { A, rows, n } = explicitA(H, a);
  const G = gramOf(A, rows, n);
  const R = crossOf(A, B, rows, n, J);
  expect(ne.n).toBe(n);
  expect(ne.J).toBe(J);
  expect(maxAbsDiff(ne.G, G)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(G)));
  expect(maxAbsDiff(ne.R, R)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(R)));
}

describe("normalEquations", () => {
  it("f1 step (H = f2, T, a = k1): G == A^T A and R == A^T B, rectangular kernels included", () => {
    fc.assert(
      fc.property(dims, (d) => {
        const rng = new TestRng(d.seed);
        const f2 = rnd([d.cOut, d.m, d.k2h, d.k2w], rng);
        const T = rnd([d.cOut, d.cIn, d.k1h + d.k2h - 1, d.k1w + d.k2w - 1], rng);
        const a = { h: d.k1h, w: d.k1w };
        const ne = normalEquations(f2, T, a);
        expectMatchesExplicit(ne, f2, explicitB(T), a, d.cIn);
        expect(ne.flops).toBeGreaterThan(0);
      }),
      { numRuns: 60 },
    );
  });

  it("f2 step (H = f1 swapped to (c_in, m, k1), T swapped, a = k2): G == A^T A and R == A^T B", () => {
    fc.assert(
      fc.property(dims, (d) => {
        const rng = new TestRng(d.seed);
        const f1 = rnd([d.m, d.cIn, d.k1h, d.k1w], rng);
        const T = rnd([d.cOut, d.cIn, d.k1h + d.k2h - 1, d.k1w + d.k2w - 1], rng);
        const H = swapChannels(f1);
        const Ts = swapChannels(T);
        const a = { h: d.k2h, w: d.k2w };
        expectMatchesExplicit(normalEquations(H, Ts, a), H, explicitB(Ts), a, d.cOut);
      }),
      { numRuns: 60 },
    );
  });

  it("a tap-major target (both steps) and a caller's G buffer give the explicit A^T A and A^T B too", () => {
    fc.assert(
      fc.property(dims, (d) => {
        const rng = new TestRng(d.seed);
        const f1 = rnd([d.m, d.cIn, d.k1h, d.k1w], rng);
        const f2 = rnd([d.cOut, d.m, d.k2h, d.k2w], rng);
        const T = rnd([d.cOut, d.cIn, d.k1h + d.k2h - 1, d.k1w + d.k2w - 1], rng);
        const steps = [
          { H: f2, Tt: tapMajorTarget(T, false), B: explicitB(T), a: { h: d.k1h, w: d.k1w }, J: d.cIn },
          { H: swapChannels(f1), Tt: tapMajorTarget(T, true), B: explicitB(swapChannels(T)), a: { h: d.k2h, w: d.k2w }, J: d.cOut },
        ];
        for (const st of steps) {
          const n = st.H.shape[1] * st.a.h * st.a.w;
          // A buffer longer than needed, holding garbage: every entry of G must be written.
          const buf = new Float64Array(n * n + 5).fill(Number.NaN);
          const ne = normalEquations(st.H, st.Tt, st.a, { G: buf });
          expect(ne.G.buffer).toBe(buf.buffer);
          expectMatchesExplicit(ne, st.H, st.B, st.a, st.J);
        }
      }),
      { numRuns: 40 },
    );
    const rng = new TestRng(2);
    expect(() => normalEquations(rnd([2, 2, 3, 3], rng), rnd([2, 3, 5, 5], rng), { h: 3, w: 3 }, { G: new Float64Array(10) })).toThrow(RangeError);
  });

  it("the half-step models are the composition: A(f2) x(f1) and A(f1) x(f2) both equal the brute-force compose(f1, f2)", () => {
    fc.assert(
      fc.property(dims, (d) => {
        const rng = new TestRng(d.seed);
        const f1 = rnd([d.m, d.cIn, d.k1h, d.k1w], rng);
        const f2 = rnd([d.cOut, d.m, d.k2h, d.k2w], rng);
        const C = bruteCompose(f1, f2);
        const E = C.shape[2] * C.shape[3];
        // f1 step: unknowns X[(m, u), i] = f1[m, i, u]; A X rows (o, s), cols i.
        const k1 = { h: d.k1h, w: d.k1w };
        const A1 = explicitA(f2, k1);
        const X1 = new Float64Array(A1.n * d.cIn);
        for (let p = 0; p < d.m; p++)
          for (let i = 0; i < d.cIn; i++)
            for (let u = 0; u < d.k1h * d.k1w; u++) X1[(p * d.k1h * d.k1w + u) * d.cIn + i] = f1.data[(p * d.cIn + i) * d.k1h * d.k1w + u]!;
        const P1 = matmul(A1.A, X1, A1.rows, A1.n, d.cIn);
        // f2 step: unknowns X[(m, v), o] = f2[o, m, v]; A X rows (i, s), cols o.
        const k2 = { h: d.k2h, w: d.k2w };
        const A2 = explicitA(swapChannels(f1), k2);
        const X2 = new Float64Array(A2.n * d.cOut);
        for (let p = 0; p < d.m; p++)
          for (let o = 0; o < d.cOut; o++)
            for (let v = 0; v < d.k2h * d.k2w; v++) X2[(p * d.k2h * d.k2w + v) * d.cOut + o] = f2.data[(o * d.m + p) * d.k2h * d.k2w + v]!;
        const P2 = matmul(A2.A, X2, A2.rows, A2.n, d.cOut);
        for (let o = 0; o < d.cOut; o++)
          for (let i = 0; i < d.cIn; i++)
            for (let s = 0; s < E; s++) {
              const want = C.data[(o * d.cIn + i) * E + s]!;
              expect(P1[(o * E + s) * d.cIn + i]).toBeCloseTo(want, 11);
              expect(P2[(i * E + s) * d.cOut + o]).toBeCloseTo(want, 11);
            }
        // and the src's unpacking of a solution vector is the inverse of the packing above
        expect(f1FromSolution(X1, d.m, k1, d.cIn).data).toEqual(f1.data);
        expect(f2FromSolution(X2, d.m, k2, d.cOut).data).toEqual(f2.data);
        expect(f1FromSolution(X1, d.m, k1, d.cIn).shape).toEqual(f1.shape);
        expect(f2FromSolution(X2, d.m, k2, d.cOut).shape).toEqual(f2.shape);
      }),
      { numRuns: 40 },
    );
  });

  it("when the target does not fit the taps then it throws", () => {
    const rng = new TestRng(1);
    expect(() => normalEquations(rnd([2, 2, 3, 3], rng), rnd([2, 3, 4, 5], rng), { h: 3, w: 3 })).toThrow(RangeError);
    expect(() => normalEquations(rnd([2, 2, 3, 3], rng), rnd([3, 3, 5, 5], rng), { h: 3, w: 3 })).toThrow(RangeError);
  });
});
