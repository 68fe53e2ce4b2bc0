import { defaultInit } from "./quality/regime.js";
import { withEntryScale } from "./als/scale-entry.js";
import { checkSplitSize } from "./als/split-limits.js";
import { DecomposeError } from "./errors.js";
import { stackLayouts } from "./geometry/layout.js";
import { pad2d } from "./geometry/pad.js";
import { resolveGeometry, samePadding } from "./geometry/shapes.js";
import type { Tensor4 } from "./geometry/tensor.js";
import { releaseScratch } from "./linalg/scratch.js";
import { chooseMethod } from "./methods/policy.js";
import { methodEntry } from "./methods/registry.js";
import { evaluate } from "./pipeline/evaluate.js";
import { solverOptions, validateInputs, type DecomposeOptions } from "./pipeline/options.js";
import { postProcess } from "./pipeline/post-process.js";
import { buildReport } from "./pipeline/report.js";
import { solve } from "./pipeline/solve.js";
import { classifyRegime, withConstruction, withFloor } from "./quality/regime.js";
import type { Report } from "./report/model.js";

export type { DecomposeOptions, QualityOptions } from "./pipeline/options.js";

export interface Decomposition {
  /** (m, c_in, k1h, k1w) */
  readonly f1: Tensor4;
  /** (c_out, m, k2h, k2w) */
  readonly f2: Tensor4;
  /** (c_out), when the parent had a bias. */
  readonly f2Bias: Float64Array | undefined;
  readonly report: Report;
}

/**
 * The pipeline, top-down and without I/O (each step is one module of src/pipeline/ or below):
 * resolve the geometry and its regime -> choose the method -> solve -> post-process -> evaluate
 * -> report.
 */
export function decompose(parent: Tensor4, options: DecomposeOptions): Decomposition {
  // 0. Scale once at the entry (als/scale.ts): the solvers see magnitudes near 1.
  try {
    return withEntryScale(parent, options, decomposeAtScale);
  } finally {
    releaseScratch(); // the solvers' reused work buffers (linalg/scratch.ts) end with the run
  }
}

function decomposeAtScale(parent: Tensor4, options: DecomposeOptions): Decomposition {
  const started = performance.now();
  validateInputs(parent, options);

  // 1. Geometry, target, regime, layouts.
  const g = resolveGeometry(parent.shape, options.filters, options.k1, options.k2, options.file);
  checkSplitSize(g.cOut, g.cIn, g.m, g.k1, g.k2, options.file);
  const T = pad2d(parent, g.targetPad);
  const regime = classifyRegime(g, T);
  const layouts = stackLayouts(g, options.parentPadding ?? samePadding(g.k), options.parentStride ?? { h: 1, w: 1 });
  const chosen = options.layout ?? "exact";
  const layout = chosen === "exact" ? layouts.exact : layouts.same;

  // 2. Method.
  const method = chooseMethod(options.method ?? "auto", g, regime);
  const entry = methodEntry(method.name);
  const why = entry.unavailable?.(g);
  if (why !== undefined) throw new DecomposeError("E_OPTION", `--method ${method.name}: ${why}`, options.file);
  const init = options.init === undefined || options.init === "auto" ? defaultInit(regime.name) : options.init;
  const als = {
    ...solverOptions(options),
    ...(entry.takesInit ? { init, initNoise: options.initNoise ?? 0 } : {}),
    ...(entry.gainForecast === false ? { minGain: 0 } : {}),
  };

  // 3. Solve.
  const runs = solve(method.name, T, g, als, options.quality?.restarts ?? 1);
  // A direct construction (polynomial) shows, or fails to show, that an exact split exists.
  const shown = withConstruction(regime, g.m, runs.best.construction);

  // 4. Post-process.
  const post = postProcess(parent, T, runs.best, layout, options.quality, als.seed, options.bias);

  // 5. Evaluate.
  const evaluation = evaluate(parent, T, g, post.f1, post.f2, layout, {
    floor: options.floor !== false,
    exactKnown: shown.exact === true,
    functional: options.functional !== false,
    seed: als.seed,
    bias: options.bias,
  });

  // 6. Report.
  const seconds = (performance.now() - started) / 1000;
  const report = buildReport({
    parent, T, g, regime: withFloor(shown, evaluation.floor), method, options: als, layouts, chosen, runs, post, evaluation, seconds,
    flops: runs.flops + post.flops + evaluation.flops,
    bias: options.bias !== undefined,
  });
  return { f1: post.f1, f2: post.f2, f2Bias: options.bias?.slice(), report };
}
