import type { SplitGeometry } from "../../geometry/shapes.js";
import type { Tensor4 } from "../../geometry/tensor.js";
import { im2colAls, kToF2, projectToF1 } from "../im2col-factor.js";
import type { AlsOptions } from "../options.js";
import type { AlsResult } from "../result.js";

/**
 * Projected ALS (DESIGN.md, method 2): the seed's loop, but X is projected back onto im2col
 * matrices (col2im / counts, then im2col) after every X step, and K is solved against the projected
 * X. Every iterate is then a real pair of kernels, and the trace is the true residual.
 */
export function projectedAls(T: Tensor4, g: SplitGeometry, opts: AlsOptions): AlsResult {
  const r = im2colAls(T, g, opts, true);
  // XT is an im2col matrix already: projecting it again returns the kernel it came from.
  return { f1: projectToF1(r.pb, r.XT), f2: kToF2(r.pb, r.K), trace: r.trace, iterations: r.trace.length, stopReason: r.stopReason, flops: r.flops };
}
