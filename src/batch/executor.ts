/**
 * Runs layer tasks and hands back their outcomes in task order. The serial executor runs them
 * one after another on this thread; the worker executor (workers.ts) spreads them over worker
 * threads. Both call the same `runLayer`, and the linear algebra gives bitwise-identical results
 * whatever its thread count, so outputs do not depend on the executor.
 */
import { installAutoFor } from "./auto.js";
import { runLayer, type LayerOutcome, type LayerTask } from "./layer.js";

export type LayerEvent =
  | { readonly kind: "start"; readonly index: number }
  | { readonly kind: "iteration"; readonly index: number; readonly iteration: number; readonly residualRel: number }
  | { readonly kind: "done"; readonly index: number };

export interface LayerExecutor {
  readonly name: string;
  readonly jobs: number;
  run(tasks: readonly LayerTask[], onEvent: (e: LayerEvent) => void): Promise<LayerOutcome[]>;
  dispose(): Promise<void>;
}

export const serialLayerExecutor: LayerExecutor = {
  name: "serial",
  jobs: 1,
  run(tasks, onEvent) {
    const out: LayerOutcome[] = [];
    for (const t of tasks) {
      onEvent({ kind: "start", index: t.index });
      installAutoFor(t);
      out.push(runLayer(t, (iteration, residualRel) => onEvent({ kind: "iteration", index: t.index, iteration, residualRel })));
      onEvent({ kind: "done", index: t.index });
    }
    return Promise.resolve(out);
  },
  dispose: () => Promise.resolve(),
};
