import { afterAll, describe, expect, it } from "vitest";
import { gemmBlocked } from "../../src/linalg/gemm-blocked.js";
import type { GemmKernel } from "../../src/linalg/kernels/contract.js";
import { availableKernels, getKernel, wasmLoadError } from "../../src/linalg/kernels/registry.js";
import { serialExecutor } from "../../src/linalg/threads/executor.js";
import { WorkerExecutor } from "../../src/linalg/threads/workers.js";
import { naiveGemm, randomArray, relDiff } from "./helpers.js";

// One conformance table, run against every kernel and executor (tfjs-style back-end suite).
const ref = getKernel("ref")!;
const wasm = getKernel("wasm");
const pool = wasm?.shared ? new WorkerExecutor(wasm.shared, 3) : null;
afterAll(() => pool?.dispose());

const backends: [string, GemmKernel, "serial" | "workers"][] = [["ref/serial", ref, "serial"]];
if (wasm) backends.push(["wasm/serial", wasm, "serial"]);
if (wasm && pool) backends.push(["wasm/3 threads", wasm, "workers"]);

const table: [number, number, number, boolean, boolean, number, number][] = [
  // m, n, k, transA, transB, alpha, beta
  [1, 1, 1, false, false, 1, 0],
  [7, 7, 7, true, false, 2, 1],
  [33, 33, 33, false, true, 1, 0.5],
  [100, 7, 257, true, true, -1, 0],
  [257, 100, 33, false, false, 0.25, -2],
  [130, 300, 520, false, true, 1, 1],
];

describe("the WebAssembly kernel", () => {
  it("loads in this build (run `node scripts/build-wasm.mjs` before testing src)", () => {
    expect(wasmLoadError).toBeNull();
    expect(availableKernels()).toContain("wasm");
  });
});

describe.each(backends)("kernel %s", (_name, kernel, execName) => {
  it.each(table)("when m=%i n=%i k=%i tA=%s tB=%s alpha=%d beta=%d then C matches the naive loop", (m, n, k, ta, tb, alpha, beta) => {
    const lda = ta ? m : k, ldb = tb ? k : n;
    const a = randomArray(m * k, 21), b = randomArray(k * n, 22), c0 = randomArray(m * n, 23);
    const want = c0.slice();
    naiveGemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, want, n);
    const got = c0.slice();
    const executor = execName === "workers" && pool ? pool : serialExecutor;
    gemmBlocked(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, got, n, { kernel, executor });
    expect(relDiff(m, n, got, n, want, n)).toBeLessThan(1e-13);
    // and bit for bit what the reference kernel computes on one thread
    const oracle = c0.slice();
    gemmBlocked(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, oracle, n, { kernel: ref, executor: serialExecutor });
    expect(got).toEqual(oracle);
  });
});
