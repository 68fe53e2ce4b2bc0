import type { AlsResult } from "./result.js";

/**
 * --restarts n: run the method from n seeded starts (seed, seed + 1, ..., mod 2^32) and keep the
 * lowest final residual (ties: the earliest start). Deterministic: same seed, same n, same winner.
 * `score` is the true relative residual of a result (the seed method's trace is before projection).
 */
export interface RestartsOutcome {
  readonly best: AlsResult;
  readonly bestSeed: number;
  /** Final relative residual of each start, in start order. */
  readonly perStart: readonly { readonly seed: number; readonly residualRel: number }[];
  readonly flops: number;
}

export function runRestarts(
  run: (seed: number) => AlsResult,
  seed: number,
  n: number,
  score: (r: AlsResult) => number = (r) => r.trace[r.trace.length - 1] ?? Infinity,
): RestartsOutcome {
  let best: AlsResult | undefined;
  let bestSeed = seed;
  let bestRel = Infinity;
  let flops = 0;
  const perStart: { seed: number; residualRel: number }[] = [];
  for (let k = 0; k < Math.max(1, n); k++) {
    const s = (seed + k) >>> 0;
    const r = run(s);
    flops += r.flops;
    const rel = score(r);
    perStart.push({ seed: s, residualRel: rel });
    if (best === undefined || rel < bestRel) {
      best = r;
      bestRel = rel;
      bestSeed = s;
    }
  }
  return { best: { ...best!, flops }, bestSeed, perStart, flops };
}
