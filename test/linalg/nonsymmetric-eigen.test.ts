/**
 * The real nonsymmetric eigen-solver (src/linalg/portable/nonsymmetric-eigen.ts: Householder
 * Hessenberg reduction, Francis double-shift QR, Schur back-substitution) against independent
 * oracles: numpy.linalg.eigvals / eig (LAPACK dgeev; skipped with a notice without python3 +
 * numpy), eigenvalues known in closed form (triangular, companion of a known polynomial, rotation
 * blocks), and properties (A v = lambda v, sum of eigenvalues = trace).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DecomposeError } from "../../src/errors.js";
import { hessenbergReduce } from "../../src/linalg/portable/hessenberg.js";
import { nonsymmetricEigen } from "../../src/linalg/portable/nonsymmetric-eigen.js";
import { pythonJson, skipUnlessPython } from "../helpers/python.js";
import { TestRng } from "../helpers/random.js";

type C = readonly [number, number];

const randomMatrix = (n: number, seed: number): Float64Array => new TestRng(seed).normals(n * n);

/** Greedy matching of two eigenvalue lists: the largest distance of a pair, over max(1, max |lambda|). */
function matchError(got: readonly C[], want: readonly C[]): number {
  expect(got.length).toBe(want.length);
  const left = [...got];
  let worst = 0;
  let scale = 1;
  for (const [a, b] of want) scale = Math.max(scale, Math.hypot(a, b));
  for (const [a, b] of want) {
    let best = -1;
    let bestD = Infinity;
    left.forEach(([x, y], q) => {
      const d = Math.hypot(x - a, y - b);
      if (d < bestD) {
        bestD = d;
        best = q;
      }
    });
    left.splice(best, 1);
    worst = Math.max(worst, bestD);
  }
  return worst / scale;
}

const pairs = (re: Float64Array, im: Float64Array): C[] => Array.from(re, (r, j) => [r, im[j]!] as const);

/** max_j ||A v_j - lambda_j v_j|| / (||A||_F ||v_j||), complex pairs expanded from EISPACK storage. */
function eigenResidual(n: number, A: Float64Array, re: Float64Array, im: Float64Array, V: Float64Array): number {
  let aNorm = 0;
  for (const x of A) aNorm += x * x;
  aNorm = Math.sqrt(aNorm) || 1;
  let worst = 0;
  for (let j = 0; j < n; j++) {
    const pairFirst = im[j]! > 0;
    const pairSecond = im[j]! < 0;
    const vr = (i: number) => (pairSecond ? V[i * n + j - 1]! : V[i * n + j]!);
    const vi = (i: number) => (pairFirst ? V[i * n + j + 1]! : pairSecond ? -V[i * n + j]! : 0);
    let rr = 0;
    let vv = 0;
    for (let i = 0; i < n; i++) {
      let ar = 0;
      let ai = 0;
      for (let k = 0; k < n; k++) {
        ar += A[i * n + k]! * vr(k);
        ai += A[i * n + k]! * vi(k);
      }
      const lr = re[j]! * vr(i) - im[j]! * vi(i);
      const li = re[j]! * vi(i) + im[j]! * vr(i);
      rr += (ar - lr) ** 2 + (ai - li) ** 2;
      vv += vr(i) ** 2 + vi(i) ** 2;
    }
    worst = Math.max(worst, Math.sqrt(rr / vv) / aNorm);
  }
  return worst;
}

describe("Hessenberg reduction", () => {
  it("A = Q H Q^T with Q orthogonal and H zero below the subdiagonal (n = 1..12)", () => {
    for (let n = 1; n <= 12; n++) {
      const A = randomMatrix(n, 100 + n);
      const H = A.slice();
      const Q = hessenbergReduce(n, H);
      let err = 0;
      let orth = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (i > j + 1) expect(H[i * n + j]).toBe(0);
          let qhq = 0;
          let qq = 0;
          for (let k = 0; k < n; k++) {
            qq += Q[k * n + i]! * Q[k * n + j]!;
            for (let l = 0; l < n; l++) qhq += Q[i * n + k]! * H[k * n + l]! * Q[j * n + l]!;
          }
          err = Math.max(err, Math.abs(qhq - A[i * n + j]!));
          orth = Math.max(orth, Math.abs(qq - (i === j ? 1 : 0)));
        }
      }
      expect(err).toBeLessThan(1e-13 * n * 4);
      expect(orth).toBeLessThan(1e-14 * n * 4);
    }
  });
});

