/**
 * hermitianEigenvalues (src/linalg/hermitian-eigenvalues.ts), the engine of the frequency floor,
 * against an independent oracle: ml-matrix's EigenvalueDecomposition of the real symmetric embedding
 * [[Re H, -Im H], [Im H, Re H]] (2n x 2n), whose spectrum is H's with every eigenvalue twice. Random
 * Hermitian matrices of sizes 1, 2, 3, 7, 33 (unblocked path) and 130, 161 (blocked panels + GEMM
 * trailing updates, then the unblocked tail), the real symmetric path (Im = null), rank-deficient
 * Grams (the QL must converge), repeated eigenvalues, and the promise that only the upper triangle
 * is read.
 */
import { EigenvalueDecomposition, Matrix, QrDecomposition } from "ml-matrix";
import { expect, it } from "vitest";
import { hermitianEigenvalues } from "../../src/linalg/hermitian-eigenvalues.js";
import { TestRng } from "../helpers/random.js";
import { describeEachBackend } from "../linalg/helpers.js";

interface Herm {
  re: Float64Array;
  im: Float64Array;
}

function randomHermitian(n: number, rng: TestRng): Herm {
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    re[i * n + i] = rng.normal();
    for (let j = i + 1; j < n; j++) {
      const r = rng.normal();
      const s = rng.normal();
      re[i * n + j] = r;
      re[j * n + i] = r;
      im[i * n + j] = s;
      im[j * n + i] = -s;
    }
  }
  return { re, im };
}

/** G = M^H M for a random complex M (rows x n): Hermitian PSD of rank min(rows, n). */
function complexGram(n: number, rows: number, rng: TestRng): Herm {
  const mr = rng.normals(rows * n);
  const mi = rng.normals(rows * n);
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let sr = 0;
      let si = 0;
      for (let r = 0; r < rows; r++) {
        // conj(M_ri) M_rj
        const ar = mr[r * n + i]!;
        const ai = mi[r * n + i]!;
        const br = mr[r * n + j]!;
        const bi = mi[r * n + j]!;
        sr += ar * br + ai * bi;
        si += ar * bi - ai * br;
      }
      re[i * n + j] = sr;
      im[i * n + j] = si;
    }
  return { re, im };
}

/** U diag(d) U^H with U = (complex Householder reflector) x (real orthogonal Q from a QR) x diag(e^{i phi}): unitary and genuinely complex. */
function withSpectrum(d: readonly number[], rng: TestRng): Herm {
  const n = d.length;
  const Q = new QrDecomposition(Matrix.from1DArray(n, n, rng.normals(n * n))).orthogonalMatrix;
  const phi = Array.from({ length: n }, () => 2 * Math.PI * rng.uniform());
  const ur = rng.normals(n);
  const ui = rng.normals(n);
  let uu = 0;
  for (let i = 0; i < n; i++) uu += ur[i]! * ur[i]! + ui[i]! * ui[i]!;
  const Ur = new Float64Array(n * n);
  const Ui = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      // (I - 2 u u^H / uu) Q, then column j times e^{i phi_j}
      let sr = Q.get(i, j);
      let si = 0;
      let hr = 0;
      let hi = 0;
      for (let k = 0; k < n; k++) {
        // u_i conj(u_k) Q_kj
        hr += (ur[i]! * ur[k]! + ui[i]! * ui[k]!) * Q.get(k, j);
        hi += (ui[i]! * ur[k]! - ur[i]! * ui[k]!) * Q.get(k, j);
      }
      sr -= (2 * hr) / uu;
      si -= (2 * hi) / uu;
      Ur[i * n + j] = sr * Math.cos(phi[j]!) - si * Math.sin(phi[j]!);
      Ui[i * n + j] = sr * Math.sin(phi[j]!) + si * Math.cos(phi[j]!);
    }
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let sr = 0;
      let si = 0;
      for (let k = 0; k < n; k++) {
        // U_ik d_k conj(U_jk)
        sr += d[k]! * (Ur[i * n + k]! * Ur[j * n + k]! + Ui[i * n + k]! * Ui[j * n + k]!);
        si += d[k]! * (Ui[i * n + k]! * Ur[j * n + k]! - Ur[i * n + k]! * Ui[j * n + k]!);
      }
      re[i * n + j] = sr;
      im[i * n + j] = si;
    }
  return { re, im };
}

