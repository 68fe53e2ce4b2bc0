/**
 * The decomposition wrapped in its entry scaling (scale.ts): the parent and its bias are divided
 * by s = 4^k, the split is solved at unit scale, f1 and f2 are each multiplied by √s = 2^k, and
 * the report's absolute figures are brought back (norms times s, mean squared losses times s²).
 * Relative figures (residuals, floors, functional errors, traces) are scale-free and unchanged.
 */
import type { Decomposition, DecomposeOptions } from "../decompose.js";
import type { Tensor4 } from "../geometry/tensor.js";
import type { Report } from "../report/model.js";
import { divideByScale, entryScale, pow2Times, unscaleFactor } from "./scale.js";

export function withEntryScale(
  parent: Tensor4,
  options: DecomposeOptions,
  solve: (parent: Tensor4, options: DecomposeOptions) => Decomposition,
): Decomposition {
  if (!parent.data.every(Number.isFinite)) return solve(parent, options); // validation reports it
  const sc = entryScale(parent.data);
  if (sc.s === 1) return solve(parent, options);
  const scaledParent: Tensor4 = { shape: parent.shape, data: divideByScale(parent.data, sc) };
  const bias = options.bias === undefined ? undefined : divideByScale(options.bias, sc);
  const r = solve(scaledParent, { ...options, ...(bias === undefined ? {} : { bias }) });
  const e = 2 * Math.log2(sc.root); // s = 2^e
  return {
    f1: unscaleFactor(r.f1, sc),
    f2: unscaleFactor(r.f2, sc),
    f2Bias: options.bias?.slice(),
    report: unscaleReport(r.report, e),
  };
}

function unscaleReport(r: Report, e: number): Report {
  const refine = r.quality?.refine;
  return {
    ...r,
    residual: { ...r.residual, abs: pow2Times(r.residual.abs, e) },
    floor: { ...r.floor, abs: pow2Times(r.floor.abs, e) },
    ...(r.quality === undefined
      ? {}
      : {
          quality: {
            ...r.quality,
            refine: refine ? { ...refine, lossFirst: pow2Times(refine.lossFirst, 2 * e), lossLast: pow2Times(refine.lossLast, 2 * e) } : null,
          },
        }),
  };
}
