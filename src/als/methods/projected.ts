import type { SplitGeometry } from "../../geometry/shapes.js";
import type { Tensor4 } from "../../geometry/tensor.js";
import { Rng } from "../../random.js";
import { f1ToXT, im2colProblem, kToF2, relativeProductResidual, projectToF1, randomK, solveK, solveX } from "../im2col-factor.js";
import type { AlsOptions, StopReason } from "../options.js";
import type { AlsResult } from "../result.js";
import { stopReason } from "../stopping.js";

/**
 * Projected ALS (DESIGN.md, method 2): the seed's loop, but X is projected back onto im2col
 * matrices (col2im / counts, then im2col) after every X step, and K is solved against the projected
 * X. Every iterate is then a real pair of kernels, and the trace is the true residual.
 */
export function projectedAls(T: Tensor4, g: SplitGeometry, opts: AlsOptions): AlsResult {
  const pb = im2colProblem(T, g);
  let K = randomK(pb, new Rng(opts.seed));
  let f1: Tensor4 = { shape: [g.m, g.cIn, g.k1.h, g.k1.w], data: new Float64Array(g.m * g.cIn * g.k1.h * g.k1.w) };
  const trace: number[] = [];
  let flops = 0;
  let reason: StopReason | undefined;
  while (reason === undefined) {
    const x = solveX(pb, K, opts.lambda);
    f1 = projectToF1(pb, x.XT);
    const XT = f1ToXT(pb, f1);
    const k = solveK(pb, XT, opts.lambda);
    K = k.K;
    flops += x.flops + k.flops;
    const r = relativeProductResidual(pb, XT, K, k.residualSq);
    flops += r.flops;
    trace.push(r.rel);
    opts.onIteration?.(trace.length, trace[trace.length - 1]!);
    reason = stopReason(trace, opts);
  }
  return { f1, f2: kToF2(pb, K), trace, iterations: trace.length, stopReason: reason, flops };
}
