import { structuredAls } from "../als/methods/structured.js";
import type { AlsOptions } from "../als/options.js";
import type { AlsResult } from "../als/result.js";
import type { SplitGeometry } from "../geometry/shapes.js";
import type { Tensor4 } from "../geometry/tensor.js";
import { variableProjection } from "../lm/variable-projection.js";
import { WARM_SWEEPS } from "./method-race.js";

/**
 * `--method varpro`: WARM_SWEEPS structured sweeps from the usual start (as the race begins), then
 * variable projection on f1 with f2 eliminated (lm/variable-projection.ts) for the rest of
 * --max-iter (one step each). The joined trace never increases: each VarPro step refits f2 to the
 * sweeps' f1 first and is accepted only where the residual falls.
 */
export function variableProjectionAfterSweeps(T: Tensor4, g: SplitGeometry, opts: AlsOptions): AlsResult {
  const trace: number[] = [];
  const report = (rel: number) => {
    trace.push(rel);
    opts.onIteration?.(trace.length, rel);
  };
  const warm = structuredAls(T, g, { ...opts, maxIter: Math.min(WARM_SWEEPS, opts.maxIter), onIteration: (_k: number, rel: number) => report(rel) });
  if (warm.stopReason === "tolerance" || opts.maxIter <= warm.iterations) return { ...warm, trace, iterations: trace.length };
  const before = trace[trace.length - 1] ?? Infinity;
  const vp = variableProjection(T, g, warm.f1, { ...opts, maxIter: opts.maxIter - warm.iterations, onIteration: (_k, rel) => report(Math.min(rel, before)) });
  const kept = (vp.trace[vp.trace.length - 1] ?? Infinity) <= before ? vp : warm;
  return { f1: kept.f1, f2: kept.f2, trace, iterations: trace.length, stopReason: vp.stopReason, flops: warm.flops + vp.flops };
}
