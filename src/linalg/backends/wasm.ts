import { activeKernel } from "../kernels/registry.js";
import { getThreads } from "../threads/pool.js";
import { cholesky } from "../portable/cholesky.js";
import { gemm } from "../portable/gemm.js";
import { hermitianEigenvalues } from "../portable/hermitian-eigenvalues.js";
import { symmetricEigenvalues } from "../portable/symmetric-eigenvalues.js";
import { syrkLower } from "../portable/syrk.js";
import { trsmLowerLeft, trsmLowerTransLeft, trsmLowerTransRight } from "../portable/trsm.js";
import type { LinalgBackend } from "./contract.js";

/**
 * The portable back-end: the TypeScript algorithms of src/linalg/portable on the active GEMM
 * kernel (WebAssembly SIMD, or the reference TypeScript kernel when Wasm did not load), threaded by
 * src/linalg/threads. Always available; bitwise identical for any thread count.
 */
export const wasmBackend: LinalgBackend = {
  name: "wasm",
  get detail(): string {
    return activeKernel().name;
  },
  gemm,
  syrkLower,
  cholesky: (n, a, lda) => cholesky(n, a, lda).failedAt,
  trsmLowerLeft,
  trsmLowerTransLeft,
  trsmLowerTransRight,
  symmetricEigenvalues,
  hermitianEigenvalues,
  // The executor reads the thread count from threads/pool.ts, which setThreads already set.
  setThreads: () => {},
  threads: getThreads,
};
