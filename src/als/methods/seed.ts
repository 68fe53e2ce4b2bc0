import type { SplitGeometry } from "../../geometry/shapes.js";
import type { Tensor4 } from "../../geometry/tensor.js";
import { im2colAls, kToF2, projectToF1 } from "../im2col-factor.js";
import type { AlsOptions } from "../options.js";
import type { AlsResult } from "../result.js";

/**
 * The seed's decompose_filter, ported faithfully (DESIGN.md, method 1): ridge ALS on the
 * UNSTRUCTURED im2col matrix X and the second factor K, then one col2im projection of X divided by
 * the overlap counts at the end. K is never re-solved after projecting, so the projected residual
 * is typically far above the unprojected one; both are reported.
 * The only departure: the ridge is scale-free (lambda * mean(diag(G))), as DESIGN.md requires.
 */
export function seedAls(T: Tensor4, g: SplitGeometry, opts: AlsOptions): AlsResult {
  const r = im2colAls(T, g, opts, false);
  return {
    f1: projectToF1(r.pb, r.XT),
    f2: kToF2(r.pb, r.K),
    trace: r.trace,
    iterations: r.trace.length,
    stopReason: r.stopReason,
    flops: r.flops,
    unprojectedResidualRel: r.trace[r.trace.length - 1]!,
  };
}
