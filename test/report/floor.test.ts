/**
 * frequencyFloor (DESIGN.md, "Numbers the report always carries") against
 *  - NumPy (np.fft.fft2 + np.linalg.svd, as freq_lower_bound in the peer), live when python3 has it;
 *  - the peer's recorded lower_bound_rel figures in fixtures/expectations.json;
 *  - an independent TypeScript oracle: the full DFT by direct sums and ml-matrix's SVD of the real
 *    embedding [[Re M, -Im M], [Im M, Re M]] (each singular value of M twice), at every frequency.
 * And its meaning: 0 when m >= min(c_in, c_out), never above an achieved residual.
 */
import fc from "fast-check";
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { describe, expect, it } from "vitest";
import type { MethodName } from "../../src/methods/registry.js";
import { decompose } from "../../src/decompose.js";
import { pad2d } from "../../src/geometry/pad.js";
import type { Tensor4 } from "../../src/geometry/tensor.js";
import { frequencyFloor } from "../../src/report/floor.js";
import { loadTensor4, type PeerCase } from "../helpers/fixtures.js";
import { bruteResidualRel, norm } from "../helpers/oracles.js";
import { pythonJson, skipUnlessPython } from "../helpers/python.js";
import { TestRng } from "../helpers/random.js";
import { readFileSync } from "node:fs";
import { fixturePath } from "../helpers/fixtures.js";