describe("nonsymmetric eigenvalues and eigenvectors", () => {
  const sizes = [1, 2, 3, 4, 5, 7, 10, 16, 31, 64, 100, 200];

  it("match numpy.linalg.eigvals on random matrices, n = 1..200 (matched, 1e-9 of max |lambda|)", (ctx) => {
    const mats = sizes.map((n, q) => ({ n, A: Array.from(randomMatrix(n, q + 1)) }));
    const script = [
      "import sys, json, numpy as np",
      "out = []",
      "for c in json.load(sys.stdin):",
      "    w = np.linalg.eigvals(np.array(c['A']).reshape(c['n'], c['n']))",
      "    out.append([[float(z.real), float(z.imag)] for z in w])",
      "print(json.dumps(out))",
    ].join("\n");
    const want = skipUnlessPython(pythonJson<[number, number][][]>(script, mats), ctx, "test/linalg/nonsymmetric-eigen.test.ts (numpy eigvals)");
    mats.forEach((c, q) => {
      const e = nonsymmetricEigen(c.n, Float64Array.from(c.A));
      expect(matchError(pairs(e.re, e.im), want[q]!), `n = ${c.n}`).toBeLessThan(1e-9);
    });
  });

  it("complex pairs are adjacent, conjugate, im > 0 first; A v = lambda v to 1e-13 (n = 1..200)", () => {
    for (const n of sizes) {
      const A = randomMatrix(n, 1000 + n);
      const e = nonsymmetricEigen(n, A.slice(), { vectors: true });
      for (let j = 0; j < n; j++) {
        if (e.im[j]! > 0) {
          expect(e.re[j + 1]).toBe(e.re[j]);
          expect(e.im[j + 1]).toBe(-e.im[j]!);
          j++;
        } else expect(e.im[j]).toBe(0);
      }
      expect(eigenResidual(n, A, e.re, e.im, e.vectors!), `n = ${n}`).toBeLessThan(1e-13);
    }
  });

  it("eigenvectors agree with numpy.linalg.eig up to a complex scale (|<u, v>| = 1 for unit vectors)", (ctx) => {
    const n = 12;
    const A = randomMatrix(n, 77);
    const script = [
      "import sys, json, numpy as np",
      "c = json.load(sys.stdin)",
      "w, V = np.linalg.eig(np.array(c['A']).reshape(c['n'], c['n']))",
      "print(json.dumps([[float(z.real), float(z.imag), [[float(x.real), float(x.imag)] for x in V[:, j]]] for j, z in enumerate(w)]))",
    ].join("\n");
    const want = skipUnlessPython(pythonJson<[number, number, [number, number][]][]>(script, { n, A: Array.from(A) }), ctx, "test/linalg/nonsymmetric-eigen.test.ts (numpy eig)");
    const e = nonsymmetricEigen(n, A.slice(), { vectors: true });
    const V = e.vectors!;
    for (const [wr, wi, u] of want) {
      let j = 0;
      for (let q = 1; q < n; q++) if (Math.hypot(e.re[q]! - wr, e.im[q]! - wi) < Math.hypot(e.re[j]! - wr, e.im[j]! - wi)) j = q;
      // Our vector of eigenvalue j as complex entries.
      const ours = (i: number): C => {
        if (e.im[j]! > 0) return [V[i * n + j]!, V[i * n + j + 1]!];
        if (e.im[j]! < 0) return [V[i * n + j - 1]!, -V[i * n + j]!];
        return [V[i * n + j]!, 0];
      };
      let dr = 0;
      let di = 0;
      for (let i = 0; i < n; i++) {
        const [a, b] = ours(i);
        const [c, d] = u[i]!;
        dr += a * c + b * d; // <ours, theirs> = sum conj(ours) theirs
        di += a * d - b * c;
      }
      expect(Math.abs(Math.hypot(dr, di) - 1)).toBeLessThan(1e-10);
    }
  });

  it("known spectra: triangular, zero, identity, rotation blocks, a companion matrix with repeated roots", () => {
    const check = (n: number, A: number[], want: C[], tol: number) => {
      const e = nonsymmetricEigen(n, Float64Array.from(A), { vectors: true });
      expect(matchError(pairs(e.re, e.im), want)).toBeLessThanOrEqual(tol);
      expect(e.vectors!.every(Number.isFinite)).toBe(true);
    };
    // Upper triangular: the diagonal.
    check(4, [3, 1, 4, 1, 0, -5, 9, 2, 0, 0, 6, 5, 0, 0, 0, -3], [[3, 0], [-5, 0], [6, 0], [-3, 0]], 1e-14);
    // Lower triangular (not Hessenberg): the diagonal.
    check(3, [2, 0, 0, 7, -1, 0, 1, 8, 4], [[2, 0], [-1, 0], [4, 0]], 1e-13);
    check(5, new Array<number>(25).fill(0), new Array<C>(5).fill([0, 0]), 0);
    check(3, [1, 0, 0, 0, 1, 0, 0, 0, 1], [[1, 0], [1, 0], [1, 0]], 1e-15);
    // Rotation by theta scaled by 2: 2 e^{+- i theta}.
    const th = 0.7;
    check(2, [2 * Math.cos(th), -2 * Math.sin(th), 2 * Math.sin(th), 2 * Math.cos(th)], [[2 * Math.cos(th), 2 * Math.sin(th)], [2 * Math.cos(th), -2 * Math.sin(th)]], 1e-15);
    // The cyclic permutation (a classic stall for unshifted QR): the cube roots of unity.
    check(3, [0, 0, 1, 1, 0, 0, 0, 1, 0], [[1, 0], [-0.5, Math.sqrt(3) / 2], [-0.5, -Math.sqrt(3) / 2]], 1e-14);
    // Companion of (z - 1)^2 (z - 2)(z^2 + 1) = z^5 - 4z^4 + 6z^3 - 6z^2 + 5z - 2: a defective double root.
    const c = [4, -6, 6, -5, 2];
    const comp = new Array<number>(25).fill(0);
    for (let j = 0; j < 5; j++) comp[j] = c[j]!;
    for (let i = 1; i < 5; i++) comp[i * 5 + i - 1] = 1;
    // A double root is only determined to about sqrt(eps).
    check(5, comp, [[1, 0], [1, 0], [2, 0], [0, 1], [0, -1]], 1e-7);
  });

  it("repeated eigenvalues of a diagonalisable matrix are found to rounding (Q diag(1,1,1,2,2,-3) Q^T)", () => {
    const n = 6;
    const d = [1, 1, 1, 2, 2, -3];
    // A = S D S^-1 with S = I + N, N strictly upper triangular (S^-1 = I - N + N^2 - ...).
    const rng = new TestRng(5);
    const S = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) S[i * n + j] = i === j ? 1 : j > i ? 0.5 * rng.normal() : 0;
    const Sinv = new Float64Array(n * n);
    for (let j = n - 1; j >= 0; j--) {
      // Back-substitution for column j of S^-1 (upper unit triangular).
      for (let i = n - 1; i >= 0; i--) {
        let s = i === j ? 1 : 0;
        for (let k = i + 1; k < n; k++) s -= S[i * n + k]! * Sinv[k * n + j]!;
        Sinv[i * n + j] = s;
      }
    }
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) A[i * n + j]! += S[i * n + k]! * d[k]! * Sinv[k * n + j]!;
    const e = nonsymmetricEigen(n, A.slice(), { vectors: true });
    expect(matchError(pairs(e.re, e.im), d.map((x) => [x, 0] as const))).toBeLessThan(1e-12);
    expect(eigenResidual(n, A, e.re, e.im, e.vectors!)).toBeLessThan(1e-13);
  });

  it("property (fast-check, n = 1..24, scales 1e-3..1e3): sum of eigenvalues = trace, imaginary parts cancel, A v = lambda v", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(1e-3, 1, 1e3), (n, seed, scale) => {
        const A = randomMatrix(n, seed).map((x) => x * scale);
        const e = nonsymmetricEigen(n, A.slice(), { vectors: true });
        let tr = 0;
        let sr = 0;
        let si = 0;
        for (let i = 0; i < n; i++) {
          tr += A[i * n + i]!;
          sr += e.re[i]!;
          si += e.im[i]!;
        }
        const s = scale * Math.sqrt(n);
        expect(Math.abs(sr - tr)).toBeLessThan(1e-12 * s * n);
        expect(Math.abs(si)).toBeLessThan(1e-12 * s * n);
        expect(eigenResidual(n, A, e.re, e.im, e.vectors!)).toBeLessThan(1e-13);
      }),
      { numRuns: 60, seed: 8 },
    );
  });

  it("non-convergence is a typed E_NUMERIC error, never a hang", () => {
    const A = randomMatrix(6, 3);
    let caught: unknown;
    try {
      nonsymmetricEigen(6, A, { maxIterations: 0 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DecomposeError);
    expect((caught as DecomposeError).code).toBe("E_NUMERIC");
  });
});
