import type { AlsOptions, StopReason } from "./options.js";

/**
 * The stopping rule shared by all methods, given the relative-residual trace so far:
 * tolerance reached, or no relative improvement above stallTol over the last stallWindow rounds,
 * or the iteration budget spent. Returns undefined to go on.
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
  return undefined;
}
