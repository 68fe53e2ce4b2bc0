/**
 * The progress bar (cli-progress) on stderr: layers done of total, the current layer, its
 * iteration and residual. Shown only when enabled (stderr is a TTY and not --quiet) and only once
 * the work has taken more than `delayMs`, so quick runs print nothing.
 */
import { SingleBar } from "cli-progress";
import { printable } from "../io/quote.js";
import type { LayerEvent } from "./executor.js";

export interface Progress {
  event(e: LayerEvent): void;
  stop(): void;
}

export const noProgress: Progress = { event: () => {}, stop: () => {} };

export function progressBar(total: number, names: ReadonlyMap<number, string>, stream: NodeJS.WritableStream, delayMs = 1000): Progress {
  const t0 = performance.now();
  let bar: SingleBar | null = null;
  let done = 0;
  let payload = { layer: "", iteration: "-", residual: "-" };
  const show = (): void => {
    if (bar === null && performance.now() - t0 >= delayMs) {
      bar = new SingleBar({
        stream,
        format: "{bar} {value}/{total} layers | {layer} | it {iteration} | residual {residual}",
        clearOnComplete: true,
        hideCursor: true,
        fps: 10,
      });
      bar.start(total, done, payload);
    }
    bar?.update(done, payload);
  };
  const timer = setTimeout(show, delayMs);
  timer.unref();
  return {
    event(e) {
      if (e.kind === "start") payload = { layer: printable(names.get(e.index) ?? "", 40), iteration: "-", residual: "-" };
      else if (e.kind === "iteration") payload = { ...payload, layer: printable(names.get(e.index) ?? "", 40), iteration: String(e.iteration), residual: e.residualRel.toExponential(2) };
      else done++;
      show();
    },
    stop() {
      clearTimeout(timer);
      bar?.stop();
    },
  };
}