/** Eigenvalues of H from ml-matrix on the real embedding: every one appears twice; take every other. */
function oracle(n: number, h: Herm): number[] {
  const E = Matrix.zeros(2 * n, 2 * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      // symmetrise, as the embedding of the Hermitian part of the input
      const r = (h.re[i * n + j]! + h.re[j * n + i]!) / 2;
      const s = (h.im[i * n + j]! - h.im[j * n + i]!) / 2;
      E.set(i, j, r);
      E.set(i + n, j + n, r);
      E.set(i, j + n, -s);
      E.set(i + n, j, s);
    }
  const all = [...new EigenvalueDecomposition(E, { assumeSymmetric: true }).realEigenvalues].sort((x, y) => x - y);
  for (let i = 0; i < n; i++) expect(Math.abs(all[2 * i]! - all[2 * i + 1]!)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(all[2 * n - 1]!), Math.abs(all[0]!)));
  return all.filter((_, i) => i % 2 === 0);
}

function realOracle(n: number, a: Float64Array): number[] {
  const sym = Matrix.from1DArray(n, n, a);
  return [...new EigenvalueDecomposition(sym.add(sym.transpose()).div(2), { assumeSymmetric: true }).realEigenvalues].sort((x, y) => x - y);
}

function expectSpectrum(got: Float64Array, want: readonly number[], scale: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-13 * Math.max(1, scale) * want.length);
  for (let i = 1; i < got.length; i++) expect(got[i]!).toBeGreaterThanOrEqual(got[i - 1]!);
}

const maxAbs = (xs: readonly number[]): number => Math.max(...xs.map(Math.abs));