/** The floor by definition: full DFT of size (Nh, Nw) = T's spatial size, SVD of the real embedding per frequency. */
function oracleFloorRel(T: Tensor4, m: number): number {
  const [co, ci, Nh, Nw] = T.shape;
  let tail = 0;
  for (let fh = 0; fh < Nh; fh++)
    for (let fw = 0; fw < Nw; fw++) {
      const emb = Matrix.zeros(2 * co, 2 * ci);
      for (let o = 0; o < co; o++)
        for (let i = 0; i < ci; i++) {
          let re = 0;
          let im = 0;
          for (let y = 0; y < Nh; y++)
            for (let x = 0; x < Nw; x++) {
              const ph = -2 * Math.PI * ((fh * y) / Nh + (fw * x) / Nw);
              const v = T.data[((o * ci + i) * Nh + y) * Nw + x]!;
              re += v * Math.cos(ph);
              im += v * Math.sin(ph);
            }
          emb.set(o, i, re);
          emb.set(o + co, i + ci, re);
          emb.set(o, i + ci, -im);
          emb.set(o + co, i, im);
        }
      const s = [...new SingularValueDecomposition(emb, { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal].sort((a, b) => b - a);
      for (let j = 2 * m; j < s.length; j++) tail += (s[j]! * s[j]!) / 2;
    }
  return Math.sqrt(tail / (Nh * Nw)) / norm(T.data);
}

function randomT(shape: readonly [number, number, number, number], seed: number): Tensor4 {
  return { shape, data: new TestRng(seed).normals(shape[0] * shape[1] * shape[2] * shape[3]) };
}

describe("frequencyFloor", () => {
  it("equals the TS oracle (direct DFT + ml-matrix SVD of the real embedding) on small random targets, rectangular included", () => {
    const dim = fc.integer({ min: 1, max: 4 });
    fc.assert(
      fc.property(dim, dim, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1e6 }), (co, ci, nh, nw, m, seed) => {
        const T = randomT([co, ci, nh, nw], seed);
        const f = frequencyFloor(T, m);
        expect(f.dft).toEqual({ h: nh, w: nw });
        const want = oracleFloorRel(T, m);
        expect(f.rel).toBeCloseTo(want, 11);
        expect(f.abs).toBeCloseTo(want * norm(T.data), 10);
        if (m >= Math.min(co, ci)) expect(f.rel).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it("is 0 when m >= min(c_in, c_out), and for a zero target", () => {
    expect(frequencyFloor(randomT([3, 5, 5, 5], 1), 3).rel).toBe(0);
    expect(frequencyFloor(randomT([6, 2, 5, 5], 2), 2).abs).toBe(0);
    expect(frequencyFloor({ shape: [4, 4, 5, 5], data: new Float64Array(400) }, 1).rel).toBe(0);
  });

  it("matches the peer's recorded lower_bound_rel for every fixture case in expectations.json", () => {
    const all = JSON.parse(readFileSync(fixturePath("expectations.json"), "utf8")) as Record<string, { cases?: PeerCase[] } | string>;
    let checked = 0;
    for (const [file, entry] of Object.entries(all)) {
      if (typeof entry === "string" || entry.cases === undefined) continue;
      const W = loadTensor4(file);
      const [, , kh, kw] = W.shape;
      for (const c of entry.cases) {
        const k1 = Array.isArray(c.k1) ? c.k1 : [c.k1, c.k1];
        const k2 = Array.isArray(c.k2) ? c.k2 : [c.k2, c.k2];
        const T = pad2d(W, { h: (k1[0]! + k2[0]! - 1 - kh) / 2, w: (k1[1]! + k2[1]! - 1 - kw) / 2 });
        const f = frequencyFloor(T, c.filters);
        expect(Math.abs(f.rel - c.lower_bound_rel), `${file} m=${c.filters}`).toBeLessThan(1e-9);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it("equals NumPy's fft2 + svd computation (freq_lower_bound) live, for square and rectangular targets", (ctx) => {
    const cases = [
      { T: randomT([3, 4, 5, 5], 11), m: 1 },
      { T: randomT([5, 2, 5, 9], 12), m: 1 },
      { T: randomT([4, 6, 3, 7], 13), m: 3 },
      { T: randomT([6, 6, 4, 4], 14), m: 2 },
    ];
    const script = [
      "import sys, json, numpy as np",
      "out = []",
      "for c in json.load(sys.stdin):",
      "    T = np.array(c['data']).reshape(c['shape']); m = c['m']",
      "    F = np.fft.fft2(T, s=T.shape[2:])",
      "    tail = 0.0",
      "    for fh in range(T.shape[2]):",
      "        for fw in range(T.shape[3]):",
      "            s = np.linalg.svd(F[:, :, fh, fw], compute_uv=False)",
      "            tail += np.sum(s[m:] ** 2)",
      "    out.append(float(np.sqrt(tail / (T.shape[2] * T.shape[3])) / np.linalg.norm(T)))",
      "json.dump(out, sys.stdout)",
    ].join("\n");
    const res = pythonJson<number[]>(script, cases.map((c) => ({ shape: c.T.shape, data: Array.from(c.T.data), m: c.m })));
    const want = skipUnlessPython(res, ctx, "test/report/floor.test.ts (NumPy floor)");
    cases.forEach((c, q) => expect(frequencyFloor(c.T, c.m).rel).toBeCloseTo(want[q]!, 12));
  });

  it("equals NumPy at sizes that take the blocked Hermitian reduction (d > 97) and the real path (even DFT sizes: real Nyquist frequencies)", (ctx) => {
    const cases = [
      { T: randomT([120, 130, 4, 4], 21), m: 40 },
      { T: randomT([131, 110, 3, 6], 22), m: 70 },
    ];
    const script = [
      "import sys, json, numpy as np",
      "out = []",
      "for c in json.load(sys.stdin):",
      "    T = np.array(c['data']).reshape(c['shape']); m = c['m']",
      "    F = np.fft.fft2(T, s=T.shape[2:])",
      "    tail = sum(np.sum(np.linalg.svd(F[:, :, fh, fw], compute_uv=False)[m:] ** 2) for fh in range(T.shape[2]) for fw in range(T.shape[3]))",
      "    out.append(float(np.sqrt(tail / (T.shape[2] * T.shape[3])) / np.linalg.norm(T)))",
      "json.dump(out, sys.stdout)",
    ].join("\n");
    const res = pythonJson<number[]>(script, cases.map((c) => ({ shape: c.T.shape, data: Array.from(c.T.data), m: c.m })));
    const want = skipUnlessPython(res, ctx, "test/report/floor.test.ts (NumPy floor, blocked sizes)");
    // At these sizes the subtracted rounding slack (4 (2d + r) eps lambda_max per eigenvalue, d - m of
    // them) is visible at ~1e-12 relative: the floor sits just below NumPy's, never above it.
    cases.forEach((c, q) => {
      const got = frequencyFloor(c.T, c.m).rel;
      expect(got).toBeLessThanOrEqual(want[q]! * (1 + 1e-14));
      expect(got).toBeGreaterThanOrEqual(want[q]! * (1 - 1e-11));
    });
  });

  it("is never above the residual any method achieves (compression fixtures, all three methods)", () => {
    const methods: MethodName[] = ["structured", "projected", "seed"];
    for (const [file, m] of [["random-8x8x3.npy", 2], ["random-16x8x3.npy", 3], ["rect-4x6x3x5.npy", 1]] as const) {
      const W = loadTensor4(file);
      for (const method of methods) {
        const d = decompose(W, { filters: m, method, maxIter: 15, tol: 0, functional: false });
        const T = pad2d(W, d.report.target.pad);
        const achieved = bruteResidualRel(d.f1, d.f2, T);
        expect(d.report.floor.rel).toBeGreaterThan(0);
        expect(d.report.floor.rel).toBeLessThanOrEqual(achieved * (1 + 1e-12));
        expect(d.report.floor.ratio!).toBeGreaterThanOrEqual(1 - 1e-12);
      }
    }
  });

  it("on the exactly factorable fixture the floor is at rounding level, below the residual of the known split", () => {
    // T = compose(f1, f2) with m = 4 < min(5, 6): every frequency matrix has rank <= 4, so the true floor
    // is 0; NumPy's SVD gives 7.4e-17 (expectations.json). The known split's own residual is ~1e-16.
    const W = loadTensor4("factorable-5x6x5-m4.npy");
    const f1 = loadTensor4("factorable-5x6x5-m4.f1.npy");
    const f2 = loadTensor4("factorable-5x6x5-m4.f2.npy");
    const known = bruteResidualRel(f1, f2, W);
    expect(known).toBeLessThan(1e-14);
    const f = frequencyFloor(W, 4);
    expect(f.rel).toBeLessThanOrEqual(Math.max(known, 1e-14));
  });

  it("is never above the residual of random factors (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 2 }), (seed, m) => {
        const rng = new TestRng(seed);
        const f1: Tensor4 = { shape: [m, 3, 2, 3], data: rng.normals(m * 18) };
        const f2: Tensor4 = { shape: [4, m, 2, 1], data: rng.normals(m * 8) };
        const T = randomT([4, 3, 3, 3], seed + 1);
        expect(frequencyFloor(T, m).rel).toBeLessThanOrEqual(bruteResidualRel(f1, f2, T) * (1 + 1e-12));
      }),
      { numRuns: 40 },
    );
  });
});
