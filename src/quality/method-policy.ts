import type { SplitGeometry } from "../geometry/shapes.js";

/**
 * When `--method auto` (the default) runs LM, by geometry (issue 8, part 4); a rule of
 * src/methods/policy.ts.
 *
 * The hard geometries are those with ke = k on both axes (the children's composition is exactly the
 * parent's size, so the target carries no zero border) and both children 2-D (k1, k2 > 1 on both
 * axes), e.g. 5x5 -> 3x3 + 3x3 or 3x3 -> 2x2 + 2x2. There the objective is a genuinely bilinear
 * problem with no delta split (a delta child would have to be as large as the parent), and
 * alternating least squares "swamps": each half-step is exact, but the coupled direction that
 * moves both factors together is found only over hundreds of sweeps. LM (a few structured sweeps,
 * then Levenberg-Marquardt on both factors jointly) follows that direction; measured in the README
 * ("Quality"). A child of size 1 on an axis makes the problem a matrix low-rank approximation or a
 * 1-D matrix-polynomial factorisation instead, and everything with ke > k has zero-padded targets
 * where structured ALS reaches exact splits in a few sweeps: those keep structured.
 */
export function isHardGeometry(g: SplitGeometry): boolean {
  const sameSize = g.ke.h === g.k.h && g.ke.w === g.k.w;
  const twoD = g.k1.h > 1 && g.k1.w > 1 && g.k2.h > 1 && g.k2.w > 1;
  return sameSize && twoD;
}

/** The rule for src/methods/policy.ts (POLICY_RULES): lm on the hard geometries, silent elsewhere. */
export function hardGeometryRule(g: SplitGeometry): { readonly name: "lm"; readonly reason: string } | undefined {
  if (!isHardGeometry(g)) return undefined;
  return {
    name: "lm",
    reason: "ke = k with both children 2-D: alternating least squares swamps; LM raced against structured sweeps",
  };
}
