/**
 * compose (DESIGN.md, "Layout and semantics") against a brute-force quadruple loop over taps, and
 * against scipy.signal.convolve2d(f2[o, m], f1[m, i], "full") summed over m when python3 has SciPy.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compose, composeFlops, composeTapMajor } from "../../src/geometry/compose.js";
import { tapMajorTarget } from "../../src/geometry/tap-major.js";
import type { Tensor4 } from "../../src/geometry/tensor.js";
import { bruteCompose, maxAbs, maxAbsDiff } from "../helpers/oracles.js";
import { pythonJson, skipUnlessPython } from "../helpers/python.js";
import { TestRng } from "../helpers/random.js";

function randomTensor(shape: readonly [number, number, number, number], rng: TestRng): Tensor4 {
  return { shape, data: rng.normals(shape[0] * shape[1] * shape[2] * shape[3]) };
}

describe("compose", () => {
  it("when given random factors of any shape (rectangular too) then it equals the brute-force full convolution", () => {
    const dim = fc.integer({ min: 1, max: 4 });
    fc.assert(
      fc.property(dim, dim, dim, dim, dim, dim, dim, fc.integer({ min: 0, max: 1e6 }), (m, cIn, cOut, k1h, k1w, k2h, k2w, seed) => {
        const rng = new TestRng(seed);
        const f1 = randomTensor([m, cIn, k1h, k1w], rng);
        const f2 = randomTensor([cOut, m, k2h, k2w], rng);
        const got = compose(f1, f2);
        const want = bruteCompose(f1, f2);
        expect(got.shape).toEqual([cOut, cIn, k1h + k2h - 1, k1w + k2w - 1]);
        expect(maxAbsDiff(got.data, want.data)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(want.data)));
      }),
      { numRuns: 60 },
    );
  });

  it("composeTapMajor is the brute-force composition tap-major, and so is a tap-major target (both channel orders)", () => {
    const dim = fc.integer({ min: 1, max: 4 });
    fc.assert(
      fc.property(dim, dim, dim, dim, dim, fc.integer({ min: 0, max: 1e6 }), (m, cIn, cOut, k1, k2, seed) => {
        const rng = new TestRng(seed);
        const f1 = randomTensor([m, cIn, k1, k2], rng);
        const f2 = randomTensor([cOut, m, k2, k1], rng);
        const want = bruteCompose(f1, f2);
        const [, , eh, ew] = want.shape;
        const taps = eh * ew;
        const out = new Float64Array(want.data.length).fill(Number.NaN);
        const got = composeTapMajor(f1, f2, out);
        expect(got).toBe(out);
        const t1 = tapMajorTarget(want, false);
        const t2 = tapMajorTarget(want, true);
        expect([t1.c, t1.J, t1.eh, t1.ew, t2.c, t2.J]).toEqual([cOut, cIn, eh, ew, cIn, cOut]);
        const tol = 1e-12 * Math.max(1, maxAbs(want.data));
        for (let o = 0; o < cOut; o++)
          for (let i = 0; i < cIn; i++)
            for (let s = 0; s < taps; s++) {
              const w = want.data[(o * cIn + i) * taps + s]!;
              expect(Math.abs(got[(s * cOut + o) * cIn + i]! - w)).toBeLessThanOrEqual(tol);
              expect(t1.data[(s * cOut + o) * cIn + i]).toBe(w);
              expect(t2.data[(s * cIn + i) * cOut + o]).toBe(w);
            }
      }),
      { numRuns: 40 },
    );
    const rng = new TestRng(3);
    expect(() => composeTapMajor(randomTensor([2, 2, 3, 3], rng), randomTensor([2, 2, 3, 3], rng), new Float64Array(5))).toThrow(RangeError);
  });

  it("when f1 is a centred delta then the composition is f2 zero-padded (the trivial deepening split)", () => {
    const rng = new TestRng(7);
    const f2 = randomTensor([3, 2, 3, 3], rng);
    const d = new Float64Array(2 * 2 * 9);
    for (let p = 0; p < 2; p++) d[(p * 2 + p) * 9 + 4] = 1; // f1[m, m, 1, 1] = 1
    const C = compose({ shape: [2, 2, 3, 3], data: d }, f2);
    for (let o = 0; o < 3; o++)
      for (let i = 0; i < 2; i++)
        for (let y = 0; y < 5; y++)
          for (let x = 0; x < 5; x++) {
            const inside = y >= 1 && y <= 3 && x >= 1 && x <= 3;
            const want = inside ? f2.data[((o * 2 + i) * 3 + y - 1) * 3 + x - 1]! : 0;
            expect(C.data[((o * 2 + i) * 5 + y) * 5 + x]).toBe(want);
          }
  });

  it("when m differs between the factors then it throws", () => {
    const rng = new TestRng(1);
    expect(() => compose(randomTensor([2, 1, 3, 3], rng), randomTensor([1, 3, 3, 3], rng))).toThrow(/channels/);
  });

  it("counts 2 c_out m c_in k1h k1w k2h k2w flops", () => {
    const rng = new TestRng(2);
    expect(composeFlops(randomTensor([4, 3, 3, 5], rng), randomTensor([2, 4, 1, 3], rng))).toBe(2 * 2 * 4 * 3 * 15 * 3);
  });

  it("when SciPy is present then it equals sum_m scipy.signal.convolve2d(f2[o, m], f1[m, i], 'full')", (ctx) => {
    const rng = new TestRng(11);
    const f1 = randomTensor([3, 2, 3, 2], rng);
    const f2 = randomTensor([4, 3, 2, 4], rng);
    const script = [
      "import sys, json, numpy as np",
      "from scipy.signal import convolve2d",
      "d = json.load(sys.stdin)",
      "f1 = np.array(d['f1']).reshape(d['s1']); f2 = np.array(d['f2']).reshape(d['s2'])",
      "C = np.array([[sum(convolve2d(f2[o, m], f1[m, i], mode='full') for m in range(f1.shape[0]))",
      "               for i in range(f1.shape[1])] for o in range(f2.shape[0])])",
      "json.dump({'shape': list(C.shape), 'data': C.ravel().tolist()}, sys.stdout)",
    ].join("\n");
    const res = pythonJson<{ shape: number[]; data: number[] }>(script, {
      f1: Array.from(f1.data),
      s1: f1.shape,
      f2: Array.from(f2.data),
      s2: f2.shape,
    });
    const want = skipUnlessPython(res, ctx, "test/geometry/compose.test.ts (scipy.signal.convolve2d)");
    const got = compose(f1, f2);
    expect([...got.shape]).toEqual(want.shape);
    expect(maxAbsDiff(got.data, Float64Array.from(want.data))).toBeLessThan(1e-12);
  });
});
