import { composeFlops, composeTapMajor } from "../../geometry/compose.js";
import { tapMajorTarget, type TapMajorTarget } from "../../geometry/tap-major.js";
import { scratch } from "../../linalg/scratch.js";
import type { SplitGeometry } from "../../geometry/shapes.js";
import { sumSquares, swapChannels, type Size2, type Tensor4 } from "../../geometry/tensor.js";
import { Rng } from "../../random.js";
import { balanceChannels } from "../balance.js";
import { exactLineSearch } from "../extrapolation.js";
import { f1FromSolution, f2FromSolution } from "../factors.js";
import { initialF1 } from "../init.js";
import { normalEquations } from "../normal-equations.js";
import { structuredDefaults, type AlsOptions, type StopReason, type StructuredTuning } from "../options.js";
import type { AlsResult } from "../result.js";
import { refinedRidgeSolve } from "../ridge-refine.js";
import { stopReason } from "../stopping.js";

/**
 * Structured ALS (DESIGN.md, method 3; the Network Morphism paper's Algorithm 1 solved exactly):
 * each half-step solves the exact least-squares problem for one factor with the other fixed, all
 * channels of the free side sharing one normal matrix. Accelerated, still only with exact
 * structured half-steps:
 *  - the ridge is continued toward 0 (lambda_k = max(lambda decay^(k-1), lambdaMin), relative to
 *    mean(diag(G)) as always) and each solve is refined by iterated Tikhonov (ridge-refine.ts), so
 *    an exact split is reached to rounding instead of to a bias of about lambda;
 *  - after each sweep the middle channels are rebalanced (composition unchanged) and an exact line
 *    search along the sweep's direction (extrapolation.ts) is taken when it lowers the residual.
 * Safeguard: the trace is the residual of the best iterate so far, and the best iterate is returned,
 * so the reported residual never increases. The trace is the true residual of that iterate.
 */
export function structuredAls(T: Tensor4, g: SplitGeometry, opts: AlsOptions, start?: Tensor4): AlsResult {
  const o = { ...structuredDefaults, ...definedOnly(opts) };
  const tNormSq = sumSquares(T.data);
  const tNorm = Math.sqrt(tNormSq);
  // The target tap-major twice (geometry/tap-major.ts): contracted over c_out for the f1 step (and
  // the residuals, which are kept in the same layout: composeTapMajor), over c_in for the f2 step.
  const T1 = tapMajorTarget(T, false);
  const T2 = tapMajorTarget(T, true);
  let f1 = start ?? initialF1(opts.init ?? "random", T, g, new Rng(opts.seed), opts.initNoise ?? 0);
  let f2: Tensor4 = { shape: [g.cOut, g.m, g.k2.h, g.k2.w], data: new Float64Array(g.cOut * g.m * g.k2.h * g.k2.w) };
  // The iterate before the last line search, with its residual tensor (for the next search).
  let prev: { f1: Tensor4; f2: Tensor4; E: Float64Array } | undefined;
  let best = { f1, f2, rel: Infinity };
  const trace: number[] = [];
  let flops = 0;
  let reason: StopReason | undefined;
  // Residual tensors (target-sized) live in a ring of three owned by this run, reused from the
  // second iteration on: at most three are alive at once (the previous sweep's, this sweep's and
  // the line search's), and a fresh one per composition costs more in first-touch page faults
  // than the composition's arithmetic at 256 channels and up (linalg/scratch.ts).
  const ring: Float64Array[] = [];
  const freeResidual = (...busy: (Float64Array | undefined)[]): Float64Array => {
    const free = ring.find((b) => !busy.includes(b));
    if (free !== undefined) return free;
    const fresh = new Float64Array(T.data.length);
    ring.push(fresh);
    return fresh;
  };
  while (reason === undefined) {
    const k = trace.length;
    const lam = Math.max(opts.lambda * Math.pow(o.lambdaDecay, k), Math.min(o.lambdaMin, opts.lambda));
    const refine = refineSteps(lam, o.refine);
    const s2 = halfStep(swapChannels(f1), T2, g.k2, lam, refine);
    f2 = f2FromSolution(s2.X, g.m, g.k2, g.cOut);
    const s1 = halfStep(f2, T1, g.k1, lam, refine);
    f1 = f1FromSolution(s1.X, g.m, g.k1, g.cIn);
    flops += s2.flops + s1.flops;
    ({ f1, f2 } = balanceChannels(f1, f2));
    let E: Float64Array = residualTapMajor(f1, f2, T1, freeResidual(prev?.E));
    flops += composeFlops(f1, f2);
    let rel = Math.sqrt(sumSquares(E)) / tNorm;
    const swept = { f1, f2, E };
    if (o.extrapolate && prev !== undefined && rel > 0) {
      const ls = exactLineSearch(f1, f2, minus(f1, prev.f1), minus(f2, prev.f2), E, prev.E, freeResidual(prev.E, E));
      if (ls) {
        flops += ls.flops;
        const rel2 = Math.sqrt(sumSquares(ls.E)) / tNorm;
        if (rel2 < rel) {
          f1 = ls.f1;
          f2 = ls.f2;
          E = ls.E;
          rel = rel2;
        }
      }
    }
    prev = swept;
    if (rel < best.rel || !Number.isFinite(best.rel)) best = { f1, f2, rel };
    trace.push(best.rel);
    opts.onIteration?.(trace.length, best.rel);
    reason = stopReason(trace, opts);
  }
  return { f1: best.f1, f2: best.f2, trace, iterations: trace.length, stopReason: reason, flops };
}

