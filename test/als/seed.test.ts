/**
 * The seed method (DESIGN.md, method 1) against the NumPy peer (../shared/peers/numpy_reference.py):
 * a tiny unprojected residual and a large one after the single col2im projection, agreeing in kind
 * with the peer's figures in fixtures/expectations.json (the random streams differ), run live on a
 * small fixture when python3 with NumPy/SciPy is present. Also the seed's im2col formulation
 * X K = B checked against the brute-force composition, and the structured method's 10-iteration
 * residual against the peer's.
 */
import { describe, expect, it } from "vitest";
import { f1ToXT, im2colProblem, kToF2, projectToF1 } from "../../src/als/im2col-factor.js";
import { decompose } from "../../src/decompose.js";
import { pad2d } from "../../src/geometry/pad.js";
import { resolveGeometry } from "../../src/geometry/shapes.js";
import { size2, type Tensor4 } from "../../src/geometry/tensor.js";
import { REPO_ROOT, hasPeer, loadTensor4, PEER, peerCase } from "../helpers/fixtures.js";
import { bruteCompose, bruteResidualRel, maxAbsDiff } from "../helpers/oracles.js";
import { pythonFileJson, skipUnlessPython } from "../helpers/python.js";
import { TestRng } from "../helpers/random.js";

if (!hasPeer) console.warn(`test/als/seed.test.ts: NumPy peer not found at ${PEER}; skipping the live peer run`);

describe("the seed's im2col formulation", () => {
  it("X = im2col of f1 (window k2, full padding) times K = flipped f2 equals B, the composition laid out (i, p) x o", () => {
    const rng = new TestRng(8);
    const W: Tensor4 = { shape: [3, 2, 3, 5], data: rng.normals(90) };
    const g = resolveGeometry(W.shape, 2, { h: 3, w: 3 }, { h: 1, w: 3 });
    const f1: Tensor4 = { shape: [2, 2, 3, 3], data: rng.normals(36) };
    const f2: Tensor4 = { shape: [3, 2, 1, 3], data: rng.normals(18) };
    const C = bruteCompose(f1, f2); // (3, 2, 3, 5)
    const pb = im2colProblem(C, g);
    const { n, rows } = pb;
    expect(n).toBe(2 * 1 * 3);
    expect(rows).toBe(2 * 3 * 5);
    // K[(m, w), o] = f2[o, m, k2 - 1 - w], built here from the definition
    const K = new Float64Array(n * 3);
    for (let o = 0; o < 3; o++) for (let p = 0; p < 2; p++) for (let w = 0; w < 3; w++) K[(p * 3 + w) * 3 + o] = f2.data[(o * 2 + p) * 3 + (2 - w)]!;
    expect(kToF2(pb, K).data).toEqual(f2.data);
    const XT = f1ToXT(pb, f1);
    const prod = new Float64Array(rows * 3);
    for (let r = 0; r < rows; r++) for (let o = 0; o < 3; o++) {
      let s = 0;
      for (let q = 0; q < n; q++) s += XT[q * rows + r]! * K[q * 3 + o]!;
      prod[r * 3 + o] = s;
    }
    expect(maxAbsDiff(prod, pb.B)).toBeLessThan(1e-12);
    // col2im / counts undoes im2col on a real kernel
    expect(maxAbsDiff(projectToF1(pb, XT).data, f1.data)).toBeLessThan(1e-15);
  });
});

describe("seed method on the fixtures, in kind with the NumPy peer", () => {
  for (const file of ["random-8x8x3.npy", "facerec-conv32-1-conv1.npy"]) {
    it(`${file}, m = c_out, 10 iterations: unprojected < 1e-3, projected > 0.5, like the peer`, () => {
      const W = loadTensor4(file);
      const m = W.shape[0];
      const peer = peerCase(file, m, 10);
      const sp = peer.seed_projected!;
      expect(sp.unprojected_rel_residual).toBeLessThan(1e-3);
      expect(sp.rel_residual).toBeGreaterThan(0.5);
      const d = decompose(W, { filters: m, method: "seed", maxIter: 10, tol: 0, floor: false, functional: false });
      const un = d.report.residual.unprojectedRel;
      expect(un).not.toBeNull();
      expect(un!).toBeLessThan(1e-3);
      expect(d.report.trace[d.report.trace.length - 1]).toBe(un);
      expect(d.report.residual.rel).toBeGreaterThan(0.5);
      // the projected figure is checked against the brute-force composition, and is close to the peer's
      expect(bruteResidualRel(d.f1, d.f2, pad2d(W, size2(1)))).toBeCloseTo(d.report.residual.rel, 10);
      expect(Math.abs(d.report.residual.rel - sp.rel_residual)).toBeLessThan(0.05);
    });
  }

  it("structured at 10 iterations is within a factor 2 of the peer's structured figure (random-8x8x3 and facerec-conv32, m = c_out)", () => {
    for (const file of ["random-8x8x3.npy", "facerec-conv32-1-conv1.npy"]) {
      const W = loadTensor4(file);
      const m = W.shape[0];
      const peer = peerCase(file, m, 10).structured_als!.rel_residual;
      const d = decompose(W, { filters: m, maxIter: 10, tol: 0, floor: false, functional: false });
      expect(d.report.residual.rel).toBeLessThan(2 * peer);
      expect(d.report.residual.rel).toBeGreaterThan(0);
    }
  });

  it.skipIf(!hasPeer)("live: numpy_reference.py on random-8x8x3 with m = 2 agrees in kind, and its floor equals ours", (ctx) => {
    const res = pythonFileJson<{ lower_bound_rel: number; seed_projected: { rel_residual: number }; structured_als: { rel_residual: number } }>(
      PEER,
      ["--npy", "fixtures/random-8x8x3.npy", "--filters", "2", "--iters", "10"],
      REPO_ROOT,
    );
    const peer = skipUnlessPython(res, ctx, "test/als/seed.test.ts (live NumPy peer)");
    const W = loadTensor4("random-8x8x3.npy");
    const seed = decompose(W, { filters: 2, method: "seed", maxIter: 10, tol: 0, functional: false });
    expect(peer.seed_projected.rel_residual).toBeGreaterThan(0.5);
    expect(seed.report.residual.rel).toBeGreaterThan(0.5);
    expect(seed.report.residual.unprojectedRel!).toBeLessThan(seed.report.residual.rel);
    expect(seed.report.floor.rel).toBeCloseTo(peer.lower_bound_rel, 10);
    const st = decompose(W, { filters: 2, maxIter: 10, tol: 0, floor: false, functional: false });
    expect(st.report.residual.rel).toBeGreaterThanOrEqual(peer.lower_bound_rel * (1 - 1e-9));
    expect(st.report.residual.rel).toBeLessThan(1.5 * peer.structured_als.rel_residual);
  });
});
