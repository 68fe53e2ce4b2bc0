/**
 * The worker-thread layer executor: `jobs` workers (worker.js), each taking the next task when it
 * finishes one; outcomes are stored by task index, so their order is the tasks' whatever the
 * finishing order. A worker that throws a non-DecomposeError (a bug) fails the run.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { blasStatus } from "../linalg/backends/registry.js";
import type { LayerEvent, LayerExecutor } from "./executor.js";
import type { LayerOutcome, LayerTask } from "./layer.js";

export type WorkerReply =
  | { readonly kind: "iteration"; readonly index: number; readonly iteration: number; readonly residualRel: number }
  | { readonly kind: "outcome"; readonly outcome: LayerOutcome }
  | { readonly kind: "error"; readonly index: number; readonly message: string };

const WORKER_URL = new URL("./worker.js", import.meta.url);

/** Whether the compiled worker script is present (it is not when running the TypeScript sources). */
export function workersAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER_URL));
}

export function workerLayerExecutor(jobs: number): LayerExecutor {
  const workers: Worker[] = [];
  return {
    name: "worker_threads",
    jobs,
    run(tasks: readonly LayerTask[], onEvent: (e: LayerEvent) => void): Promise<LayerOutcome[]> {
      return new Promise((resolve, reject) => {
        const out = new Array<LayerOutcome | undefined>(tasks.length);
        const position = new Map(tasks.map((t, i) => [t.index, i]));
        let next = 0;
        let finished = 0;
        let failed = false;
        const fail = (e: Error): void => {
          if (failed) return;
          failed = true;
          reject(e);
        };
        const feed = (w: Worker): void => {
          const t = tasks[next++];
          if (t === undefined) return;
          onEvent({ kind: "start", index: t.index });
          w.postMessage(t);
        };
        if (tasks.length === 0) return resolve([]);
        const count = Math.min(jobs, tasks.length);
        for (let k = 0; k < count; k++) {
          // --input-type (allowed only with --eval) would make the worker fail to start.
          // Each worker binds the same linear-algebra back-end as this thread (worker.ts).
          const w = new Worker(WORKER_URL, {
            execArgv: process.execArgv.filter((a) => !a.startsWith("--input-type")),
            workerData: { blas: blasStatus().choice },
          });
          workers.push(w);
          w.on("message", (m: WorkerReply) => {
            if (m.kind === "iteration") return onEvent(m);
            if (m.kind === "error") return fail(new Error(`layer ${m.index} failed on a worker thread: ${m.message}`));
            out[position.get(m.outcome.index) ?? -1] = m.outcome;
            onEvent({ kind: "done", index: m.outcome.index });
            if (++finished === tasks.length) resolve(out.filter((o): o is LayerOutcome => o !== undefined));
            else feed(w);
          });
          w.on("error", fail);
          w.on("exit", (code) => {
            if (code !== 0 && finished < tasks.length) fail(new Error(`a worker thread exited with code ${code}`));
          });
          feed(w);
        }
      });
    },
    async dispose(): Promise<void> {
      await Promise.all(workers.map((w) => w.terminate()));
      workers.length = 0;
    },
  };
}
