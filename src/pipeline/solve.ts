import type { AlsOptions } from "../als/options.js";
import { runRestarts, type RestartsOutcome } from "../als/restarts.js";
import { compose } from "../geometry/compose.js";
import type { SplitGeometry } from "../geometry/shapes.js";
import { diffNorm, frobeniusNorm, type Tensor4 } from "../geometry/tensor.js";
import { methodEntry, type MethodName } from "../methods/registry.js";

/**
 * The solve step: the chosen method from `restarts` seeded starts (seed, seed + 1, ...), the best
 * ranked by the true residual ||compose - T|| / ||T|| (the seed method's trace is pre-projection).
 */
export function solve(method: MethodName, T: Tensor4, g: SplitGeometry, options: AlsOptions, restarts: number): RestartsOutcome {
  const solver = methodEntry(method).solve;
  const tNorm = frobeniusNorm(T.data);
  const score = (r: { f1: Tensor4; f2: Tensor4 }): number => diffNorm(compose(r.f1, r.f2).data, T.data) / (tNorm > 0 ? tNorm : 1);
  return runRestarts((seed) => solver(T, g, { ...options, seed }), options.seed, restarts, score);
}
