import { availableParallelism } from "node:os";
import type { GemmKernel } from "../kernels/contract.js";
import { serialExecutor, type Executor } from "./executor.js";
import { WorkerExecutor } from "./workers.js";

/**
 * Which executor a product runs on. The thread count defaults to os.availableParallelism();
 * workers start lazily, on the first product large enough to use them, and only for kernels that
 * can run on shared memory.
 */
let threads = availableParallelism();
let pool: WorkerExecutor | null = null;

export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`threads must be a positive integer, got ${n}`);
  if (n !== threads) disposeThreads();
  threads = n;
}

export function getThreads(): number {
  return threads;
}

/** Terminate the worker threads (they restart on demand). */
export function disposeThreads(): void {
  pool?.dispose();
  pool = null;
}

/** The executor for a product of `flops` on `kernel` with `panels` NR-panels per block. */
export function executorFor(kernel: GemmKernel, flops: number, panels: number, minFlops: number): Executor {
  if (threads < 2 || kernel.shared === null || flops < minFlops || panels < 2) return serialExecutor;
  if (pool === null || !pool.serves(kernel)) {
    pool?.dispose();
    pool = new WorkerExecutor(kernel.shared, threads);
  }
  return pool;
}

/** Number of worker threads currently started (0 until a large product needed them). */
export function startedWorkers(): number {
  return pool === null ? 0 : pool.threads - 1;
}
