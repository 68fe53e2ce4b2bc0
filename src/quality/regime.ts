import type { InitName } from "../als/init.js";
import type { Construction } from "../als/result.js";
import { polynomialUnavailable } from "../geometry/polynomial-axis.js";
import { foldTarget, isMatrixGeometry } from "../geometry/fold.js";
import type { SplitGeometry } from "../geometry/shapes.js";
import type { Tensor4 } from "../geometry/tensor.js";
import type { KernelFloor } from "../report/kernel-floor.js";
import { truncatedSvd } from "../methods/truncated-svd.js";

/**
 * What a split with this geometry (k, k1, k2, c_in, c_out, m, per axis) can achieve; DESIGN.md,
 * "Regimes users care about". A split is called exact only where one is known to exist:
 * - matrix        every axis has a child of extent 1 (geometry/fold.ts): a rank-m approximation
 *                 of the folded target, optimum by truncated SVD; exact iff m >= its rank.
 * - exact-with-delta  a delta f1 (a channel mixing at one tap) with f2 carrying the parent:
 *                 m >= c_in and k2 >= k on both axes; or a delta f2 with f1 carrying the parent:
 *                 m >= c_out and k1 >= k. (A generic parent then has every exact split spatially
 *                 a delta on one side until the dense condition holds.)
 * - exact-dense   m k2h k2w >= c_in keh kew: for a generic dense f1 the f2 half-step alone has at
 *                 least as many unknowns per output channel as equations, so a random dense f1
 *                 admits an exact f2 (the Network Morphism paper's condition); mirror
 *                 m k1h k1w >= c_out keh kew with a random dense f2.
 * - compression   m < min(c_in, c_out): the frequency floor, a rank bound, is > 0 for a generic
 *                 parent, so no exact split exists.
 * - matrix-polynomial  a 1-D split at m = c_in = c_out with k1 + k2 - 1 = k
 *                 (geometry/polynomial-axis.ts): the composition is the product of matrix
 *                 polynomials T(z) = F2(z) F1(z), and parameters equal equations. An exact real
 *                 split exists exactly when T has a real right divisor of degree k1 - 1; for a
 *                 generic parent one exists unless the eigenvalues forbid a conjugate-closed choice,
 *                 so before solving it is unknown (exact: null), and `withConstruction` makes it
 *                 known (exact: true) once methods/matrix-polynomial.ts constructed one.
 * - no-exact-known  everything else (e.g. 5x5 -> 3x3 + 3x3 at m >= c_in): no exact split is
 *                 known; the floor is only a rank bound. The parameter count
 *                 m (c_in k1h k1w + c_out k2h k2w) - m^2 (the gauge f1 -> A f1, f2 -> f2 A^-1
 *                 removed) against the equation count c_out c_in keh kew is reported as the
 *                 heuristic it is.
 */
export type RegimeName = "matrix" | "exact-with-delta" | "exact-dense" | "compression" | "matrix-polynomial" | "no-exact-known";

export interface Regime {
  readonly name: RegimeName;
  /**
   * true: an exact split is known to exist; false: none exists (matrix: proven by the rank;
   * compression: for a generic parent, proven for this one when the floor is positive); null: unknown.
   */
  readonly exact: boolean | null;
  /** Which factor is a spatial delta in the known exact split ("exact-with-delta"), else null. */
  readonly deltaSide: "f1" | "f2" | null;
  /** The smallest m with m k2h k2w >= c_in keh kew or m k1h k1w >= c_out keh kew. */
  readonly denseExactFilters: number;
  /** The smallest m with a known exact split for these kernel sizes (matrix: the rank), null if none. */
  readonly exactFilters: number | null;
  /** The heuristic count (not a proof): free parameters less the gauge, against equations. */
  readonly counts: { readonly parameters: number; readonly equations: number };
  /** Matrix geometries: the folded matrix's size and numerical rank (singular values above 1e-7 sigma_max). */
  readonly matrix: { readonly rows: number; readonly cols: number; readonly rank: number } | null;
  /** One sentence for the report. */
  readonly description: string;
}

/** Relative singular-value threshold of the numerical rank (about sqrt(eps): the Gram squares the spectrum). */
export const RANK_TOLERANCE = 1e-7;

export function denseExactFilters(g: SplitGeometry): number {
  const e = g.ke.h * g.ke.w;
  return Math.min(Math.ceil((g.cIn * e) / (g.k2.h * g.k2.w)), Math.ceil((g.cOut * e) / (g.k1.h * g.k1.w)));
}

export function deltaExactFilters(g: SplitGeometry): { readonly f1: number | null; readonly f2: number | null } {
  return {
    f1: g.k2.h >= g.k.h && g.k2.w >= g.k.w ? g.cIn : null,
    f2: g.k1.h >= g.k.h && g.k1.w >= g.k.w ? g.cOut : null,
  };
}

export function parameterCounts(g: SplitGeometry): { parameters: number; equations: number } {
  return {
    parameters: g.m * (g.cIn * g.k1.h * g.k1.w + g.cOut * g.k2.h * g.k2.w) - g.m * g.m,
    equations: g.cOut * g.cIn * g.ke.h * g.ke.w,
  };
}

