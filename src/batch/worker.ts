/**
 * Worker-thread entry for `--jobs`: receives one `LayerTask` at a time, answers with its
 * iterations and its outcome. Each worker binds the main thread's linear-algebra back-end
 * (workerData.blas) and keeps it on one thread (the parallelism is across layers; OpenBLAS's thread
 * count is per process, so every worker sets the same 1).
 */
import { parentPort, workerData } from "node:worker_threads";
import { parseBlasChoice, setThreads, useBlas } from "../linalg/index.js";
import { installAutoFor } from "./auto.js";
import { runLayer, type LayerTask } from "./layer.js";
import type { WorkerReply } from "./workers.js";

const data: unknown = workerData;
const blas = typeof data === "object" && data !== null && "blas" in data && typeof data.blas === "string" ? parseBlasChoice(data.blas) : undefined;
useBlas(blas ?? "auto");
setThreads(1);
const port = parentPort;
if (port === null) throw new Error("batch/worker.js must run on a worker thread");
port.on("message", (task: LayerTask) => {
  const post = (m: WorkerReply): void => port.postMessage(m);
  try {
    installAutoFor(task);
    const outcome = runLayer(task, (iteration, residualRel) => post({ kind: "iteration", index: task.index, iteration, residualRel }));
    post({ kind: "outcome", outcome });
  } catch (e) {
    post({ kind: "error", index: task.index, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
