import type { WasmMemory, WasmModule } from "./wasm-api.js";

/**
 * The kernel contract (BLIS layering). A kernel computes, on packed operands in its workspace,
 *
 *   C tile := beta * C tile + Apanel * Bpanel        (beta == 0: C is not read)
 *
 * for whole MR x NR tiles. Layouts, all row-major doubles, offsets in elements:
 * - A block: MR-row micro-panels, panel `ir` at `aOff + ir * MR * kc`, MR values per step p;
 * - B block: NR-column micro-panels, panel `jr` at `bOff + jr * NR * kc`, NR values per step p;
 * - C block: tile (ir, jr) at `cOff + ir * MR * ldc + jr * NR`.
 * Edge tiles never reach a kernel: the driver pads A and B with zeros and gives C a padded buffer,
 * copying back only the valid part. The entry point is the macro-kernel over a range of NR-panels
 * (BLIS's ker_var2 loops around the microkernel), because a call across the JavaScript/WebAssembly
 * boundary per 4x4 tile would cost more than the tile itself.
 */
export interface MacroArgs {
  /** Rows of the packed A block, a multiple of MR. */
  mcPad: number;
  kc: number;
  aOff: number;
  bOff: number;
  cOff: number;
  ldc: number;
  beta: number;
}

/** What a worker thread needs to run the same kernel on the same memory. */
export interface SharedKernelSource {
  module: WasmModule;
  memory: WasmMemory;
}

export interface GemmKernel {
  readonly name: string;
  readonly mr: number;
  readonly nr: number;
  /** A view of the workspace holding at least `doubles` values; it may move when it grows. */
  workspace(doubles: number): Float64Array;
  /** The macro-kernel on NR-panels [j0, j1) of the current blocks. */
  macro(args: MacroArgs, j0: number, j1: number): void;
  /** Non-null when worker threads can run this kernel on shared memory. */
  readonly shared: SharedKernelSource | null;
}
