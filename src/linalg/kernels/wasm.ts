import { setFlagsFromString } from "node:v8";
import type { GemmKernel, MacroArgs } from "./contract.js";
import { wasmApi } from "./wasm-api.js";

/**
 * The WebAssembly SIMD kernel (gemm-4x4.wat, f64x2, MR = NR = 4) on a shared WebAssembly.Memory,
 * so worker threads can instantiate the same module on the same workspace. The module bytes come
 * from `gemm-4x4.generated.ts`, written by scripts/build-wasm.mjs before tsc; when that file is
 * missing or the engine lacks SIMD or shared memory, `loadWasmKernel` returns null with the reason
 * and the reference kernel stays active.
 */
const MR = 4;
const NR = 4;
const PAGE_DOUBLES = 65536 / 8;
/** 65536 pages = 4 GiB, the wasm32 limit; only what the workspace needs is committed. */
const MAX_PAGES = 65536;

type MacroFn = (mcPad: number, kc: number, aOff: number, bOff: number, cOff: number, ldc: number, beta: number, j0: number, j1: number) => void;

export type WasmLoad = { kernel: GemmKernel; error: null } | { kernel: null; error: string };

/** The generated modules' paths are not literals, so a tree without the wasm step still compiles. */
const generatedModule = "./gemm-4x4.generated.js";
const generatedFmaModule = "./gemm-fma-4x4.generated.js";

/** The flag Node 20 (V8 11.3) needs for relaxed SIMD; V8 flags are per process, workers included. */
export const RELAXED_SIMD_FLAG = "--experimental-wasm-relaxed-simd";

async function readBytes(path: string = generatedModule): Promise<Uint8Array> {
  const mod: unknown = await import(path);
  const b64 = (mod as { wasmBase64?: unknown }).wasmBase64;
  if (typeof b64 !== "string") throw new Error(`${path} has no wasmBase64 string`);
  return new Uint8Array(Buffer.from(b64, "base64"));
}

export function instantiateWasmKernel(bytes: Uint8Array, name: string = "wasm-simd-4x4"): GemmKernel {
  const module = new wasmApi.Module(bytes);
  const memory = new wasmApi.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  const instance = new wasmApi.Instance(module, { env: { memory } });
  const macroFn = instance.exports["macro"] as MacroFn;
  let view = new Float64Array(memory.buffer);
  return {
    name,
    mr: MR,
    nr: NR,
    shared: { module, memory },
    workspace(doubles: number): Float64Array {
      if (view.length < doubles) {
        const pages = Math.ceil(doubles / PAGE_DOUBLES);
        memory.grow(pages - memory.buffer.byteLength / 65536);
        view = new Float64Array(memory.buffer);
      }
      return view;
    },
    macro(args: MacroArgs, j0: number, j1: number): void {
      macroFn(args.mcPad, args.kc, args.aOff, args.bOff, args.cOff, args.ldc, args.beta, j0, j1);
    },
  };
}

export async function loadWasmKernel(): Promise<WasmLoad> {
  try {
    return { kernel: instantiateWasmKernel(await readBytes()), error: null };
  } catch (e) {
    return { kernel: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * The fused multiply-add variant (gemm-fma-4x4.wat, f64x2.relaxed_madd). Enables relaxed SIMD
 * first (a no-op where it is already on); the caller still self-checks the kernel before use.
 */
export async function loadWasmFmaKernel(): Promise<WasmLoad> {
  try {
    try {
      setFlagsFromString(RELAXED_SIMD_FLAG);
    } catch {
      // an engine without the flag either has relaxed SIMD by default or fails validation below
    }
    const bytes = await readBytes(generatedFmaModule);
    if (!wasmApi.validate(bytes)) throw new Error("this engine does not validate relaxed SIMD (f64x2.relaxed_madd)");
    return { kernel: instantiateWasmKernel(bytes, "wasm-fma-4x4"), error: null };
  } catch (e) {
    return { kernel: null, error: e instanceof Error ? e.message : String(e) };
  }
}
