import { Worker } from "node:worker_threads";
import type { GemmKernel, MacroArgs, SharedKernelSource } from "../kernels/contract.js";
import type { Executor } from "./executor.js";

/**
 * worker_threads executor. Each worker instantiates the kernel's WebAssembly module on the same
 * shared memory and sleeps in Atomics.wait on its slot of a control SharedArrayBuffer. A call
 * writes the arguments, bumps each slot's sequence number and notifies; then every thread, the
 * calling one included, takes chunks of NR-panels from one shared atomic counter until none are
 * left (dynamic scheduling: a thread the OS descheduled simply takes fewer chunks). The calling
 * thread then Atomics.wait-s (allowed on Node's main thread) for each worker's "done". Which thread
 * computes a panel changes nothing in how it is computed, so results stay bitwise identical.
 * Workers are unref'd, so they never keep the process alive.
 *
 * Control layout (Int32): slot 0 is global: [counter]; slot s >= 1 belongs to worker s: [seq, done,
 * status, mcPad, kc, aOff, bOff, cOff, ldc, panels, chunk, -, beta as Float64 at ints 12-13].
 * seq = -1 asks the worker to exit; status = 1 when ready, -1 when instantiation failed (its
 * chunks are then simply taken by the other threads).
 */
const SLOT = 16;
const COUNTER = 0;
const SEQ = 0, DONE = 1, STATUS = 2, ARGS = 3, BETA_F64 = 6;

const workerSource = `
const { workerData } = require("node:worker_threads");
// Relaxed SIMD (the FMA kernel) is behind a flag in Node 20; V8 flags are per process, so this
// only matters if the worker is the first to compile a module. Harmless where it is on already.
try { require("node:v8").setFlagsFromString("--experimental-wasm-relaxed-simd"); } catch {}
const { module, memory, ctrl, slot } = workerData;
const G = new Int32Array(ctrl, 0, ${SLOT});
const I = new Int32Array(ctrl, slot * ${SLOT * 4}, ${SLOT});
const F = new Float64Array(ctrl, slot * ${SLOT * 4}, ${SLOT / 2});
let macro;
try {
  macro = new WebAssembly.Instance(module, { env: { memory } }).exports.macro;
  Atomics.store(I, ${STATUS}, 1);
} catch (e) {
  Atomics.store(I, ${STATUS}, -1);
}
Atomics.notify(I, ${STATUS});
let seen = 0;
while (macro) {
  Atomics.wait(I, ${SEQ}, seen);
  const seq = Atomics.load(I, ${SEQ});
  if (seq < 0) break;
  if (seq === seen) continue;
  seen = seq;
  const panels = I[${ARGS + 6}], chunk = I[${ARGS + 7}];
  for (;;) {
    const j0 = Atomics.add(G, ${COUNTER}, chunk);
    if (j0 >= panels) break;
    macro(I[${ARGS}], I[${ARGS + 1}], I[${ARGS + 2}], I[${ARGS + 3}], I[${ARGS + 4}], I[${ARGS + 5}], F[${BETA_F64}], j0, Math.min(j0 + chunk, panels));
  }
  Atomics.store(I, ${DONE}, seq);
  Atomics.notify(I, ${DONE});
}
`;

/** Chunks per thread: enough to balance a descheduled thread, few enough to keep B panels hot. */
const CHUNKS_PER_THREAD = 8;

export class WorkerExecutor implements Executor {
  readonly name = "worker_threads";
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly ctrl: Int32Array;
  private readonly ctrlF64: Float64Array;
  private readonly source: SharedKernelSource;
  private seq = 0;
  private ready = false;

  /** `threads` counts the calling thread: threads - 1 workers are started. */
  constructor(source: SharedKernelSource, threads: number) {
    this.threads = threads;
    this.source = source;
    const buf = new SharedArrayBuffer(threads * SLOT * 4);
    this.ctrl = new Int32Array(buf);
    this.ctrlF64 = new Float64Array(buf);
    for (let slot = 0; slot < threads - 1; slot++) {
      const w = new Worker(workerSource, { eval: true, workerData: { module: source.module, memory: source.memory, ctrl: buf, slot: slot + 1 } });
      w.unref();
      this.workers.push(w);
    }
  }

  /** True when this executor can run `kernel` (same module and memory). */
  serves(kernel: GemmKernel): boolean {
    return kernel.shared !== null && kernel.shared.memory === this.source.memory;
  }

  private pending: { kernel: GemmKernel; args: MacroArgs; panels: number; chunk: number; seq: number } | null = null;

  macro(kernel: GemmKernel, args: MacroArgs, panels: number): void {
    this.begin(kernel, args, panels);
    this.finish();
  }

  begin(kernel: GemmKernel, args: MacroArgs, panels: number): void {
    if (this.pending !== null) this.finish();
    const I = this.ctrl;
    this.awaitReady();
    const seq = ++this.seq;
    const chunk = Math.max(1, Math.ceil(panels / (this.threads * CHUNKS_PER_THREAD)));
    Atomics.store(I, COUNTER, 0);
    for (let t = 1; t < this.threads; t++) {
      const b = t * SLOT;
      I[b + ARGS] = args.mcPad;
      I[b + ARGS + 1] = args.kc;
      I[b + ARGS + 2] = args.aOff;
      I[b + ARGS + 3] = args.bOff;
      I[b + ARGS + 4] = args.cOff;
      I[b + ARGS + 5] = args.ldc;
      I[b + ARGS + 6] = panels;
      I[b + ARGS + 7] = chunk;
      this.ctrlF64[b / 2 + BETA_F64] = args.beta;
      Atomics.store(I, b + SEQ, seq);
      Atomics.notify(I, b + SEQ);
    }
    this.pending = { kernel, args, panels, chunk, seq };
  }

  finish(): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    const I = this.ctrl;
    const { kernel, args, panels, chunk, seq } = p;
    for (;;) {
      const j0 = Atomics.add(I, COUNTER, chunk);
      if (j0 >= panels) break;
      kernel.macro(args, j0, Math.min(j0 + chunk, panels));
    }
    for (let t = 1; t < this.threads; t++) {
      const b = t * SLOT;
      // A worker whose instantiation failed takes no chunk: nothing to wait for.
      while (Atomics.load(I, b + STATUS) === 1 && Atomics.load(I, b + DONE) !== seq) {
        Atomics.wait(I, b + DONE, seq - 1, 1000);
      }
    }
  }

  /**
   * Block until every worker has instantiated the module (once, on the first call: tens of ms).
   * Posting work only to ready workers means a worker never joins a call halfway through.
   */
  private awaitReady(): void {
    if (this.ready) return;
    for (let t = 1; t < this.threads; t++) {
      while (Atomics.load(this.ctrl, t * SLOT + STATUS) === 0) Atomics.wait(this.ctrl, t * SLOT + STATUS, 0, 50);
    }
    this.ready = true;
  }

  dispose(): void {
    this.finish();
    for (let t = 1; t < this.threads; t++) {
      const b = t * SLOT;
      Atomics.store(this.ctrl, b + SEQ, -1);
      Atomics.notify(this.ctrl, b + SEQ);
    }
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}