describeEachBackend("hermitianEigenvalues", () => {
  for (const n of [1, 2, 3, 7, 33, 130, 161]) {
    it(`n = ${n}: random Hermitian matrices match ml-matrix on the real embedding, ascending`, () => {
      const rng = new TestRng(200 + n);
      for (let trial = 0; trial < (n > 100 ? 1 : 3); trial++) {
        const h = randomHermitian(n, rng);
        const want = oracle(n, h);
        expectSpectrum(hermitianEigenvalues(n, h.re.slice(), h.im.slice()), want, maxAbs(want));
      }
    });
  }

  for (const n of [1, 2, 3, 7, 33, 130]) {
    it(`n = ${n}: the real symmetric path (im = null) matches ml-matrix`, () => {
      const rng = new TestRng(300 + n);
      const h = randomHermitian(n, rng);
      const want = realOracle(n, h.re);
      expectSpectrum(hermitianEigenvalues(n, h.re.slice(), null), want, maxAbs(want));
    });
  }

  it("reads only the upper triangle: NaN below the diagonal (and in Im's diagonal) changes nothing", () => {
    for (const n of [7, 130]) {
      const h = randomHermitian(n, new TestRng(400 + n));
      const want = hermitianEigenvalues(n, h.re.slice(), h.im.slice());
      const re = h.re.slice();
      const im = h.im.slice();
      for (let i = 0; i < n; i++) {
        im[i * n + i] = Number.NaN;
        for (let j = 0; j < i; j++) {
          re[i * n + j] = Number.NaN;
          im[i * n + j] = Number.NaN;
        }
      }
      expect(Array.from(hermitianEigenvalues(n, re.slice(), im))).toEqual(Array.from(want));
      expect(Array.from(hermitianEigenvalues(n, re, null))).toEqual(Array.from(hermitianEigenvalues(n, h.re.slice(), null)));
    }
  });

  it("repeated eigenvalues (U diag(d) U^H, U complex unitary) are recovered with their multiplicities", () => {
    const rng = new TestRng(6);
    for (const d of [
      [2, 2],
      [3, 3, 3, 3, 3, 3, 3],
      [-1, -1, 0, 0, 0, 4, 4],
      [1, 1, 1, 1, 2, 2, 2, 2, 5, 5, 5, 5, 5, 5, 5, 5, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 0],
      [1e-12, 1e-12, 1, 1],
      Array.from({ length: 120 }, (_, i) => Math.floor(i / 10)),
    ]) {
      const h = withSpectrum(d, rng);
      const got = hermitianEigenvalues(d.length, h.re.slice(), h.im.slice());
      const want = [...d].sort((x, y) => x - y);
      expectSpectrum(got, want, maxAbs(d));
      if (d.length < 100) expectSpectrum(got, oracle(d.length, h), maxAbs(d));
    }
  });

  it("converges on rank-deficient Grams (rank 2 of size 64, rank 5 of size 150): the zero eigenvalues stay at rounding level", () => {
    for (const [n, rank] of [
      [64, 2],
      [150, 5],
    ] as const) {
      const h = complexGram(n, rank, new TestRng(n));
      let trace = 0;
      for (let i = 0; i < n; i++) trace += h.re[i * n + i]!;
      const ev = hermitianEigenvalues(n, h.re.slice(), h.im.slice());
      for (let i = 0; i < n - rank; i++) expect(Math.abs(ev[i]!)).toBeLessThan(1e-13 * n * trace);
      let top = 0;
      for (let i = n - rank; i < n; i++) top += ev[i]!;
      expect(top).toBeCloseTo(trace, 9);
      const want = oracle(n, h);
      expectSpectrum(ev, want, maxAbs(want));
    }
    // The real path on the rank-2 Gram of the symmetric-eigenvalues regression.
    const n = 64;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = Math.sin(1.7 * i) * Math.sin(1.7 * j) + Math.cos(0.3 * i) * Math.cos(0.3 * j);
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i]!;
    const ev = hermitianEigenvalues(n, a, null);
    for (let i = 0; i < n - 2; i++) expect(Math.abs(ev[i]!)).toBeLessThan(1e-12 * trace);
    expect(ev[n - 1]! + ev[n - 2]!).toBeCloseTo(trace, 10);
  });

  it("diagonal, zero, already tridiagonal (complex off-diagonal) and block-diagonal matrices, small and blocked sizes", () => {
    expect(Array.from(hermitianEigenvalues(3, Float64Array.from([3, 0, 0, 0, -1, 0, 0, 0, 2]), new Float64Array(9)))).toEqual([-1, 2, 3]);
    expect(Array.from(hermitianEigenvalues(4, new Float64Array(16), new Float64Array(16)))).toEqual([0, 0, 0, 0]);
    expect(Array.from(hermitianEigenvalues(0, new Float64Array(0), new Float64Array(0)))).toEqual([]);
    // [2, -i, 0; i, 2, -i; 0, i, 2] is unitarily similar to tridiag(-1, 2, -1): 2 - 2 cos(k pi / 4)
    const want = [1, 2, 3].map((k) => 2 - 2 * Math.cos((k * Math.PI) / 4)).sort((x, y) => x - y);
    expectSpectrum(hermitianEigenvalues(3, Float64Array.from([2, 0, 0, 0, 2, 0, 0, 0, 2]), Float64Array.from([0, -1, 0, 1, 0, -1, 0, 1, 0])), want, 4);
    // Diagonal of size 150 (every panel column already reduced) and two decoupled random blocks.
    const n = 150;
    const dr = new Float64Array(n * n);
    for (let i = 0; i < n; i++) dr[i * n + i] = n - i;
    expect(Array.from(hermitianEigenvalues(n, dr.slice(), new Float64Array(n * n)))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    const rng = new TestRng(77);
    const A = randomHermitian(60, rng);
    const B = randomHermitian(n - 60, rng);
    const re = new Float64Array(n * n);
    const im = new Float64Array(n * n);
    for (let i = 0; i < 60; i++)
      for (let j = 0; j < 60; j++) {
        re[i * n + j] = A.re[i * 60 + j]!;
        im[i * n + j] = A.im[i * 60 + j]!;
      }
    for (let i = 0; i < n - 60; i++)
      for (let j = 0; j < n - 60; j++) {
        re[(i + 60) * n + j + 60] = B.re[i * (n - 60) + j]!;
        im[(i + 60) * n + j + 60] = B.im[i * (n - 60) + j]!;
      }
    const blocks = [...oracle(60, A), ...oracle(n - 60, B)].sort((x, y) => x - y);
    expectSpectrum(hermitianEigenvalues(n, re, im), blocks, maxAbs(blocks));
  });

  it("is invariant to the scale of the matrix (1e-150 and 1e150)", () => {
    const h = randomHermitian(7, new TestRng(9));
    const want = oracle(7, h);
    for (const s of [1e-150, 1e150]) {
      const got = hermitianEigenvalues(
        7,
        h.re.map((x) => x * s),
        h.im.map((x) => x * s),
      );
      for (let i = 0; i < 7; i++) expect(got[i]! / s).toBeCloseTo(want[i]!, 10);
    }
  });
});
