import { balanceChannels } from "../als/balance.js";
import { f1FromSolution, f1ToSolution, f2FromSolution, f2ToSolution } from "../als/factors.js";
import { normalEquations } from "../als/normal-equations.js";
import type { AlsOptions, StopReason } from "../als/options.js";
import type { AlsResult } from "../als/result.js";
import { stopReason } from "../als/stopping.js";
import { compose, composeFlops } from "../geometry/compose.js";
import type { SplitGeometry } from "../geometry/shapes.js";
import { sumSquares, swapChannels, type Tensor4 } from "../geometry/tensor.js";
import { gemm, gemmFlops } from "../linalg/gemm.js";
import { bestQuarticStep } from "../als/extrapolation.js";
import { applyBlock, factorBlock, type BlockFactor } from "./block-preconditioner.js";
import { adjointF1, adjointF2 } from "../geometry/compose-adjoint.js";
import { jacobianTimes, jacobianTransposeTimes } from "./jacobian.js";
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
 * matrix-free by preconditioned CG (pcg.ts). H is the Gauss-Newton matrix J^T J (J s and J^T (J s):
 * four compositions, jacobian.ts) plus, while the residual is large, the residual's own curvature:
 * compose is bilinear, so the Hessian of 1/2 ||r||^2 is J^T J + [[0, B], [B^T, 0]] with
 * B^T v1 = adjointF2(r, v1), B v2 = adjointF1(r, v2) (two more correlations). The preconditioner is
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
  let { f1, f2 } = balanceChannels(start.f1, start.f2);
  let E = residual(f1, f2, T);
  let rr = sumSquares(E.data);
  let flops = composeFlops(f1, f2);
  let mu = tuning.mu0;
  let nu = 2;
  let g0 = 0;
  const trace: number[] = [];
  let reason: StopReason | undefined = Math.sqrt(rr) / tNorm <= opts.tol ? "tolerance" : undefined;
  const n1 = g.m * g.k1.h * g.k1.w;
  const n2 = g.m * g.k2.h * g.k2.w;
  const N1 = f1.data.length;
  let yielded = false;
  while (reason === undefined) {
    const flopsBefore = flops;
    const relBefore = Math.sqrt(rr) / tNorm;
    // G1, G2 and the gradient J^T r in solution layout (normal-equations.ts with T := r).
    const ne1 = normalEquations(f2, E, g.k1);
    const ne2 = normalEquations(swapChannels(f1), swapChannels(E), g.k2);
    flops += ne1.flops + ne2.flops;
    const grad1 = f1FromSolution(ne1.R, g.m, g.k1, g.cIn).data;
    const grad2 = f2FromSolution(ne2.R, g.m, g.k2, g.cOut).data;
    const b = new Float64Array(N1 + grad2.length);
    for (let q = 0; q < N1; q++) b[q] = -grad1[q]!;
    for (let q = 0; q < grad2.length; q++) b[N1 + q] = -grad2[q]!;
    const gNorm = Math.sqrt(sumSquares(b));
    if (trace.length === 0) g0 = gNorm;
    const eta = Math.min(tuning.etaMax, Math.sqrt(g0 > 0 ? gNorm / g0 : 0));
    const newton = Math.sqrt(rr) / tNorm > tuning.newtonAbove;
    let accepted = false;
    for (let tries = 0; tries <= tuning.maxRejects && !accepted; tries++) {
      const P1 = factorBlock(ne1.G, n1, g.cIn, mu, tuning.deltaRel);
      const P2 = factorBlock(ne2.G, n2, g.cOut, mu, tuning.deltaRel);
      flops += P1.flops + P2.flops;
      const split = (v: Float64Array): [Tensor4, Tensor4] => [
        { shape: f1.shape, data: v.subarray(0, N1) },
        { shape: f2.shape, data: v.subarray(N1) },
      ];
      const precondition = (r: Float64Array): Float64Array => {
        const [r1, r2] = split(r);
        const X1 = f1ToSolution(r1);
        const X2 = f2ToSolution(r2);
        flops += applyBlock(P1, X1) + applyBlock(P2, X2);
        return join(f1FromSolution(X1, g.m, g.k1, g.cIn).data, f2FromSolution(X2, g.m, g.k2, g.cOut).data);
      };
      const apply = (v: Float64Array): Float64Array => {
        const [v1, v2] = split(v);
        const jv = jacobianTimes(f1, f2, v1, v2);
        const jtjv = jacobianTransposeTimes(f1, f2, jv.out);
        flops += jv.flops + jtjv.flops;
        if (newton) {
          // The residual's own curvature: d^2/dt^2 of 1/2 ||r||^2 along (v1, v2) adds
          // 2 <E, compose(v1, v2)>, i.e. (adjointF1(E, v2), adjointF2(E, v1)) to H v.
          const c1 = adjointF1(E, v2, g.k1);
          const c2 = adjointF2(E, v1, g.k2);
          flops += 2 * composeFlops(f1, f2);
          for (let q = 0; q < c1.data.length; q++) jtjv.g1.data[q]! += c1.data[q]!;
          for (let q = 0; q < c2.data.length; q++) jtjv.g2.data[q]! += c2.data[q]!;
        }
        const d1 = dampingTimes(ne1.G, P1, f1ToSolution(v1), mu);
        const d2 = dampingTimes(ne2.G, P2, f2ToSolution(v2), mu);
        flops += d1.flops + d2.flops;
        const o1 = f1FromSolution(d1.out, g.m, g.k1, g.cIn).data;
        const o2 = f2FromSolution(d2.out, g.m, g.k2, g.cOut).data;
        for (let q = 0; q < o1.length; q++) o1[q]! += jtjv.g1.data[q]!;
        for (let q = 0; q < o2.length; q++) o2[q]! += jtjv.g2.data[q]!;
        return join(o1, o2);
      };
      const s = pcg(apply, precondition, b, eta, newton ? tuning.cgMaxIter : tuning.cgMaxIterGaussNewton);
      const [s1, s2] = split(s.x);
      // r(f + a s) = E + a J s + a^2 compose(s1, s2) exactly (compose is bilinear): take the best a
      // in (0, aMax] of that quartic (extrapolation.ts), then judge the step by the gain ratio.
      const js = jacobianTimes(f1, f2, s1, s2);
      const E2 = compose(s1, s2).data;
      flops += js.flops + composeFlops(f1, f2);
      const ls = bestQuarticStep(E.data, (q) => js.out.data[q]!, E2, tuning.maxStep);
      const a = ls?.step ?? 1;
      // The model's reduction at a: -(c1 a + c2 a^2) with c1 = 2 <E, J s> and c2 = ||J s||^2
      // (Gauss-Newton), plus 2 <E, compose(s1, s2)> with the residual's curvature (newton).
      let c1 = 0;
      let c2 = 0;
      for (let q = 0; q < E.data.length; q++) {
        const j = js.out.data[q]!;
        c1 += 2 * E.data[q]! * j;
        c2 += j * j + (newton ? 2 * E.data[q]! * E2[q]! : 0);
      }
      const predicted = -(c1 * a + c2 * a * a);
      const t1 = add(f1, s1, a);
      const t2 = add(f2, s2, a);
      const Et: Tensor4 = { shape: E.shape, data: new Float64Array(E.data.length) };
      for (let q = 0; q < Et.data.length; q++) Et.data[q] = E.data[q]! + a * (js.out.data[q]! + a * E2[q]!);
      const rrt = sumSquares(Et.data);
      const rho = predicted > 0 ? (rr - rrt) / predicted : -1;
      if (rrt < rr && rho > 1e-4) {
        ({ f1, f2 } = balanceChannels(t1, t2));
        E = Et;
        rr = rrt;
        mu *= Math.max(1 / 3, 1 - (2 * rho - 1) ** 3);
        nu = 2;
        accepted = true;
      } else {
        mu *= nu;
        nu *= 2;
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
  return { f1, f2, trace, iterations: trace.length, stopReason: reason, flops, yielded, mu };
}

/** mu D X = mu (G X + delta X), X in solution layout (n x J). */
function dampingTimes(G: Float64Array, P: BlockFactor, X: Float64Array, mu: number): { out: Float64Array; flops: number } {
  const out = new Float64Array(X.length);
  gemm(false, false, P.n, P.J, P.n, mu, G, P.n, X, P.J, 0, out, P.J);
  const md = mu * P.delta;
  for (let q = 0; q < X.length; q++) out[q]! += md * X[q]!;
  return { out, flops: gemmFlops(P.n, P.J, P.n) };
}

function residual(f1: Tensor4, f2: Tensor4, T: Tensor4): Tensor4 {
  const C = compose(f1, f2);
  for (let q = 0; q < C.data.length; q++) C.data[q]! -= T.data[q]!;
  return C;
}

function add(x: Tensor4, d: Tensor4, a: number): Tensor4 {
  const out = x.data.slice();
  for (let q = 0; q < out.length; q++) out[q]! += a * d.data[q]!;
  return { shape: x.shape, data: out };
}

function join(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
