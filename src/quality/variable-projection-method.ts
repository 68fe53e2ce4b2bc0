import { structuredAls } from "../als/methods/structured.js";
import type { AlsOptions } from "../als/options.js";
import type { AlsResult } from "../als/result.js";
import type { SplitGeometry } from "../geometry/shapes.js";
import type { Tensor4 } from "../geometry/tensor.js";
import { variableProjection } from "../lm/variable-projection.js";
import { WARM_SWEEPS } from "./method-race.js";

/**
 * What one variable-projection step counts against --max-iter (a structured sweep counts 1). Set so
 * that the same --max-iter gives varpro about the time it gives the ALS-LM race (method-race.ts):
 * on upscaler-upn1 m = 85 the race's default 30 turns took 24.8 s (to 0.0637); at 0.4 the default
 * 30 gives 3 sweeps and 67 steps, 22.2 s (to 0.0622); at 1/3, 81 steps took 32.7 s (0.0611: the
 * later steps' inner solves run longer). One measurement each, on this project's 2-core machine.
 */
export const VARPRO_STEP_BUDGET = 0.4;

/**
 * `--method varpro`: WARM_SWEEPS structured sweeps from the usual start (as the race begins), then
 * variable projection on f1 with f2 eliminated (lm/variable-projection.ts) for the rest of
 * --max-iter (VARPRO_STEP_BUDGET each). The joined trace never increases: each VarPro step refits
 * f2 to the sweeps' f1 first and is accepted only where the residual falls.
 */
export function variableProjectionAfterSweeps(T: Tensor4, g: SplitGeometry, opts: AlsOptions): AlsResult {
  const trace: number[] = [];
  const report = (rel: number) => {
    trace.push(rel);
    opts.onIteration?.(trace.length, rel);
  };
  const warm = structuredAls(T, g, { ...opts, maxIter: Math.min(WARM_SWEEPS, opts.maxIter), onIteration: (_k: number, rel: number) => report(rel) });
  const steps = Math.floor((opts.maxIter - warm.iterations) / VARPRO_STEP_BUDGET);
  if (warm.stopReason === "tolerance" || steps < 1) return { ...warm, trace, iterations: trace.length };
  const before = trace[trace.length - 1] ?? Infinity;
  const vp = variableProjection(T, g, warm.f1, { ...opts, maxIter: steps, onIteration: (_k, rel) => report(Math.min(rel, before)) });
  const kept = (vp.trace[vp.trace.length - 1] ?? Infinity) <= before ? vp : warm;
  return { f1: kept.f1, f2: kept.f2, trace, iterations: trace.length, stopReason: vp.stopReason, flops: warm.flops + vp.flops };
}
