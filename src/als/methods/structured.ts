import type { SplitGeometry } from "../../geometry/shapes.js";
import { sumSquares, swapChannels, type Tensor4 } from "../../geometry/tensor.js";
import { Rng } from "../../random.js";
import { f1FromSolution, f2FromSolution } from "../factors.js";
import { randomF1 } from "../init.js";
import { normalEquations } from "../normal-equations.js";
import type { AlsOptions, StopReason } from "../options.js";
import { relativeResidual } from "../residual.js";
import type { AlsResult } from "../result.js";
import { ridgeSolve } from "../ridge-solve.js";
import { stopReason } from "../stopping.js";

/**
 * Structured ALS (DESIGN.md, method 3; the Network Morphism paper's Algorithm 1 solved exactly):
 * each half-step solves the exact least-squares problem for one factor with the other fixed, all
 * channels of the free side sharing one normal matrix. Without ridge the objective never increases.
 */
export function structuredAls(T: Tensor4, g: SplitGeometry, opts: AlsOptions, start?: Tensor4): AlsResult {
  const tNormSq = sumSquares(T.data);
  const Tswap = swapChannels(T); // (c_in, c_out, keh, kew): the f2 step's target
  let f1 = start ?? randomF1(g, new Rng(opts.seed));
  let f2: Tensor4 = { shape: [g.cOut, g.m, g.k2.h, g.k2.w], data: new Float64Array(g.cOut * g.m * g.k2.h * g.k2.w) };
  const trace: number[] = [];
  let flops = 0;
  let reason: StopReason | undefined;
  while (reason === undefined) {
    const s2 = halfStep(swapChannels(f1), Tswap, g.k2, opts.lambda);
    f2 = f2FromSolution(s2.X, g.m, g.k2, g.cOut);
    const s1 = halfStep(f2, T, g.k1, opts.lambda);
    f1 = f1FromSolution(s1.X, g.m, g.k1, g.cIn);
    flops += s2.flops + s1.flops;
    const r = relativeResidual(f1, f2, T, tNormSq, tNormSq - s1.xDotR - s1.shift * s1.xNormSq);
    flops += r.flops;
    trace.push(r.rel);
    opts.onIteration?.(trace.length, r.rel);
    reason = stopReason(trace, opts);
  }
  return { f1, f2, trace, iterations: trace.length, stopReason: reason, flops };
}

function halfStep(H: Tensor4, T: Tensor4, a: { h: number; w: number }, lambda: number) {
  const ne = normalEquations(H, T, a);
  const sol = ridgeSolve(ne.n, ne.G, ne.R, ne.J, lambda);
  return { ...sol, flops: ne.flops + sol.flops };
}
