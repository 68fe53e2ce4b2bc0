/**
 * Closed forms (methods/closed-form.ts) on every matrix geometry, against independent oracles:
 * the residual of the returned factors by brute-force composition, the Eckart-Young optimum from
 * NumPy's SVD of the unfolding written out here by hand (skipped with a notice without
 * python3 + numpy), ml-matrix's SVD, and structured ALS pushed to convergence (1e-9 relative).
 */
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { describe, expect, it } from "vitest";
import { defaultAlsOptions } from "../../src/als/options.js";
import { structuredAls } from "../../src/als/methods/structured.js";
import { decompose } from "../../src/decompose.js";
import { pad2d } from "../../src/geometry/pad.js";
import { resolveGeometry } from "../../src/geometry/shapes.js";
import type { Size2, Tensor4 } from "../../src/geometry/tensor.js";
import { closedForm } from "../../src/methods/closed-form.js";
import { bruteCompose, brutePad, relDiff } from "../helpers/oracles.js";
import { pythonJson, skipUnlessPython } from "../helpers/python.js";
import { TestRng } from "../helpers/random.js";

type Case = { name: string; shape: [number, number, number, number]; k1: Size2; k2: Size2; m: number; rows: (o: number, i: number, y: number, x: number) => [number, number] };

// Each case names the unfolding by hand: (row, col) of W[o, i, y, x] (ke = k in all but the last).
const CASES: Case[] = [
  { name: "3x3 -> 3x1 + 1x3 (sep-v)", shape: [5, 4, 3, 3], k1: { h: 3, w: 1 }, k2: { h: 1, w: 3 }, m: 3, rows: (o, i, y, x) => [o * 3 + x, i * 3 + y] },
  { name: "3x3 -> 1x3 + 3x1 (sep-h)", shape: [5, 4, 3, 3], k1: { h: 1, w: 3 }, k2: { h: 3, w: 1 }, m: 4, rows: (o, i, y, x) => [o * 3 + y, i * 3 + x] },
  { name: "3x5 -> 1x1 + 3x5 (1x1 first)", shape: [3, 6, 3, 5], k1: { h: 1, w: 1 }, k2: { h: 3, w: 5 }, m: 2, rows: (o, i, y, x) => [(o * 3 + y) * 5 + x, i] },
  { name: "3x3 -> 3x3 + 1x1 (1x1 second)", shape: [6, 2, 3, 3], k1: { h: 3, w: 3 }, k2: { h: 1, w: 1 }, m: 3, rows: (o, i, y, x) => [o, (i * 3 + y) * 3 + x] },
  { name: "1x1 -> 1x1 + 1x1 (channel SVD)", shape: [7, 5, 1, 1], k1: { h: 1, w: 1 }, k2: { h: 1, w: 1 }, m: 2, rows: (o, i) => [o, i] },
  { name: "5x1 -> 5x1 + 1x1 on a 1-D parent", shape: [4, 3, 5, 1], k1: { h: 5, w: 1 }, k2: { h: 1, w: 1 }, m: 2, rows: (o, i, y) => [o, i * 5 + y] },
];

const parentOf = (c: Case, seed: number): Tensor4 => ({ shape: c.shape, data: new TestRng(seed).normals(c.shape.reduce((a, b) => a * b, 1)) });

function unfolding(c: Case, W: Tensor4): number[][] {
  const [co, ci, kh, kw] = W.shape;
  const R = new Set<number>();
  const C = new Set<number>();
  const cells: [number, number, number][] = [];
  for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
    const [r, q] = c.rows(o, i, y, x);
    R.add(r);
    C.add(q);
    cells.push([r, q, W.data[((o * ci + i) * kh + y) * kw + x]!]);
  }
  const A = Array.from({ length: R.size }, () => new Array<number>(C.size).fill(0));
  for (const [r, q, v] of cells) A[r]![q] = v;
  return A;
}

/** ||W - best rank m|| / ||W|| from the singular values s. */
const tailRel = (s: readonly number[], m: number): number => Math.sqrt(s.slice(m).reduce((a, v) => a + v * v, 0) / s.reduce((a, v) => a + v * v, 0));

