import { balanceSolution } from "../als/balance.js";
import { f1FromSolution, f1ToSolution, f2FromSolution, f2ToSolution } from "../als/factors.js";
import { normalEquations } from "../als/normal-equations.js";
import type { AlsOptions, StopReason } from "../als/options.js";
import type { AlsResult } from "../als/result.js";
import { stopReason } from "../als/stopping.js";
import { composeSolution, composeSolutionFlops, solutionSizes } from "../geometry/compose-solution.js";
import { tapMajorTarget, tapMajorView } from "../geometry/tap-major.js";
import type { SplitGeometry } from "../geometry/shapes.js";
import { sumSquares, swapChannels, type Tensor4 } from "../geometry/tensor.js";
import { bestQuarticStep } from "../als/extrapolation.js";
import { applyBlock, factorBlock } from "./block-preconditioner.js";
import { NielsenDamping } from "./damping.js";
import { dampedGaussNewtonTimes, jacobianTimes, jacobianTransposeTimes } from "./jacobian.js";
import { pcg } from "./pcg.js";

/** LM's own knobs (defaults measured on the real 64-channel layers: README, "Quality"). */
export interface LmTuning {
  /** Initial damping mu, relative to the block diagonal D of J^T J. */
  readonly mu0: number;
  /** The isotropic part of D, relative to mean(diag(G)) of each block. */
  readonly deltaRel: number;
  /** Conjugate-gradient products per outer step, at most, while the residual's curvature is in H. */
  readonly cgMaxIter: number;
  /**
   * The same cap for plain Gauss-Newton steps (the residual below `newtonAbove`, where an exact
   * split is being approached). There the damping falls toward 0 and the system's condition grows:
   * on `upscaler-upn1`, 3x3 + 3x3, m = 100, 60 products left the inner residual near its start
   * (each step gained a factor of about 1.4, 30 turns ended at 1.1e-5), 250 reached the forcing
   * tolerance in 90-170 (30 turns ended at 7.5e-8).
   */
  readonly cgMaxIterGaussNewton: number;
  /** The inner solve stops at relative residual min(etaMax, sqrt(||g|| / ||g_0||)) (inexact Newton). */
  readonly etaMax: number;
  /** Damping increases (rejected trial steps) per outer step before it is called stalled. */
  readonly maxRejects: number;
  /** Longest multiple of the Gauss-Newton step the exact line search may take. */
  readonly maxStep: number;
  /**
   * Add the residual's curvature to J^T J (Newton-Levenberg-Marquardt) while the relative residual
   * is above this; below it the term (proportional to r) is negligible and plain Gauss-Newton saves
   * a third of each CG product. Infinity: always Gauss-Newton.
   */
  readonly newtonAbove: number;
}

export const lmDefaults: LmTuning = { mu0: 1e-3, deltaRel: 1e-6, cgMaxIter: 60, cgMaxIterGaussNewton: 250, etaMax: 0.1, maxRejects: 12, maxStep: 4, newtonAbove: 1e-3 };

/** An LM run's outcome; `yielded` when `yieldWhen` ended it (then `mu` is where to resume). */
export interface LmResult extends AlsResult {
  readonly yielded: boolean;
  readonly mu: number;
}

/**
 * Levenberg-Marquardt on both factors jointly (issue 8, part 4) for min ||compose(f1, f2) - T||^2.
 * Each outer step solves the damped system
 *   (H + mu D) s = -J^T r,   D = blockdiag(G1 (x) I_cin, G2 (x) I_cout) + delta I,
 * matrix-free by preconditioned CG (pcg.ts), with both factors in solution layout and r tap-major
 * (geometry/compose-solution.ts: no rearrangement inside the inner loop). H is the Gauss-Newton
 * matrix J^T J (with the G part of the damping: four compositions, jacobian.ts) plus, while the
 * residual is large, the residual's own curvature: compose is bilinear, so the Hessian of
 * 1/2 ||r||^2 is J^T J + [[0, B], [B^T, 0]] with B^T v1 = adjoint2(r, v1), B v2 = adjoint1(r, v2)
 * (two more correlations). The preconditioner is
 * the block diagonal of the damped Gauss-Newton matrix, i.e. the two ALS normal matrices G1, G2
 * (normal-equations.ts, built together with the gradient J^T r, which is their right-hand side R
 * with T replaced by r), Cholesky-factored once per damping value (block-preconditioner.ts).
 * Marquardt's D makes the step invariant to rescaling either factor; the gauge freedom
 * f1 -> A f1, f2 -> f2 A^-1 (an m^2-dimensional null space of J) is left to the damping, and after
 * each accepted step the middle channels are rebalanced (balance.ts; composition unchanged).
 * The residual along the step is exactly r + a J s + a^2 compose(s1, s2), so the step length a is
 * the exact minimiser of that quartic in (0, maxStep] (extrapolation.ts); the damping follows
 * Nielsen's rule on the gain ratio rho = actual / model reduction at a. Monotone: a trial that
 * does not lower ||r|| is rejected (mu grows), so the trace never increases. `yieldWhen`, asked
 * after each accepted step with its floating-point operation count and residuals, may end the run early (method-race.ts).
 */
