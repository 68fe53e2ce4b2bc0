import { afterEach, describe, expect, it } from "vitest";
import { blockConfig } from "../../src/linalg/config.js";
import { gemmBlocked } from "../../src/linalg/gemm-blocked.js";
import { availableKernels, getKernel } from "../../src/linalg/kernels/registry.js";
import { serialExecutor } from "../../src/linalg/threads/executor.js";
import { WorkerExecutor } from "../../src/linalg/threads/workers.js";
import { naiveGemm, randomArray, relDiff } from "./helpers.js";

// Tiny blocks force many steps, several B panels and C blocks, so every double buffer of the
// software-pipelined driver (gemm-blocked.ts) is used, with and without worker threads.
const saved = { ...blockConfig };
afterEach(() => Object.assign(blockConfig, saved));
const tiny = { mc: 12, kc: 8, bPanelDoubles: 40 * 8 };

const ref = getKernel("ref")!;
const kernels = availableKernels().map((name) => getKernel(name)!);

const table: [number, number, number, boolean, boolean, number, number][] = [
  [1, 1, 1, false, false, 1, 0],
  [7, 33, 17, true, false, 2, 1],
  [33, 100, 33, false, true, 1, 0.5],
  [100, 7, 57, true, true, -1, 0],
  [57, 100, 33, false, false, 0.25, -2],
];

describe.each(kernels.map((k) => [k.name, k] as const))("pipelined driver with tiny blocks, kernel %s", (_name, kernel) => {
  it.each(table)("when m=%i n=%i k=%i tA=%s tB=%s alpha=%d beta=%d then C matches the naive loop on 1 and 3 threads", (m, n, k, ta, tb, alpha, beta) => {
    Object.assign(blockConfig, tiny);
    const lda = ta ? m : k, ldb = tb ? k : n;
    const a = randomArray(m * k, 41), b = randomArray(k * n, 42), c0 = randomArray(m * n, 43);
    const want = c0.slice();
    naiveGemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, want, n);
    const one = c0.slice();
    gemmBlocked(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, one, n, { kernel, executor: serialExecutor });
    expect(relDiff(m, n, one, n, want, n)).toBeLessThan(1e-13);
    if (kernel.shared) {
      const pool = new WorkerExecutor(kernel.shared, 3);
      try {
        const three = c0.slice();
        gemmBlocked(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, three, n, { kernel, executor: pool });
        expect(three).toEqual(one);
      } finally {
        pool.dispose();
      }
    }
    if (kernel === ref || kernel.name === getKernel("wasm")?.name) {
      // the plain mul-then-add kernels agree bit for bit with the reference at default blocks too
      Object.assign(blockConfig, saved);
      const oracle = c0.slice();
      gemmBlocked(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, oracle, n, { kernel: ref, executor: serialExecutor });
      const big = c0.slice();
      gemmBlocked(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, big, n, { kernel, executor: serialExecutor });
      expect(big).toEqual(oracle);
    }
  });
  it("when lowerOnly with tiny blocks then only row >= column is written and it matches the naive loop", () => {
    Object.assign(blockConfig, tiny);
    const n = 61, k = 29;
    const a = randomArray(n * k, 44);
    const want = randomArray(n * n, 45);
    const got = want.slice();
    const full = want.slice();
    naiveGemm(false, true, n, n, k, -1, a, k, a, k, 1, full, n);
    gemmBlocked(false, true, n, n, k, -1, a, k, a, k, 1, got, n, { kernel, lowerOnly: true, executor: serialExecutor });
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const x = got[i * n + j]!;
        if (j > i) expect(x).toBe(want[i * n + j]);
        else expect(Math.abs(x - full[i * n + j]!)).toBeLessThan(1e-12);
      }
    }
  });
});
