import type { InitName } from "../als/init.js";
import type { SplitGeometry } from "../geometry/shapes.js";

/**
 * What a split with m middle channels can achieve (issue 5; DESIGN.md, "Regimes users care about"):
 * - compression      m < min(c_in, c_out): no exact split; the frequency floor bounds the residual.
 * - exact-with-delta m = min(c_in, c_out): exact splits exist (f1 = a channel mixing at its centre
 *   tap, f2 = W mixed back), but for a generic square parent the determinant of the composition's
 *   matrix polynomial is irreducible, so every exact split has a spatially-delta factor.
 * - trade-off        min(c_in, c_out) < m < m_dense: exact splits exist; the more of f1's energy is
 *   off its centre tap, the harder exactness gets.
 * - exact-dense      m k2h k2w >= c_in keh kew (m >= m_dense, the Network Morphism paper's
 *   condition): for a generic dense f1, the f2 half-step alone has as many unknowns per output
 *   channel as equations, so a random dense start admits an exact f2.
 */
export type RegimeName = "exact-with-delta" | "exact-dense" | "trade-off" | "compression";

export interface Regime {
  readonly name: RegimeName;
  /** The smallest m with m k2h k2w >= c_in keh kew. */
  readonly denseExactFilters: number;
  /** min(c_in, c_out): the smallest m with an exact split. */
  readonly exactFilters: number;
  /** One sentence for the report. */
  readonly description: string;
}

export function denseExactFilters(g: SplitGeometry): number {
  return Math.ceil((g.cIn * g.ke.h * g.ke.w) / (g.k2.h * g.k2.w));
}

export function classifyRegime(g: SplitGeometry): Regime {
  const dense = denseExactFilters(g);
  const exact = Math.min(g.cIn, g.cOut);
  const name: RegimeName = g.m >= dense ? "exact-dense" : g.m < exact ? "compression" : g.m === exact ? "exact-with-delta" : "trade-off";
  return { name, denseExactFilters: dense, exactFilters: exact, description: describe(name, g.m, exact, dense) };
}

function describe(name: RegimeName, m: number, exact: number, dense: number): string {
  switch (name) {
    case "compression":
      return `m = ${m} < min(c_in, c_out) = ${exact}: no exact split exists; the floor bounds the residual`;
    case "exact-with-delta":
      return `m = ${m} = min(c_in, c_out): exact splits exist, but one factor is then a channel mixing at its centre tap (spatially a delta); a dense exact split needs m >= ${dense}`;
    case "trade-off":
      return `min(c_in, c_out) = ${exact} < m = ${m} < ${dense}: exact splits exist; exactness and f1's energy off its centre tap trade off (dense exact split from m >= ${dense})`;
    case "exact-dense":
      return `m = ${m} >= ${dense} (m k2h k2w >= c_in keh kew): a random dense f1 admits an exact f2`;
  }
}

/**
 * The start that wins in each regime (measured: README, "Quality"): spectral for compression,
 * identity where exactness needs a (near-)delta factor, random where a dense exact split exists.
 */
export function defaultInit(regime: RegimeName): InitName {
  switch (regime) {
    case "compression":
      return "spectral";
    case "exact-with-delta":
    case "trade-off":
      return "identity";
    case "exact-dense":
      return "random";
  }
}
