import type { GemmKernel, MacroArgs } from "../kernels/contract.js";

/**
 * An executor runs one macro-kernel call over NR-panels [0, panels), split among its threads,
 * and returns only when every part is done (synchronous from the caller's view). Parts are whole
 * NR-panels, so each element of C is computed by the same instructions in the same order whatever
 * the thread count: results are bitwise identical across executors.
 *
 * `begin` + `finish` is the same call split in two, so the calling thread can do other work
 * (packing the next block) while the other threads already compute: between the two, the caller
 * must not touch the workspace regions the call reads or writes. `macro` is begin then finish.
 */
export interface Executor {
  readonly name: string;
  readonly threads: number;
  macro(kernel: GemmKernel, args: MacroArgs, panels: number): void;
  /** Start the call on the other threads (if any) and return at once. */
  begin(kernel: GemmKernel, args: MacroArgs, panels: number): void;
  /** Take part in the call started by `begin` and return when all of it is done. */
  finish(): void;
  /** Release the threads (no-op for the serial executor). */
  dispose(): void;
}

class SerialExecutor implements Executor {
  readonly name = "serial";
  readonly threads = 1;
  private kernel: GemmKernel | null = null;
  private args: MacroArgs | null = null;
  private panels = 0;
  macro(kernel: GemmKernel, args: MacroArgs, panels: number): void {
    kernel.macro(args, 0, panels);
  }
  begin(kernel: GemmKernel, args: MacroArgs, panels: number): void {
    this.kernel = kernel;
    this.args = args;
    this.panels = panels;
  }
  finish(): void {
    const { kernel, args } = this;
    this.kernel = null;
    this.args = null;
    if (kernel !== null && args !== null) kernel.macro(args, 0, this.panels);
  }
  dispose(): void {}
}

export const serialExecutor: Executor = new SerialExecutor();
