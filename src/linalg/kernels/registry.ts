import type { GemmKernel } from "./contract.js";
import { createRefKernel } from "./ref.js";
import { loadWasmKernel } from "./wasm.js";

/**
 * Kernel registry: the reference kernel is registered first, the WebAssembly SIMD kernel overrides
 * it only when it loads. `DECOMPOSE_FILTER_KERNEL=ref` forces the reference kernel (for comparisons).
 */
const kernels = new Map<string, GemmKernel>();
const ref = createRefKernel();
kernels.set("ref", ref);
let active: GemmKernel = ref;

const wasm = await loadWasmKernel();
export const wasmLoadError: string | null = wasm.error;
if (wasm.kernel) {
  kernels.set("wasm", wasm.kernel);
  if (process.env["DECOMPOSE_FILTER_KERNEL"] !== "ref") active = wasm.kernel;
}

export type KernelName = "ref" | "wasm";

export function activeKernel(): GemmKernel {
  return active;
}

/** The registered kernel of that name, or undefined when it did not load. */
export function getKernel(name: KernelName): GemmKernel | undefined {
  return kernels.get(name);
}

export function availableKernels(): KernelName[] {
  return [...kernels.keys()] as KernelName[];
}

/** Make a registered kernel the active one; throws when it is not available. */
export function useKernel(name: KernelName): void {
  const k = kernels.get(name);
  if (!k) throw new Error(`linalg kernel "${name}" is not available${name === "wasm" ? `: ${wasmLoadError}` : ""}`);
  active = k;
}
