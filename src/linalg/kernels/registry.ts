import { gemmBlocked } from "../gemm-blocked.js";
import { serialExecutor } from "../threads/executor.js";
import type { GemmKernel } from "./contract.js";
import { createRefKernel } from "./ref.js";
import { loadWasmFmaKernel, loadWasmKernel } from "./wasm.js";

/**
 * Kernel registry: the reference kernel is registered first, the WebAssembly SIMD kernel overrides
 * it only when it loads. The fused multiply-add kernel ("wasm-fma", relaxed SIMD) is registered
 * when it validates and passes a self-check against the reference kernel at load time; it is
 * not the default (on the 2-core Zen 5 it measured within noise of "wasm", whose mul-then-add
 * order matches the reference kernel bit for bit). `DECOMPOSE_FILTER_KERNEL=ref|wasm|wasm-fma`
 * picks the active kernel (for comparisons); an unavailable choice falls back to the default.
 */
const kernels = new Map<string, GemmKernel>();
const ref = createRefKernel();
kernels.set("ref", ref);
let active: GemmKernel = ref;

const wasm = await loadWasmKernel();
export const wasmLoadError: string | null = wasm.error;
if (wasm.kernel) {
  kernels.set("wasm", wasm.kernel);
  active = wasm.kernel;
}

/** Run `kernel` and the reference kernel on one odd-sized product; null when they agree. */
function selfCheck(kernel: GemmKernel): string | null {
  const m = 13, n = 11, k = 37;
  let s = 12345;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
  const a = Float64Array.from({ length: m * k }, rnd), b = Float64Array.from({ length: k * n }, rnd);
  const c0 = Float64Array.from({ length: m * n }, rnd);
  const want = c0.slice(), got = c0.slice();
  gemmBlocked(false, true, m, n, k, 1, a, k, b, k, 0.5, want, n, { kernel: ref, executor: serialExecutor });
  gemmBlocked(false, true, m, n, k, 1, a, k, b, k, 0.5, got, n, { kernel, executor: serialExecutor });
  let err = 0;
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i]! - want[i]!));
  return err <= 1e-13 ? null : `self-check against the reference kernel failed (max abs error ${err})`;
}

const fma = await loadWasmFmaKernel();
export const fmaLoadError: string | null = fma.kernel ? selfCheck(fma.kernel) : fma.error;
if (fma.kernel && fmaLoadError === null) kernels.set("wasm-fma", fma.kernel);

const requested = process.env["DECOMPOSE_FILTER_KERNEL"];
if (requested !== undefined && kernels.has(requested)) active = kernels.get(requested)!;

export type KernelName = "ref" | "wasm" | "wasm-fma";

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
  if (!k) {
    const why = name === "wasm" ? `: ${wasmLoadError}` : name === "wasm-fma" ? `: ${fmaLoadError}` : "";
    throw new Error(`linalg kernel "${name}" is not available${why}`);
  }
  active = k;
}
