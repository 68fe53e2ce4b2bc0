import { Worker } from "node:worker_threads";
import type { GemmKernel, MacroArgs, SharedKernelSource } from "../kernels/contract.js";
import { partStart, type Executor } from "./executor.js";

/**
 * worker_threads executor. Each worker instantiates the kernel's WebAssembly module on the same
 * shared memory and sleeps in Atomics.wait on its slot of a control SharedArrayBuffer. A call
 * writes the arguments, bumps the slot's sequence number and notifies; the calling thread runs
 * part 0 itself and then Atomics.wait-s (allowed on Node's main thread) for each worker's "done".
 * Workers are unref'd, so they never keep the process alive.
 *
 * Control slot layout (Int32, SLOT ints per worker): [seq, done, status, mcPad, kc, aOff, bOff,
 * cOff, ldc, j0, j1, -, beta as Float64 at ints 12-13]. seq = -1 asks the worker to exit;
 * status = 1 when ready, -1 when instantiation failed (the caller then runs that part itself).
 */
const SLOT = 16;
const SEQ = 0, DONE = 1, STATUS = 2, ARGS = 3, BETA_F64 = 6;

const workerSource = `
const { workerData } = require("node:worker_threads");
const { module, memory, ctrl, slot } = workerData;
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
  macro(I[${ARGS}], I[${ARGS + 1}], I[${ARGS + 2}], I[${ARGS + 3}], I[${ARGS + 4}], I[${ARGS + 5}], F[${BETA_F64}], I[${ARGS + 6}], I[${ARGS + 7}]);
  Atomics.store(I, ${DONE}, seq);
  Atomics.notify(I, ${DONE});
}
`;

export class WorkerExecutor implements Executor {
  readonly name = "worker_threads";
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly ctrl: Int32Array;
  private readonly ctrlF64: Float64Array;
  private readonly source: SharedKernelSource;
  private seq = 0;

  /** `threads` counts the calling thread: threads - 1 workers are started. */
  constructor(source: SharedKernelSource, threads: number) {
    this.threads = threads;
    this.source = source;
    const buf = new SharedArrayBuffer((threads - 1) * SLOT * 4);
    this.ctrl = new Int32Array(buf);
    this.ctrlF64 = new Float64Array(buf);
    for (let slot = 0; slot < threads - 1; slot++) {
      const w = new Worker(workerSource, { eval: true, workerData: { module: source.module, memory: source.memory, ctrl: buf, slot } });
      w.unref();
      this.workers.push(w);
    }
  }

  /** True when this executor can run `kernel` (same module and memory). */
  serves(kernel: GemmKernel): boolean {
    return kernel.shared !== null && kernel.shared.memory === this.source.memory;
  }

  macro(kernel: GemmKernel, args: MacroArgs, panels: number): void {
    const parts = this.threads;
    const seq = ++this.seq;
    const I = this.ctrl;
    for (let t = 1; t < parts; t++) {
      const b = (t - 1) * SLOT;
      I[b + ARGS] = args.mcPad;
      I[b + ARGS + 1] = args.kc;
      I[b + ARGS + 2] = args.aOff;
      I[b + ARGS + 3] = args.bOff;
      I[b + ARGS + 4] = args.cOff;
      I[b + ARGS + 5] = args.ldc;
      I[b + ARGS + 6] = partStart(panels, parts, t);
      I[b + ARGS + 7] = partStart(panels, parts, t + 1);
      this.ctrlF64[b / 2 + BETA_F64] = args.beta;
      Atomics.store(I, b + SEQ, seq);
      Atomics.notify(I, b + SEQ);
    }
    kernel.macro(args, 0, partStart(panels, parts, 1));
    for (let t = 1; t < parts; t++) {
      const b = (t - 1) * SLOT;
      for (;;) {
        const status = Atomics.load(I, b + STATUS);
        if (status === -1) {
          kernel.macro(args, partStart(panels, parts, t), partStart(panels, parts, t + 1));
          break;
        }
        if (Atomics.load(I, b + DONE) === seq) break;
        // Wait for "done" to change (or, before the worker is ready, poll its status every 5 ms).
        Atomics.wait(I, b + (status === 1 ? DONE : STATUS), status === 1 ? seq - 1 : 0, status === 1 ? 1000 : 5);
      }
    }
  }

  dispose(): void {
    for (let t = 1; t < this.threads; t++) {
      const b = (t - 1) * SLOT;
      Atomics.store(this.ctrl, b + SEQ, -1);
      Atomics.notify(this.ctrl, b + SEQ);
    }
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}
