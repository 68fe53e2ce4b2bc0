import { f1FromSolution, f1ToSolution, f2FromSolution } from "../als/factors.js";
import { normalEquations } from "../als/normal-equations.js";
import type { AlsOptions, StopReason } from "../als/options.js";
import type { AlsResult } from "../als/result.js";
import { stopReason } from "../als/stopping.js";
import { adjointSolution1, adjointSolution2, composeSolution, composeSolutionFlops, solutionSizes } from "../geometry/compose-solution.js";
import type { SplitGeometry } from "../geometry/shapes.js";
import { tapMajorTarget, tapMajorView } from "../geometry/tap-major.js";
import { sumSquares, swapChannels, type Tensor4 } from "../geometry/tensor.js";
import { applyBlock, factorBlock } from "./block-preconditioner.js";
import { NielsenDamping } from "./damping.js";
import { lmDefaults } from "./levenberg-marquardt.js";
import { parallelTangents } from "./parallel-tangents.js";
import { pcg } from "./pcg.js";

/**
 * PARTAN's first probe and longest step along the two-step displacement (parallel-tangents.ts).
 * Measured on upscaler-upn1 (5x5 -> 3x3 + 3x3), m = 85, relative residual after 30 / 60 s: no
 * search 0.0635 / 0.0604; c fixed at 0.5: 0.0618 / 0.0586; at 0.25: 0.0617 / 0.0587; the parabola
 * from h = 0.25: 0.0610 / 0.0579 (the parabola's c* is mostly below 0.5). Searching along the last
 * step alone (doubling it while the residual falls) measured no gain (0.0601 at 60 s), and neither did
 * re-orthonormalising f1's rows through the gauge after each step.
 */
export const PARTAN_PROBE = 0.25;
export const PARTAN_MAX = 2;

/**
 * Variable projection (Golub & Pereyra; Kaufman's Gauss-Newton form) for min ||compose(f1, f2) - T||^2:
 * compose is linear in f2, so f2 is eliminated, f2*(f1) = argmin (one ALS half-step, solved
 * exactly), and Levenberg-Marquardt runs on f1 alone against the reduced residual
 *   r(X1) = (I - P(X1)) t,   P = J2 (J2^T J2)^{-1} J2^T,   J2 v2 = compose(X1, v2),
 * (solution layout, r tap-major: geometry/compose-solution.ts). Kaufman's reduced Jacobian is
 * (I - P) J1 with J1 v1 = compose(v1, X2*), so each step solves
 *   (J1^T (I - P) J1 + mu D1) s = -J1^T r,   D1 = G1 + delta I
 * (G1 = J1^T J1, the f1 half-step's normal matrix) by CG preconditioned with (1 + mu) G1 + mu delta I
 * (block-preconditioner.ts); J2^T J2 = G2, the f2 half-step's normal matrix, Cholesky-factored once
 * per step, so one product costs four compositions:
 *   y = J1 v,  z = G2^{-1} adjoint2(y, X1),  w = (1 + mu) y - compose(X1, z),  out = adjoint1(w, X2).
 * The gradient of the reduced objective is J1^T r (J2^T r = 0 at f2*), the f1 right-hand side of
 * the normal equations with T := r. A trial f1 + s is judged with f2 refitted: monotone, the damping
 * on Nielsen's rule as in levenberg-marquardt.ts. The gauge f1 -> A f1 leaves r unchanged (m^2 null
 * directions of the reduced Jacobian), so the damping alone fixes it.
 *
 * After each accepted step, PARTAN (parallel-tangents.ts) searches along the displacement over the
 * last two steps, f2 refitted at each probe: the Gauss-Newton steps zig-zag across a narrow valley
 * (gain ratio near 1.4 with the damping at its floor), and that displacement points along it.
 *
 * Measured (bench/lm.mjs, README "Hard geometries"): on upscaler-upn1 (5x5 -> 3x3 + 3x3) at m = 85
 * (90,695 parameters for 102,400 equations) 332 steps reached 0.0565 in 149 s where a 60-turn lm
 * run stopped at 0.0602 (84 s); at m = 64, 592 steps reached 0.2394 (114 s) against lm's 0.2415
 * (100 turns, 110 s), though lm is ahead in the first 20 s; where the count says an exact split
 * exists it reached 1e-6 in less than half lm's time (upn1 m = 100: 11.3 s against 27.2 s). The
 * default run picks it by the count ratio (quality/method-policy.ts).
 */
