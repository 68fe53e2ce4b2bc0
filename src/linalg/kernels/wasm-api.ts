/**
 * The slice of the WebAssembly JS API this layer uses, typed locally: the project compiles with
 * lib ES2022 and no DOM, where the `WebAssembly` namespace is not declared.
 */
export interface WasmModule {
  readonly __opaqueWasmModule?: never;
}

export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(deltaPages: number): number;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

export const wasmApi: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