export function levenbergMarquardt(
  T: Tensor4,
  g: SplitGeometry,
  start: { f1: Tensor4; f2: Tensor4 },
  opts: AlsOptions,
  tuning: LmTuning = lmDefaults,
  yieldWhen?: (stepFlops: number, relBefore: number, relAfter: number) => boolean,
): LmResult {
  const tNormSq = sumSquares(T.data);
  const tNorm = Math.sqrt(tNormSq) || 1;
  // Both factors as one vector x = [X1; X2] in solution layout, the residual tap-major
  // (compose-solution.ts): the inner products below rearrange nothing.
  const sizes = solutionSizes(g);
  const N1 = sizes.n1;
  const N = N1 + sizes.n2;
  const x = new Float64Array(N);
  x.set(f1ToSolution(start.f1));
  x.set(f2ToSolution(start.f2), N1);
  const first = (v: Float64Array) => v.subarray(0, N1);
  const second = (v: Float64Array) => v.subarray(N1);
  balanceSolution(first(x), second(x), g.m);
  const target = tapMajorTarget(T, false).data;
  let E = composeSolution(g, first(x), second(x), new Float64Array(sizes.e));
  for (let q = 0; q < E.length; q++) E[q]! -= target[q]!;
  let rr = sumSquares(E);
  const pairFlops = composeSolutionFlops(g);
  let flops = pairFlops;
  const damping = new NielsenDamping(tuning.mu0);
  let g0 = 0;
  const trace: number[] = [];
  let reason: StopReason | undefined = Math.sqrt(rr) / tNorm <= opts.tol ? "tolerance" : undefined;
  const n1 = g.m * g.k1.h * g.k1.w;
  const n2 = g.m * g.k2.h * g.k2.w;
  const work = { a: new Float64Array(sizes.e), b: new Float64Array(sizes.e) };
  let yielded = false;
  while (reason === undefined) {
    const flopsBefore = flops;
    const relBefore = Math.sqrt(rr) / tNorm;
    const X1 = first(x);
    const X2 = second(x);
    // G1, G2 and the gradient J^T r, already in solution layout (normal-equations.ts with T := r,
    // tap-major in both channel orders).
    const ne1 = normalEquations(f2FromSolution(X2, g.m, g.k2, g.cOut), tapMajorView(E, g.cOut, g.cIn, g.ke), g.k1);
    const ne2 = normalEquations(swapChannels(f1FromSolution(X1, g.m, g.k1, g.cIn)), tapMajorView(transposeTaps(E, g.cOut, g.cIn), g.cIn, g.cOut, g.ke), g.k2);
    flops += ne1.flops + ne2.flops;
    const b = new Float64Array(N);
    for (let q = 0; q < N1; q++) b[q] = -ne1.R[q]!;
    for (let q = N1; q < N; q++) b[q] = -ne2.R[q - N1]!;
    const gNorm = Math.sqrt(sumSquares(b));
    if (trace.length === 0) g0 = gNorm;
    const eta = Math.min(tuning.etaMax, Math.sqrt(g0 > 0 ? gNorm / g0 : 0));
    const newton = Math.sqrt(rr) / tNorm > tuning.newtonAbove;
    let accepted = false;
    for (let tries = 0; tries <= tuning.maxRejects && !accepted; tries++) {
      const mu = damping.mu;
      const P1 = factorBlock(ne1.G, n1, g.cIn, mu, tuning.deltaRel);
      const P2 = factorBlock(ne2.G, n2, g.cOut, mu, tuning.deltaRel);
      flops += P1.flops + P2.flops;
      const precondition = (r: Float64Array): Float64Array => {
        const z = r.slice();
        flops += applyBlock(P1, first(z)) + applyBlock(P2, second(z));
        return z;
      };
      const apply = (v: Float64Array): Float64Array => {
        const V1 = first(v);
        const V2 = second(v);
        const out = new Float64Array(N);
        flops += dampedGaussNewtonTimes(g, X1, X2, V1, V2, mu, first(out), second(out), work);
        if (newton) {
          // The residual's own curvature: d^2/dt^2 of 1/2 ||r||^2 along (V1, V2) adds
          // 2 <E, compose(V1, V2)>, i.e. (adjoint1(E, V2), adjoint2(E, V1)) to H v.
          flops += jacobianTransposeTimes(g, V1, V2, E, first(out), second(out), true);
        }
        // The isotropic part of the damping, mu delta v (block-preconditioner.ts).
        for (let q = 0; q < N1; q++) out[q]! += mu * P1.delta * v[q]!;
        for (let q = N1; q < N; q++) out[q]! += mu * P2.delta * v[q]!;
        return out;
      };
      const s = pcg(apply, precondition, b, eta, newton ? tuning.cgMaxIter : tuning.cgMaxIterGaussNewton);
      if (s.breakdown) {
        // H + mu D is not positive definite (the residual's curvature outweighs the damping): the
        // CG iterate is no model minimiser, so the damping grows as for a rejected step. (Stepping
        // along the negative-curvature direction to the quartic's minimum instead, as Steihaug's
        // truncated CG would to a trust radius, measured slower on upscaler-upn1 m = 64.)
        damping.reject();
        continue;
      }
      // r(x + a s) = E + a J s + a^2 compose(S1, S2) exactly (compose is bilinear): take the best a
      // in (0, aMax] of that quartic (extrapolation.ts), then judge the step by the gain ratio.
      const S1 = first(s.x);
      const S2 = second(s.x);
      const js = new Float64Array(sizes.e);
      flops += jacobianTimes(g, X1, X2, S1, S2, js);
      const E2 = composeSolution(g, S1, S2, new Float64Array(sizes.e));
      flops += pairFlops;
      const a = bestQuarticStep(E, (q) => js[q]!, E2, tuning.maxStep)?.step;
      if (a === undefined) {
        damping.reject();
        continue;
      }
      const Et = new Float64Array(E.length);
      for (let q = 0; q < Et.length; q++) Et[q] = E[q]! + a * (js[q]! + a * E2[q]!);
      const rrt = sumSquares(Et);
      // The model's reduction at a: -(c1 a + c2 a^2) with c1 = 2 <E, J s> and c2 = ||J s||^2
      // (Gauss-Newton), plus 2 <E, compose(S1, S2)> with the residual's curvature (newton).
      let c1 = 0;
      let c2 = 0;
      for (let q = 0; q < E.length; q++) {
        const j = js[q]!;
        c1 += 2 * E[q]! * j;
        c2 += j * j + (newton ? 2 * E[q]! * E2[q]! : 0);
      }
      const predicted = -(c1 * a + c2 * a * a);
      const rho = predicted > 0 ? (rr - rrt) / predicted : -1;
      if (rrt < rr && rho > 1e-4) {
        for (let q = 0; q < N; q++) x[q]! += a * s.x[q]!;
        balanceSolution(first(x), second(x), g.m);
        E = Et;
        rr = rrt;
        accepted = true;
        damping.accept(rho);
      } else {
        damping.reject();
      }
    }
    const rel = Math.sqrt(rr) / tNorm;
    trace.push(rel);
    opts.onIteration?.(trace.length, rel);
    reason = accepted ? stopReason(trace, opts) : "stalled";
    if (reason === undefined && yieldWhen?.(flops - flopsBefore, relBefore, rel)) {
      yielded = true;
      reason = "max-iter";
    }
  }
  const f1 = f1FromSolution(first(x), g.m, g.k1, g.cIn);
  const f2 = f2FromSolution(second(x), g.m, g.k2, g.cOut);
  return { f1, f2, trace, iterations: trace.length, stopReason: reason, flops, yielded, mu: damping.mu };
}

/** (s, a, b) -> (s, b, a): each tap's channel matrix transposed (the f2 step's channel order). */
function transposeTaps(E: Float64Array, a: number, b: number): Float64Array {
  const blk = a * b;
  const out = new Float64Array(E.length);
  for (let s0 = 0; s0 < E.length; s0 += blk) {
    for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out[s0 + j * a + i] = E[s0 + i * b + j]!;
  }
  return out;
}
