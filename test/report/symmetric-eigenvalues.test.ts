/**
 * symmetricEigenvalues (src/linalg/symmetric-eigenvalues.ts), the engine of the frequency floor,
 * against ml-matrix's EigenvalueDecomposition on random symmetric matrices (sizes 1, 2, 7, 33),
 * matrices with repeated eigenvalues built as Q diag(d) Q^T, and edge cases.
 */
import { EigenvalueDecomposition, Matrix, QrDecomposition } from "ml-matrix";
import { expect, it } from "vitest";
import { symmetricEigenvalues } from "../../src/linalg/symmetric-eigenvalues.js";
import { TestRng } from "../helpers/random.js";
import { describeEachBackend } from "../linalg/helpers.js";

function randomSymmetric(n: number, rng: TestRng): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      const v = rng.normal();
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  return a;
}

/** Q diag(d) Q^T with Q orthogonal from the QR of a random matrix. */
function withSpectrum(d: readonly number[], rng: TestRng): Float64Array {
  const n = d.length;
  const Q = new QrDecomposition(Matrix.from1DArray(n, n, rng.normals(n * n))).orthogonalMatrix;
  const A = Q.mmul(Matrix.diag(d)).mmul(Q.transpose());
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = (A.get(i, j) + A.get(j, i)) / 2;
  return out;
}

function oracle(n: number, a: Float64Array): number[] {
  const evd = new EigenvalueDecomposition(Matrix.from1DArray(n, n, a), { assumeSymmetric: true });
  return [...evd.realEigenvalues].sort((x, y) => x - y);
}

function expectSpectrum(got: Float64Array, want: readonly number[], scale: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, scale) * want.length);
  for (let i = 1; i < got.length; i++) expect(got[i]!).toBeGreaterThanOrEqual(got[i - 1]!);
}

describeEachBackend("symmetricEigenvalues", () => {
  for (const n of [1, 2, 3, 7, 33]) {
    it(`n = ${n}: random symmetric matrices match ml-matrix, ascending`, () => {
      const rng = new TestRng(100 + n);
      for (let trial = 0; trial < 3; trial++) {
        const a = randomSymmetric(n, rng);
        const want = oracle(n, a);
        const scale = Math.max(...want.map(Math.abs));
        expectSpectrum(symmetricEigenvalues(n, a.slice()), want, scale);
      }
    });
  }

  it("repeated eigenvalues (Q diag(d) Q^T) are recovered with their multiplicities", () => {
    const rng = new TestRng(5);
    for (const d of [
      [2, 2],
      [3, 3, 3, 3, 3, 3, 3],
      [-1, -1, 0, 0, 0, 4, 4],
      [1, 1, 1, 1, 2, 2, 2, 2, 5, 5, 5, 5, 5, 5, 5, 5, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 0],
      [1e-12, 1e-12, 1, 1],
    ]) {
      const a = withSpectrum(d, rng);
      const got = symmetricEigenvalues(d.length, a.slice());
      const want = [...d].sort((x, y) => x - y);
      expectSpectrum(got, want, Math.max(...d.map(Math.abs)));
      expectSpectrum(got, oracle(d.length, a), Math.max(...d.map(Math.abs)));
    }
  });

  it("diagonal, zero and already tridiagonal matrices", () => {
    expect(Array.from(symmetricEigenvalues(3, Float64Array.from([3, 0, 0, 0, -1, 0, 0, 0, 2])))).toEqual([-1, 2, 3]);
    expect(Array.from(symmetricEigenvalues(4, new Float64Array(16)))).toEqual([0, 0, 0, 0]);
    // tridiagonal [2 -1; -1 2 -1; -1 2]: eigenvalues 2 - 2 cos(k pi / 4)
    const t = Float64Array.from([2, -1, 0, -1, 2, -1, 0, -1, 2]);
    const want = [1, 2, 3].map((k) => 2 - 2 * Math.cos((k * Math.PI) / 4)).sort((x, y) => x - y);
    expectSpectrum(symmetricEigenvalues(3, t), want, 4);
  });

  it("is invariant to the scale of the matrix (1e-150 and 1e150)", () => {
    const rng = new TestRng(9);
    const a = randomSymmetric(7, rng);
    const want = oracle(7, a);
    for (const s of [1e-150, 1e150]) {
      const got = symmetricEigenvalues(7, a.map((x) => x * s));
      for (let i = 0; i < 7; i++) expect(got[i]! / s).toBeCloseTo(want[i]!, 10);
    }
  });
});

describeEachBackend("symmetricEigenvalues on (nearly) singular matrices", () => {
  it("converges on a rank-2 Gram with many zero eigenvalues (regression: QL stalled when both diagonal neighbours were ~0)", async () => {
    const { symmetricEigenvalues } = await import("../../src/linalg/symmetric-eigenvalues.js");
    const n = 64;
    // A = u u^T + v v^T, u_i = sin(1.7 i), v_i = cos(0.3 i): eigenvalues 0 (n - 2 times) and two positive.
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a[i * n + j] = Math.sin(1.7 * i) * Math.sin(1.7 * j) + Math.cos(0.3 * i) * Math.cos(0.3 * j);
    }
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i]!;
    const ev = symmetricEigenvalues(n, a.slice());
    for (let i = 0; i < n - 2; i++) expect(Math.abs(ev[i]!)).toBeLessThan(1e-12 * trace);
    expect(ev[n - 1]! + ev[n - 2]!).toBeCloseTo(trace, 10);
  });
});
