import { blasStatus, setBackendThreads, type BlasChoice } from "./backends/registry.js";
import type { BackendName } from "./backends/contract.js";
import { activeKernel, availableKernels, wasmLoadError } from "./kernels/registry.js";
import { disposeThreads, getThreads, setThreads as setPoolThreads, startedWorkers } from "./threads/pool.js";

export { disposeThreads, getThreads };

/**
 * Thread count of the linear algebra: the portable back-end's worker pool (threads/pool.ts) and,
 * through openblas_set_num_threads (never through OPENBLAS_* variables), OpenBLAS's own threads.
 * Without a call OpenBLAS keeps its own default (OPENBLAS_NUM_THREADS, else every core).
 */
export function setThreads(n: number): void {
  setPoolThreads(n);
  setBackendThreads(n);
}

export interface LinalgInfo {
  /** The back-end the ops run on: "wasm" (portable) or "openblas". */
  backend: BackendName;
  /** What the back-end runs underneath (kernel name, or OpenBLAS's configuration, core and path). */
  backendDetail: string;
  /** The --blas / DECOMPOSE_FILTER_BLAS choice that picked it. */
  blas: BlasChoice;
  /** Why OpenBLAS is not in use, when it was looked for; null otherwise. */
  openblasError: string | null;
  /** Name of the portable back-end's GEMM kernel, e.g. "wasm-simd-4x4" or "ref-ts-4x4". */
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

/** What the report says about the linear algebra of a run. */
export interface LinalgReport {
  readonly backend: BackendName;
  readonly detail: string;
  readonly threads: number;
}

export function linalgReport(): LinalgReport {
  const s = blasStatus();
  return { backend: s.backend, detail: s.detail, threads: s.threads };
}

export function linalgInfo(): LinalgInfo {
  const k = activeKernel();
  const s = blasStatus();
  return {
    backend: s.backend,
    backendDetail: s.detail,
    blas: s.choice,
    openblasError: s.openblasError,
    kernel: k.name,
    kernels: availableKernels(),
    wasmError: wasmLoadError,
    threads: s.threads,
    workers: startedWorkers(),
    threaded: s.backend === "openblas" ? s.threads > 1 : k.shared !== null && getThreads() > 1,
  };
}