/**
 * One exact structured half-step (DESIGN.md, "Building the normal equations"): the factor with
 * taps `a` that best fits T given the fixed factor H (normal-equations.ts for the layouts; for the
 * f2 step H = f1 and T with their channels swapped), by a ridge solve with `refine` iterated
 * Tikhonov corrections. Returns the unknowns X ((m, a) x J) for f1FromSolution / f2FromSolution.
 */
export function halfStep(H: Tensor4, T: Tensor4 | TapMajorTarget, a: Size2, lambda: number, refine: number) {
  // The normal matrix is consumed by the solve before the next half-step: one reused buffer.
  const n = H.shape[1] * a.h * a.w;
  const ne = normalEquations(H, T, a, { G: scratch("structured.G", n * n) });
  const sol = refinedRidgeSolve(ne.n, ne.G, ne.R, ne.J, lambda, refine);
  return { ...sol, flops: ne.flops + sol.flops };
}

/**
 * Iterated Tikhonov only removes the ridge's bias: after r steps it is lambda^(r+1) relative along
 * the well-determined directions (ridge-refine.ts). Steps are taken while that is above 1e-9 (a
 * smaller bias the following sweeps, with their smaller ridges, remove), at most `max`: the first
 * iteration's 1e-4 ridge gets two steps (bias 1e-12), the second's 1e-7 one (1e-14; refining it is
 * what makes the dense regime exact in two iterations), and from the third (1e-10 and less) a
 * plain solve, which costs a third as much as two steps.
 */
export function refineSteps(lambda: number, max: number): number {
  if (!(lambda > 0)) return 0;
  let steps = 0;
  for (let bias = lambda; bias > 1e-9 && steps < max; bias *= lambda) steps++;
  return steps;
}

/** compose(f1, f2) - T, tap-major (T's layout). */
function residualTapMajor(f1: Tensor4, f2: Tensor4, T: TapMajorTarget, out: Float64Array): Float64Array {
  const C = composeTapMajor(f1, f2, out);
  for (let q = 0; q < C.length; q++) C[q]! -= T.data[q]!;
  return C;
}

function minus(a: Tensor4, b: Tensor4): Tensor4 {
  const out = new Float64Array(a.data.length);
  for (let q = 0; q < out.length; q++) out[q] = a.data[q]! - b.data[q]!;
  return { shape: a.shape, data: out };
}

/** Drop undefined fields so they do not override the defaults when spread. */
function definedOnly(opts: AlsOptions): Partial<StructuredTuning> {
  const out: { lambdaDecay?: number; lambdaMin?: number; refine?: number; extrapolate?: boolean } = {};
  if (opts.lambdaDecay !== undefined) out.lambdaDecay = opts.lambdaDecay;
  if (opts.lambdaMin !== undefined) out.lambdaMin = opts.lambdaMin;
  if (opts.refine !== undefined) out.refine = opts.refine;
  if (opts.extrapolate !== undefined) out.extrapolate = opts.extrapolate;
  return out;
}