export function variableProjection(
  T: Tensor4,
  g: SplitGeometry,
  start: Tensor4,
  opts: AlsOptions,
): AlsResult {
  const { m, cIn, cOut, k1, k2, ke } = g;
  const sizes = solutionSizes(g);
  const n1 = m * k1.h * k1.w;
  const n2 = m * k2.h * k2.w;
  const pairFlops = composeSolutionFlops(g);
  const target = tapMajorTarget(T, false).data;
  const targetSwapped = tapMajorTarget(T, true);
  const tNorm = Math.sqrt(sumSquares(T.data)) || 1;
  let flops = 0;

  // f2*(X1): the f2 half-step with the race's ridge floor (1e-12 of mean(diag(G2)), keeping G2
  // positive definite where f1 is rank-deficient), and the residual at it.
  const refit = (X1: Float64Array) => {
    const ne2 = normalEquations(swapChannels(f1FromSolution(X1, m, k1, cIn)), targetSwapped, k2);
    const G2 = factorBlock(ne2.G, n2, cOut, 1e-12, 1);
    const X2 = ne2.R.slice();
    flops += ne2.flops + G2.flops + applyBlock(G2, X2) + pairFlops;
    const E = composeSolution(g, X1, X2, new Float64Array(sizes.e));
    for (let q = 0; q < E.length; q++) E[q]! -= target[q]!;
    return { X1, X2, G2, E, rr: sumSquares(E) };
  };
  let cur = refit(f1ToSolution(start));
  // Floored: the damping falls geometrically on a run of good steps and must stay able to grow.
  const damping = new NielsenDamping(lmDefaults.mu0, 1e-30);
  let g0 = 0;
  let previous: Float64Array | undefined; // f1 before the last accepted step (x_{k-1})
  const trace: number[] = [];
  let reason: StopReason | undefined = Math.sqrt(cur.rr) / tNorm <= opts.tol ? "tolerance" : undefined;
  const y = new Float64Array(sizes.e);
  const w = new Float64Array(sizes.e);
  const pz = new Float64Array(sizes.e);
  const z = new Float64Array(sizes.n2);
  while (reason === undefined) {
    const { X1, X2, G2, E } = cur;
    // (I - P) y in place, P's solve through G2's Cholesky factor (2 compositions).
    const project = (v: Float64Array): void => {
      adjointSolution2(g, v, X1, z);
      flops += applyBlock(G2, z);
      composeSolution(g, X1, z, pz);
      for (let q = 0; q < v.length; q++) v[q]! -= pz[q]!;
      flops += 2 * pairFlops;
    };
    const ne1 = normalEquations(f2FromSolution(X2, m, k2, cOut), tapMajorView(E, cOut, cIn, ke), k1);
    flops += ne1.flops;
    const b = ne1.R.map((v) => -v);
    const gNorm = Math.sqrt(sumSquares(b));
    if (trace.length === 0) g0 = gNorm;
    const eta = Math.min(lmDefaults.etaMax, Math.sqrt(g0 > 0 ? gNorm / g0 : 0));
    let accepted = false;
    for (let tries = 0; tries <= lmDefaults.maxRejects && !accepted; tries++) {
      const mu = damping.mu;
      const P1 = factorBlock(ne1.G, n1, cIn, mu, lmDefaults.deltaRel);
      flops += P1.flops;
      const apply = (v: Float64Array): Float64Array => {
        composeSolution(g, v, X2, y);
        w.set(y);
        project(w); // w = (I - P) J1 v
        for (let q = 0; q < y.length; q++) w[q] = w[q]! + mu * y[q]!;
        const out = adjointSolution1(g, w, X2, new Float64Array(v.length));
        for (let q = 0; q < out.length; q++) out[q]! += mu * P1.delta * v[q]!;
        flops += 2 * pairFlops;
        return out;
      };
      const precondition = (r: Float64Array): Float64Array => {
        const zz = r.slice();
        flops += applyBlock(P1, zz);
        return zz;
      };
      const s = pcg(apply, precondition, b, eta, lmDefaults.cgMaxIter);
      if (s.breakdown) {
        damping.reject();
        continue;
      }
      // The Gauss-Newton model's reduction of ||r||^2: 2 <-g, s> - ||(I - P) J1 s||^2.
      const js = composeSolution(g, s.x, X2, new Float64Array(sizes.e));
      flops += pairFlops;
      project(js);
      let gs = 0;
      for (let q = 0; q < b.length; q++) gs += b[q]! * s.x[q]!;
      const predicted = 2 * gs - sumSquares(js);
      const X1t = X1.slice();
      for (let q = 0; q < X1t.length; q++) X1t[q]! += s.x[q]!;
      const trial = refit(X1t);
      const rho = predicted > 0 ? (cur.rr - trial.rr) / predicted : -1;
      if (trial.rr < cur.rr && rho > 1e-4) {
        // PARTAN along the last two steps' displacement, f2 refitted at each probe.
        if (previous !== undefined) {
          const from = previous;
          const D = trial.X1.map((v, q) => v - from[q]!);
          cur = parallelTangents(trial, (c) => refit(trial.X1.map((v, q) => v + c * D[q]!)), PARTAN_PROBE, PARTAN_MAX).best;
        } else cur = trial;
        previous = X1;
        accepted = true;
        damping.accept(rho);
      } else {
        damping.reject();
      }
    }
    const rel = Math.sqrt(cur.rr) / tNorm;
    trace.push(rel);
    opts.onIteration?.(trace.length, rel);
    reason = accepted ? stopReason(trace, opts) : "stalled";
  }
  const f1 = f1FromSolution(cur.X1, m, k1, cIn);
  const f2 = f2FromSolution(cur.X2, m, k2, cOut);
  return { f1, f2, trace, iterations: trace.length, stopReason: reason, flops };
}
