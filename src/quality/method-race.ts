import { structuredAls } from "../als/methods/structured.js";
import type { AlsOptions, StopReason } from "../als/options.js";
import type { AlsResult } from "../als/result.js";
import type { SplitGeometry } from "../geometry/shapes.js";
import type { Tensor4 } from "../geometry/tensor.js";
import { levenbergMarquardt, lmDefaults } from "../lm/levenberg-marquardt.js";

/** Structured sweeps before the first LM step. */
export const WARM_SWEEPS = 3;

/**
 * ALS turns in a row, at most, before LM is tried again: LM's last rate goes stale (near an exact
 * split LM speeds up). Measured on upscaler-upn1 (3x3 + 3x3), seconds to the 1% target at m = 64,
 * to 0.0625 at m = 85, to 1e-6 at m = 100: 2 in a row 22.6 / 42.9 / 29.1 s, 3: 21.1 / 39.8 /
 * 29.7 s, 5: 17.3 / 37.8 / 30.9 s, unbounded 17.7 / 35.8 / 48.0 s.
 */
export const ALS_TURNS = 5;

/**
 * What an ALS turn counts against --max-iter (an LM step counts 1). An ALS turn runs faster than
 * an LM step of the same operation count (larger GEMMs), so counting it 1 left the default 30
 * turns at a third of the time, short of the exact split at upn1 m = 100 (9e-4).
 */
export const ALS_TURN_BUDGET = 0.5;

/**
 * `--method lm` (what `auto` runs on the hard geometries, method-policy.ts): structured ALS and LM
 * raced on progress per floating-point operation. Progress is the drop of ln(residual), which both
 * methods shrink at a roughly constant rate over a stretch of iterations; whichever dropped it
 * faster per operation on its last turn gets the next one. Operations, counted by each kernel, and
 * not seconds: the choice, and so the result, must not depend on the machine's load (same input,
 * same seed: the same factors, DESIGN.md), and both methods spend their time in the same GEMM and
 * Cholesky kernels, so operations are a fair exchange rate:
 *  - WARM_SWEEPS structured sweeps from the usual start (structured.ts) measure ALS's rate;
 *  - LM steps (lm/levenberg-marquardt.ts) continue while their rate stays at least ALS's last;
 *  - otherwise turns of ALS sweeps from the current f1 (each sweep re-solves f2 first, so the
 *    residual cannot rise), each as many sweeps as cost the last LM step's operations (3 to 30),
 *    re-measuring ALS's rate; they go on while that rate stays at least LM's last, at most
 *    ALS_TURNS in a row; then LM is tried again.
 * Both are monotone, so the joined trace never increases. Budget: --max-iter counts LM steps (1
 * each) and ALS turns (ALS_TURN_BUDGET each), so the trace (one entry per sweep or step) is longer
 * than --max-iter.
 * The residual is what matters to the user; which method produced it shows in the trace only.
 */
export function raceAlsLm(T: Tensor4, g: SplitGeometry, opts: AlsOptions): AlsResult {
  const rate = (before: number, after: number, cost: number) => (before > 0 && after > 0 && cost > 0 ? Math.log(before / after) / cost : 0);
  const trace: number[] = [];
  const report = (rel: number) => {
    trace.push(rel);
    opts.onIteration?.(trace.length, rel);
  };
  const warm = structuredAls(T, g, { ...opts, maxIter: Math.min(WARM_SWEEPS, opts.maxIter), onIteration: (_k: number, rel: number) => report(rel) });
  let { f1, f2 } = warm;
  let flops = warm.flops;
  let turns = 1;
  const first = warm.trace[0] ?? Infinity;
  const last = () => trace[trace.length - 1] ?? Infinity;
  let alsRate = warm.trace.length > 1 ? rate(first, last(), warm.flops * ((warm.trace.length - 1) / warm.trace.length)) : 0;
  let sweepFlops = warm.flops / Math.max(warm.trace.length, 1);
  let stepFlops = sweepFlops;
  let mu = lmDefaults.mu0;
  let lmRate = 0;
  let reason: StopReason | undefined = warm.stopReason === "tolerance" ? "tolerance" : undefined;
  while (reason === undefined && turns < opts.maxIter) {
    // LM while it is at least as fast as ALS was.
    const lm = levenbergMarquardt(
      T, g, { f1, f2 },
      { ...opts, maxIter: opts.maxIter - turns, onIteration: (_k, rel) => report(rel) },
      { ...lmDefaults, mu0: mu },
      (cost, before, after) => {
        stepFlops = cost;
        lmRate = rate(before, after, cost);
        return lmRate < alsRate;
      },
    );
    ({ f1, f2, mu } = lm);
    flops += lm.flops;
    turns += lm.iterations;
    if (!lm.yielded) {
      reason = lm.stopReason;
      break;
    }
    if (turns >= opts.maxIter) break;
    // Turns of ALS from the current f1, costed, while ALS's rate stays at least LM's last, at most
    // ALS_TURNS in a row (LM's rate is stale by then: near an exact split it speeds up), the ridge
    // already continued to its floor.
    let alsTurns = 0;
    do {
      alsTurns++;
      const before = last();
      const sweeps = Math.min(30, Math.max(3, Math.round(stepFlops / sweepFlops)));
      const { onIteration: _quiet, ...quiet } = opts; // this turn's sweeps are reported below
      const als = structuredAls(T, g, { ...quiet, lambda: 1e-12, maxIter: sweeps }, f1);
      flops += als.flops;
      turns += ALS_TURN_BUDGET;
      for (const r of als.trace) report(Math.min(r, before));
      if (als.trace[als.trace.length - 1]! < before) ({ f1, f2 } = als);
      alsRate = rate(before, last(), als.flops);
      sweepFlops = als.flops / Math.max(als.trace.length, 1);
      if (als.stopReason === "tolerance") reason = "tolerance";
    } while (reason === undefined && turns < opts.maxIter && alsRate >= lmRate && alsTurns < ALS_TURNS);
  }
  return { f1, f2, trace, iterations: trace.length, stopReason: reason ?? "max-iter", flops };
}
