import type { AlsOptions, StopReason } from "./options.js";

/**
 * The gain-forecast rule's constants (issue 10). With d_i = r_{i-1} - r_i the per-iteration drops
 * of the relative residual, the expected gain over the next `window` iterations is forecast
 * linearly from the largest of the last `recent` drops,
 *     G = window * max(d_{n-recent+1}, ..., d_n),
 * and the run stops once G < minGain r_n: less than minGain (relative) is to be had from `window`
 * more iterations. The maximum over a few drops keeps one small step (a line search that found
 * little, a ridge change) from stopping a run whose progress is steady; a run heading for an exact
 * split has drops comparable to the residual itself and goes on. Why linear and not a geometric
 * fit of the drops: on the shipped trained layers ALS's drops plateau and re-accelerate rather
 * than decay geometrically; a geometric forecast stopped runs that then gained 0.37% more in 30
 * iterations, the linear one at most 0.16% (bench/stopping.mjs, README "Performance").
 */
export const GAIN_FORECAST = {
  /** Iterations the forecast looks ahead. */
  window: 10,
  /** Drops the forecast takes the largest of. */
  recent: 3,
  /** No forecast before this many iterations: the ridge continuation settles in the first few. */
  minIterations: 6,
} as const;

/** The default --min-gain: stop when the next 10 iterations are expected to gain < 0.1% relative. */
export const DEFAULT_MIN_GAIN = 1e-3;

/** The forecast drop of the residual over the next GAIN_FORECAST.window iterations (see above). */
export function forecastGain(trace: readonly number[]): number {
  const n = trace.length;
  const { window, recent } = GAIN_FORECAST;
  if (n <= recent) return Infinity;
  let largest = 0;
  for (let i = n - recent; i < n; i++) largest = Math.max(largest, trace[i - 1]! - trace[i]!);
  return window * largest;
}

/**
 * The stopping rule shared by all iterative methods, given the relative-residual trace so far:
 * tolerance reached; or no relative improvement above stallTol over the last stallWindow rounds;
 * or the forecast gain over the next GAIN_FORECAST.window iterations below minGain (relative,
 * when minGain > 0); or the iteration budget spent. Returns undefined to go on.
 */
export function stopReason(trace: readonly number[], opts: AlsOptions): StopReason | undefined {
  const n = trace.length;
  const last = trace[n - 1];
  if (last !== undefined && last <= opts.tol) return "tolerance";
  if (n > opts.stallWindow) {
    let stalled = true;
    for (let i = n - opts.stallWindow; i < n; i++) {
      const prev = trace[i - 1]!;
      if (prev - trace[i]! > opts.stallTol * prev) {
        stalled = false;
        break;
      }
    }
    if (stalled) return "stalled";
  }
  if (n >= opts.maxIter) return "max-iter";
  const minGain = opts.minGain ?? 0;
  if (minGain > 0 && last !== undefined && n >= GAIN_FORECAST.minIterations && forecastGain(trace) < minGain * last) return "gain-forecast";
  return undefined;
}
