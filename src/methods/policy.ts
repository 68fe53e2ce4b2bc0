import { isMatrixGeometry } from "../geometry/fold.js";
import { polynomialUnavailable } from "../geometry/polynomial-axis.js";
import type { SplitGeometry } from "../geometry/shapes.js";
import type { Regime } from "../quality/regime.js";
import { hardGeometryRule } from "../quality/method-policy.js";
import { METHOD_NAMES, type MethodName } from "./registry.js";

/**
 * The default method (`--method auto`): the first rule that speaks for the geometry and its regime
 * wins, and structured ALS answers when none does. Each rule names its method and says why.
 */
export type MethodRequest = MethodName | "auto";
export const METHOD_REQUESTS: readonly MethodRequest[] = ["auto", ...METHOD_NAMES];

export interface MethodChoice {
  readonly name: MethodName;
  readonly requested: MethodRequest;
  readonly reason: string;
}

export type PolicyRule = (g: SplitGeometry, regime: Regime) => { readonly name: MethodName; readonly reason: string } | undefined;

/** A matrix geometry (geometry/fold.ts) is a plain low-rank problem: its truncated SVD is the optimum. */
const matrixGeometry: PolicyRule = (g) =>
  isMatrixGeometry(g) ? { name: "closed-form", reason: "a matrix geometry: the truncated SVD is the global optimum" } : undefined;

/**
 * A square 1-D split with no zero padding (m = c_in = c_out, k1 + k2 - 1 = k; a child of extent 1
 * is a matrix geometry and was taken above): ALS and LM stall near 1e-2 there, while factorising
 * the matrix polynomial is exact in about a second; the method falls back to structured ALS (and
 * returns the better) when no real factorisation is found.
 */
const squarePolynomial: PolicyRule = (g) =>
  polynomialUnavailable(g) === undefined
    ? { name: "polynomial", reason: "a square 1-D split with k1 + k2 - 1 = k: factorising the matrix polynomial T(z) = F2(z) F1(z) is exact where ALS stalls" }
    : undefined;

export const POLICY_RULES: readonly PolicyRule[] = [matrixGeometry, squarePolynomial, hardGeometryRule];

export function chooseMethod(requested: MethodRequest, g: SplitGeometry, regime: Regime): MethodChoice {
  if (requested !== "auto") return { name: requested, requested, reason: "forced (--method)" };
  for (const rule of POLICY_RULES) {
    const pick = rule(g, regime);
    if (pick) return { ...pick, requested };
  }
  return { name: "structured", requested, reason: "structured ALS: no closed form or faster method is known for this geometry" };
}
