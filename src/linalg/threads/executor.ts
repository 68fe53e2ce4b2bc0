import type { GemmKernel, MacroArgs } from "../kernels/contract.js";

/**
 * An executor runs one macro-kernel call over NR-panels [0, panels), split among its threads,
 * and returns only when every part is done (synchronous from the caller's view). Parts are whole
 * NR-panels, so each element of C is computed by the same instructions in the same order whatever
 * the thread count: results are bitwise identical across executors.
 */
export interface Executor {
  readonly name: string;
  readonly threads: number;
  macro(kernel: GemmKernel, args: MacroArgs, panels: number): void;
  /** Release the threads (no-op for the serial executor). */
  dispose(): void;
}

export const serialExecutor: Executor = {
  name: "serial",
  threads: 1,
  macro(kernel: GemmKernel, args: MacroArgs, panels: number): void {
    kernel.macro(args, 0, panels);
  },
  dispose(): void {},
};
