/**
 * Worker-thread entry for `--jobs`: receives one `LayerTask` at a time, answers with its
 * iterations and its outcome. Each worker keeps its linear algebra on one thread (the parallelism
 * is across layers).
 */
import { parentPort } from "node:worker_threads";
import { setThreads } from "../linalg/index.js";
import { installAutoFor } from "./auto.js";
import { runLayer, type LayerTask } from "./layer.js";
import type { WorkerReply } from "./workers.js";

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
