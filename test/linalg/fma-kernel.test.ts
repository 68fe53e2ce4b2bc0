import { afterAll, describe, expect, it } from "vitest";
import { gemmBlocked } from "../../src/linalg/gemm-blocked.js";
import { fmaLoadError, getKernel } from "../../src/linalg/kernels/registry.js";
import { serialExecutor } from "../../src/linalg/threads/executor.js";
import { WorkerExecutor } from "../../src/linalg/threads/workers.js";
import { naiveGemm, randomArray, relDiff } from "./helpers.js";

// The fused multiply-add kernel (gemm-fma-4x4.wat, relaxed SIMD). It may round differently from
// the reference kernel (one rounding per term when the machine fuses), so it is held to the naive
// loop within 1e-13, and bit for bit to itself across thread counts (same instruction everywhere).
const fma = getKernel("wasm-fma");
const pool = fma?.shared ? new WorkerExecutor(fma.shared, 3) : null;
afterAll(() => pool?.dispose());

const sizes = [1, 7, 33, 100, 257];
const table: [number, number, number, boolean, boolean, number, number][] = [];
for (const [i, s] of sizes.entries()) {
  const t = sizes[(i + 2) % sizes.length]!, u = sizes[(i + 4) % sizes.length]!;
  table.push([s, t, u, i % 2 === 0, i % 3 === 0, i === 3 ? -1 : 1, i % 2 === 0 ? 0 : 0.5]);
}
table.push([130, 300, 520, false, true, 0.25, -2]);

describe("the relaxed-SIMD FMA kernel", () => {
  it("loads on Node 20+ (relaxed SIMD behind a flag set at run time) and passes its self-check", () => {
    expect(fmaLoadError).toBeNull();
    expect(fma).toBeDefined();
  });
  it.skipIf(!fma).each(table)("when m=%i n=%i k=%i tA=%s tB=%s alpha=%d beta=%d then it matches the naive loop and 1 and 3 threads agree bit for bit", (m, n, k, ta, tb, alpha, beta) => {
    const kernel = fma!;
    const lda = ta ? m : k, ldb = tb ? k : n;
    const a = randomArray(m * k, 51), b = randomArray(k * n, 52), c0 = randomArray(m * n, 53);
    const want = c0.slice();
    naiveGemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, want, n);
    const one = c0.slice();
    gemmBlocked(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, one, n, { kernel, executor: serialExecutor });
    expect(relDiff(m, n, one, n, want, n)).toBeLessThan(1e-13);
    if (pool) {
      const three = c0.slice();
      gemmBlocked(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, three, n, { kernel, executor: pool });
      expect(three).toEqual(one);
    }
  });
  it.skipIf(!fma)("when beta is 0 then NaN in C does not propagate", () => {
    const m = 9, n = 10, k = 11;
    const a = randomArray(m * k, 54), b = randomArray(k * n, 55);
    const c = new Float64Array(m * n).fill(Number.NaN);
    gemmBlocked(false, false, m, n, k, 1, a, k, b, n, 0, c, n, { kernel: fma!, executor: serialExecutor });
    expect(c.every((x) => Number.isFinite(x))).toBe(true);
  });
});
