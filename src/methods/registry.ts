import type { AlsOptions } from "../als/options.js";
import { projectedAls } from "../als/methods/projected.js";
import { seedAls } from "../als/methods/seed.js";
import { structuredAls } from "../als/methods/structured.js";
import { raceAlsLm } from "../quality/method-race.js";
import { variableProjectionAfterSweeps } from "../quality/variable-projection-method.js";
import type { AlsResult } from "../als/result.js";
import type { SplitGeometry } from "../geometry/shapes.js";
import type { Tensor4 } from "../geometry/tensor.js";
import { closedForm, closedFormUnavailable } from "./closed-form.js";
import { matrixPolynomial, matrixPolynomialUnavailable } from "./matrix-polynomial.js";

/**
 * Every method, by name: one solver contract, `(T, geometry, options) => AlsResult`, where T is the
 * target (the parent zero-padded to ke) and the result carries the factors, the trace and why it
 * stopped. The pipeline (src/decompose.ts) looks methods up here only; the default choice among
 * them is src/methods/policy.ts.
 */
export type Solver = (T: Tensor4, g: SplitGeometry, options: AlsOptions) => AlsResult;

export interface MethodEntry {
  readonly solve: Solver;
  /** One phrase for --help and the report. */
  readonly summary: string;
  /** Whether --init / --init-noise choose its start. */
  readonly takesInit: boolean;
  /** Why the method cannot run on this geometry (forced with --method), or undefined when it can. */
  readonly unavailable?: (g: SplitGeometry) => string | undefined;
  /**
   * False where the gain-forecast stopping rule (als/stopping.ts, --min-gain) must not apply: the
   * pipeline then runs the method with minGain 0. lm: LM's gain per step swings with its damping
   * (a run of small steps while mu is large, then fast progress), so a linear forecast from a few
   * steps stopped runs 11% above where the same budget ends (upscaler UPN1, m = 64). varpro has the same
   * rule, for the same reason (its damping falls fast, then its steps shrink), not measured separately.
   */
  readonly gainForecast?: boolean;
}

export const METHODS = {
  structured: { solve: structuredAls, summary: "exact structured ALS half-steps (DESIGN.md, method 3)", takesInit: true },
  projected: { solve: projectedAls, summary: "unstructured ALS, projected to kernels every iteration", takesInit: false },
  seed: { solve: seedAls, summary: "the seed's unstructured ALS, projected once at the end", takesInit: false },
  "closed-form": { solve: closedForm, summary: "truncated SVD of the folded target: the global optimum of a matrix geometry", takesInit: false, unavailable: closedFormUnavailable },
  polynomial: { solve: matrixPolynomial, summary: "factorisation of the matrix polynomial T(z) = F2(z) F1(z): exact splits of square 1-D geometries", takesInit: false, unavailable: matrixPolynomialUnavailable },
  lm: { solve: raceAlsLm, summary: "Levenberg-Marquardt on both factors, raced against structured sweeps", takesInit: true, gainForecast: false },
  varpro: { solve: variableProjectionAfterSweeps, summary: "variable projection: Levenberg-Marquardt on f1 with f2 eliminated by least squares", takesInit: true, gainForecast: false },
} as const satisfies Record<string, MethodEntry>;

export type MethodName = keyof typeof METHODS;
export const METHOD_NAMES = Object.keys(METHODS) as readonly MethodName[];

export function isMethodName(s: string): s is MethodName {
  return Object.prototype.hasOwnProperty.call(METHODS, s);
}

export function methodEntry(name: MethodName): MethodEntry {
  return METHODS[name];
}
