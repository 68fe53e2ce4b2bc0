import type { SplitGeometry } from "../../geometry/shapes.js";
import type { Tensor4 } from "../../geometry/tensor.js";
import { Rng } from "../../random.js";
import { im2colProblem, kToF2, relativeProductResidual, projectToF1, randomK, solveK, solveX } from "../im2col-factor.js";
import type { AlsOptions, StopReason } from "../options.js";
import type { AlsResult } from "../result.js";
import { stopReason } from "../stopping.js";

/**
 * The seed's decompose_filter, ported faithfully (DESIGN.md, method 1): ridge ALS on the
 * UNSTRUCTURED im2col matrix X and the second factor K, then one col2im projection of X divided by
 * the overlap counts at the end. K is never re-solved after projecting, so the projected residual
 * is typically far above the unprojected one; both are reported.
 * The only departure: the ridge is scale-free (lambda * mean(diag(G))), as DESIGN.md requires.
 */
export function seedAls(T: Tensor4, g: SplitGeometry, opts: AlsOptions): AlsResult {
  const pb = im2colProblem(T, g);
  let K = randomK(pb, new Rng(opts.seed));
  let XT: Float64Array = new Float64Array(pb.n * pb.rows);
  const trace: number[] = [];
  let flops = 0;
  let reason: StopReason | undefined;
  while (reason === undefined) {
    const x = solveX(pb, K, opts.lambda);
    XT = x.XT;
    const k = solveK(pb, XT, opts.lambda);
    K = k.K;
    flops += x.flops + k.flops;
    const r = relativeProductResidual(pb, XT, K, k.residualSq);
    flops += r.flops;
    trace.push(r.rel);
    opts.onIteration?.(trace.length, trace[trace.length - 1]!);
    reason = stopReason(trace, opts);
  }
  return {
    f1: projectToF1(pb, XT),
    f2: kToF2(pb, K),
    trace,
    iterations: trace.length,
    stopReason: reason,
    flops,
    unprojectedResidualRel: trace[trace.length - 1]!,
  };
}
