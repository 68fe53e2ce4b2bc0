import type { SplitGeometry } from "../geometry/shapes.js";
import { parameterCounts } from "./regime.js";

/**
 * What `--method auto` (the default) runs on the hard geometries (issue 8, part 4); a rule of
 * src/methods/policy.ts.
 *
 * The hard geometries are those with ke = k on both axes (the children's composition is exactly the
 * parent's size, so the target carries no zero border) and both children 2-D (k1, k2 > 1 on both
 * axes), e.g. 5x5 -> 3x3 + 3x3 or 3x3 -> 2x2 + 2x2. There the objective is a genuinely bilinear
 * problem with no delta split (a delta child would have to be as large as the parent), and
 * alternating least squares "swamps": each half-step is exact, but the coupled direction that
 * moves both factors together is found only over hundreds of sweeps. A second-order method follows
 * that direction: the ALS-LM race (method-race.ts) where the parameter count is well below the
 * equation count, variable projection (variable-projection-method.ts) where it is near or above it
 * (VARPRO_COUNT_RATIO); measured in the README ("Hard geometries"). A child of size 1 on an axis
 * makes the problem a matrix low-rank approximation or a 1-D matrix-polynomial factorisation
 * instead, and everything with ke > k has zero-padded targets where structured ALS reaches exact
 * splits in a few sweeps: those keep structured.
 */
export function isHardGeometry(g: SplitGeometry): boolean {
  const sameSize = g.ke.h === g.k.h && g.ke.w === g.k.w;
  const twoD = g.k1.h > 1 && g.k1.w > 1 && g.k2.h > 1 && g.k2.w > 1;
  return sameSize && twoD;
}

/**
 * Where variable projection (--method varpro) takes over from the ALS-LM race on a hard geometry:
 * where the heuristic parameter count m (c_in k1h k1w + c_out k2h k2w) - m^2 is at least this
 * fraction of the equation count c_out c_in keh kew (quality/regime.ts), exact-by-count cases
 * included. Measured on the upscaler layers (bench/lm.mjs, the same machine, one run each; the
 * relative residual each reached at the same wall time, varpro with PARTAN):
 *   count ratio  case            varpro    race
 *   0.68         upn1 m = 64     0.2452    0.2448   (24 s)
 *   0.78         gff2 m = 64     0.1849    0.1825   (5 s; the race ends lower)
 *   0.80         gff2 m = 66     0.1614    0.1614   (10 s)
 *   0.80         upn1 m = 76     0.1339    0.1337   (30 s)
 *   0.84         gff2 m = 70     0.1188    0.1206   (10 s)
 *   0.89         upn1 m = 85     0.0610    0.0639   (30 s)
 *   0.90         gff2 m = 76     0.0633    0.0648   (10 s)
 *   0.99         gff2 m = 86     0.00164   0.00189  (10 s)
 *   1.03         upn1 m = 100    1e-6 at 11.8 s against about 22 s
 * Below about 0.8 ALS sweeps still make most of the progress (the race gives them most turns),
 * above it the problem is nearly determined and the Gauss-Newton steps on f1 win. A heuristic
 * from two layers, eight points: the crossover on other layers is not known.
 */
export const VARPRO_COUNT_RATIO = 0.8;

/** The rule for src/methods/policy.ts (POLICY_RULES): on the hard geometries varpro or lm by the count ratio, silent elsewhere. */
export function hardGeometryRule(g: SplitGeometry): { readonly name: "lm" | "varpro"; readonly reason: string } | undefined {
  if (!isHardGeometry(g)) return undefined;
  const { parameters, equations } = parameterCounts(g);
  const ratio = parameters / equations;
  const counts = `ke = k with both children 2-D and ${parameters} parameters for ${equations} equations (ratio ${ratio.toFixed(2)}`;
  return ratio >= VARPRO_COUNT_RATIO
    ? { name: "varpro", reason: `${counts} >= ${VARPRO_COUNT_RATIO}): variable projection after structured sweeps` }
    : { name: "lm", reason: `${counts} < ${VARPRO_COUNT_RATIO}): alternating least squares swamps; LM raced against structured sweeps` };
}