/** The regime of g; T (the target) is needed for the rank of a matrix geometry. */
export function classifyRegime(g: SplitGeometry, T: Tensor4): Regime {
  const counts = parameterCounts(g);
  const dense = denseExactFilters(g);
  if (isMatrixGeometry(g)) {
    const fold = foldTarget(T, g);
    const [rows, cols] = fold.target.shape;
    const { sigmaSq } = truncatedSvd(fold.target.data, rows, cols, 0);
    const top = Math.sqrt(sigmaSq[0] ?? 0);
    let rank = 0;
    for (const s2 of sigmaSq) if (Math.sqrt(s2) > RANK_TOLERANCE * top) rank++;
    const exact = g.m >= rank;
    return {
      name: "matrix",
      exact,
      deltaSide: null,
      denseExactFilters: dense,
      exactFilters: rank,
      counts,
      matrix: { rows, cols, rank },
      description:
        `a matrix geometry: the split is a rank-m approximation of the ${rows} x ${cols} folded target (numerical rank ${rank}); ` +
        (exact ? `m = ${g.m} >= ${rank}: exact` : `m = ${g.m} < ${rank}: the truncated SVD's residual is the optimum`),
    };
  }
  const delta = deltaExactFilters(g);
  const known = [delta.f1, delta.f2, dense].filter((x): x is number => x !== null);
  const exactFilters = Math.min(...known);
  const base = { denseExactFilters: dense, exactFilters, counts, matrix: null };
  const d = Math.min(g.cIn, g.cOut);
  if (g.m >= dense) {
    return { ...base, name: "exact-dense", exact: true, deltaSide: null, description: `m = ${g.m} >= ${dense} (m k2h k2w >= c_in keh kew, or the mirror): a random dense factor admits an exact other factor` };
  }
  const side = delta.f1 !== null && g.m >= delta.f1 ? "f1" : delta.f2 !== null && g.m >= delta.f2 ? "f2" : null;
  if (side !== null) {
    const why = side === "f1" ? `m = ${g.m} >= c_in and k2 >= k: a delta f1 (a channel mixing at one tap) with f2 carrying the parent` : `m = ${g.m} >= c_out and k1 >= k: a delta f2 with f1 carrying the parent`;
    return { ...base, name: "exact-with-delta", exact: true, deltaSide: side, description: `${why} is exact; a dense exact split needs m >= ${dense}` };
  }
  if (g.m < d) {
    return { ...base, name: "compression", exact: false, deltaSide: null, description: `m = ${g.m} < min(c_in, c_out) = ${d}: no exact split for a generic parent (the floor, a rank bound, is then positive, which proves it)` };
  }
  if (polynomialUnavailable(g) === undefined) {
    return {
      ...base,
      name: "matrix-polynomial",
      exact: null,
      deltaSide: null,
      description:
        `a 1-D split at m = c_in = c_out with k1 + k2 - 1 = k: the composition is the matrix-polynomial product T(z) = F2(z) F1(z), ` +
        `${counts.parameters} parameters = ${counts.equations} equations; an exact split is a real right divisor of T(z) of degree k1 - 1, ` +
        `known to exist only once constructed (--method polynomial)`,
    };
  }
  const more = counts.parameters >= counts.equations;
  const reasons = [
    delta.f1 === null ? "k2 < k, so a delta f1 cannot carry the parent" : `a delta f1 needs m >= c_in = ${delta.f1}`,
    delta.f2 === null ? "k1 < k, so a delta f2 cannot carry the parent" : `a delta f2 needs m >= c_out = ${delta.f2}`,
    `a dense exact split needs m >= ${dense}`,
  ];
  return {
    ...base,
    name: "no-exact-known",
    exact: null,
    deltaSide: null,
    description:
      `no exact split is known (${reasons.join("; ")}); the floor is a rank bound only. Heuristic: ${counts.parameters} parameters ` +
      `(m (c_in k1h k1w + c_out k2h k2w) - m^2) ${more ? ">=" : "<"} ${counts.equations} equations (c_out c_in keh kew)` +
      `${more ? ", which in the cases measured meant an exact split existed" : ", which in the cases measured meant none was found"}`,
  };
}

/**
 * The regime once a method constructed a split directly (methods/matrix-polynomial.ts): an exact
 * construction shows that an exact split exists (exact: true, exact from this m); one that proved
 * none exists makes it exact: false; a failed one leaves the regime as it was, with the method's
 * account added.
 */
export function withConstruction(regime: Regime, m: number, construction: Construction | undefined): Regime {
  if (construction === undefined) return regime;
  if (construction.impossible) return { ...regime, exact: false, description: `${regime.description}; proven impossible here: ${construction.description}` };
  if (!construction.exact) return { ...regime, description: `${regime.description}; not shown here: ${construction.description}` };
  return {
    ...regime,
    exact: true,
    exactFilters: regime.exactFilters === null ? m : Math.min(regime.exactFilters, m),
    description: `${regime.description}; exact split shown by construction: ${construction.description}`,
  };
}

/**
 * The regime once the floor is known (pipeline/evaluate.ts): a positive rank bound proves that no
 * split with m middle channels is exact. Where the regime left that open (no-exact-known, whose
 * frequency floor is 0) a positive block-Toeplitz floor settles it: exact becomes false.
 */
export function withFloor(regime: Regime, floor: KernelFloor | undefined): Regime {
  if (floor?.bound.name !== "block-toeplitz" || regime.exact !== null) return regime;
  return { ...regime, exact: false, description: `${regime.description}; proven impossible here: the block-Toeplitz floor is positive` };
}

/**
 * The start that follows the regime (README, "Quality"): identity only where a delta split exists
 * (init.ts puts the delta on the side the regime names), random where a dense exact split exists,
 * spectral otherwise (the compression start; no exact split is known).
 */
export function defaultInit(regime: RegimeName): InitName {
  switch (regime) {
    case "exact-with-delta":
      return "identity";
    case "exact-dense":
      return "random";
    case "matrix":
    case "compression":
    case "matrix-polynomial":
    case "no-exact-known":
      return "spectral";
  }
}