describe("closed form on matrix geometries", () => {
  for (const c of CASES) {
    it(`${c.name}: the brute-force residual of its factors is the Eckart-Young optimum (ml-matrix SVD), to 1e-12`, () => {
      const W = parentOf(c, 1);
      const g = resolveGeometry(W.shape, c.m, c.k1, c.k2);
      const r = closedForm(pad2d(W, g.targetPad), g, defaultAlsOptions);
      const rel = relDiff(bruteCompose(r.f1, r.f2).data, brutePad(W, g.targetPad.h, g.targetPad.w).data);
      const s = new SingularValueDecomposition(new Matrix(unfolding(c, W))).diagonal;
      expect(Math.abs(rel - tailRel(s, c.m))).toBeLessThan(1e-12);
      expect(r.stopReason).toBe("closed-form");
    });
  }

  it("equals NumPy's SVD optimum for every case (numpy.linalg.svd of the unfolding)", (ctx) => {
    const payload = CASES.map((c) => ({ A: unfolding(c, parentOf(c, 2)), m: c.m }));
    const script = [
      "import sys, json, numpy as np",
      "out = []",
      "for c in json.load(sys.stdin):",
      "    s = np.linalg.svd(np.array(c['A']), compute_uv=False)",
      "    out.append(float(np.sqrt((s[c['m']:] ** 2).sum() / (s ** 2).sum())))",
      "print(json.dumps(out))",
    ].join("\n");
    const want = skipUnlessPython(pythonJson<number[]>(script, payload), ctx, "test/methods/closed-form.test.ts (NumPy SVD)");
    CASES.forEach((c, q) => {
      const W = parentOf(c, 2);
      const d = decompose(W, { filters: c.m, k1: c.k1, k2: c.k2, functional: false });
      expect(d.report.method).toBe("closed-form");
      expect(Math.abs(d.report.residual.rel - want[q]!)).toBeLessThan(1e-12);
    });
  });

  it("the default method picks it and reports optimal (closed form), floor = optimum, ratio 1", () => {
    const c = CASES[0]!;
    const d = decompose(parentOf(c, 3), { filters: c.m, k1: c.k1, k2: c.k2 }).report;
    expect(d.method).toBe("closed-form");
    expect(d.methodChoice.requested).toBe("auto");
    expect(d.optimal).toBe(true);
    expect(d.floor.kind).toBe("optimum");
    expect(d.floor.ratio!).toBeGreaterThan(1 - 1e-9);
    expect(d.floor.ratio!).toBeLessThan(1 + 1e-9);
    expect(d.quality!.regime.name).toBe("matrix");
  });

  it("structured ALS forced, pushed to convergence, agrees with it to 1e-9 relative (planted spectral gap at m)", () => {
    for (const c of CASES) {
      // W = a strong rank-m part plus a weak rest, in the unfolding: a gap so ALS converges fast.
      const rng = new TestRng(40);
      const W0 = parentOf(c, 4);
      const g = resolveGeometry(W0.shape, c.m, c.k1, c.k2);
      const strong = closedForm(W0, g, defaultAlsOptions);
      const C = bruteCompose(strong.f1, strong.f2);
      const W: Tensor4 = { shape: W0.shape, data: C.data.map((v) => 10 * v + 0.3 * rng.normal()) };
      const T = pad2d(W, g.targetPad);
      const cf = closedForm(T, g, defaultAlsOptions);
      const als = structuredAls(T, g, { ...defaultAlsOptions, maxIter: 3000, tol: 0, stallTol: 0, stallWindow: 50, lambda: 1e-8 });
      const a = cf.trace[0]!;
      const b = als.trace[als.trace.length - 1]!;
      expect(Math.abs(b - a) / a, c.name).toBeLessThan(1e-9);
      // Not below the optimum beyond the closed form's own rounding: its singular vectors come from
      // the eigenvectors of the smaller Gram, so its residual is the optimum's to about 1e-12
      // relative (ALS, converged, measured 1.0e-12 below it on one case).
      expect(b).toBeGreaterThanOrEqual(a * (1 - 1e-11));
    }
  });

  it("forcing closed-form on a geometry that is not a matrix one is one clear E_OPTION error", () => {
    const W = parentOf(CASES[0]!, 5);
    expect(() => decompose(W, { filters: 2, method: "closed-form" })).toThrow(/no closed form for k1=3x3, k2=3x3/);
  });
});
