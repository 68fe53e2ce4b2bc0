import { activeKernel, availableKernels, wasmLoadError } from "./kernels/registry.js";
import { disposeThreads, getThreads, setThreads, startedWorkers } from "./threads/pool.js";

export { disposeThreads, getThreads, setThreads };

export interface LinalgInfo {
  /** Name of the active GEMM kernel, e.g. "wasm-simd-4x4" or "ref-ts-4x4". */
  kernel: string;
  kernels: string[];
  /** Why the WebAssembly kernel did not load, or null. */
  wasmError: string | null;
  /** Thread count large products use (the calling thread included). */
  threads: number;
  /** Worker threads started so far. */
  workers: number;
  /** Whether products can run on workers (the active kernel works on shared memory). */
  threaded: boolean;
}

export function linalgInfo(): LinalgInfo {
  const k = activeKernel();
  return {
    kernel: k.name,
    kernels: availableKernels(),
    wasmError: wasmLoadError,
    threads: getThreads(),
    workers: startedWorkers(),
    threaded: k.shared !== null && getThreads() > 1,
  };
}
