/**
 * One layer of a batch: a plain-data task in, a plain-data outcome out (both survive
 * structured cloning, so the same function runs in-process and on a worker thread). A layer that
 * cannot be split under the options becomes a "skipped" outcome carrying the reason; anything
 * that is not a `DecomposeError` is a bug and propagates.
 */
import { calibratedDecompose, type CalibrationSet, type WhiteningMode } from "../calibration/whiten.js";
import type { MethodRequest } from "../methods/policy.js";
import { pad2d } from "../geometry/pad.js";
import { resolveGeometry } from "../geometry/shapes.js";
import { kernelFloor } from "../report/kernel-floor.js";
import { decompose, type DecomposeOptions } from "../decompose.js";
import { isDecomposeError, type ErrorCode } from "../errors.js";
import { checkGroups, concatGroups, groupSlice } from "../geometry/groups.js";
import { samePadding } from "../geometry/shapes.js";
import { frobeniusNorm, numel, type Shape4, type Size2, type Tensor4 } from "../geometry/tensor.js";
import type { LayoutReport, Report, SizeHW } from "../report/model.js";
import { filtersPerGroup, type FiltersSpec } from "./filters.js";
import type { LinalgReport } from "../linalg/info.js";

export interface LayerSettings {
  readonly filters: FiltersSpec;
  readonly k1?: Size2;
  readonly k2?: Size2;
  readonly method: MethodRequest;
  readonly lambda: number;
  readonly maxIter: number;
  readonly tol: number;
  readonly seed: number;
  /** The padding the parents ran with; "same" is (k - 1) / 2 per layer. */
  readonly padding: Size2 | "same";
  /**
   * Further `decompose` options (the quality ones: init, restarts, ...), passed to every group's
   * call as they are; plain data, since tasks are cloned to worker threads.
   */
  /** `--target-residual` for `--filters auto` (the option text may carry its own: `auto:1e-3`). */
  readonly autoTarget?: number;
  readonly extra?: Readonly<Partial<Omit<DecomposeOptions, "filters" | "bias" | "onIteration" | "file" | "parentPadding">>>;
}

/** The `decompose` options every layer of a run shares (all but m, the bias and the padding). */
export function settingsToOptions(s: LayerSettings): Omit<DecomposeOptions, "filters"> {
  return {
    ...s.extra,
    ...(s.k1 ? { k1: s.k1 } : {}),
    ...(s.k2 ? { k2: s.k2 } : {}),
    method: s.method,
    lambda: s.lambda,
    maxIter: s.maxIter,
    tol: s.tol,
    seed: s.seed,
  };
}

export interface LayerTask {
  /** Position in the run (results come back in this order). */
  readonly index: number;
  readonly name: string;
  /** (c_out, c_in/groups, kh, kw) */
  readonly shape: Shape4;
  readonly data: Float64Array;
  readonly bias: Float64Array | null;
  readonly groups: number;
  readonly settings: LayerSettings;
  /** `--calibration`: fit to these input activations (ungrouped layers only). */
  readonly calibration?: CalibrationSet;
}

/** What the report needs of a finished layer (groups merged). */
export interface LayerSummary {
  readonly filters: number;
  readonly groups: number;
  readonly f1: { readonly shape: Shape4; readonly padding: SizeHW | null };
  readonly f2: { readonly shape: Shape4; readonly padding: SizeHW | null };
  readonly parentPadding: SizeHW;
  /** Both stacking layouts' paddings, the chosen one named (f1/f2 padding above are the chosen one's). */
  readonly layout: LayoutReport;
  /** The method that ran (the first group's choice; every group has the same geometry). */
  readonly method: Report["method"];
  readonly iterations: number;
  readonly stopReason: Report["stopReason"];
  /** Relative residual per iteration (one group only; empty for grouped layers). */
  readonly trace: readonly number[];
  readonly residual: { readonly abs: number; readonly rel: number; readonly unprojectedRel: number | null };
  /** ||T||_F, so residuals of several layers can be combined. */
  readonly targetNorm: number;
  readonly floor: { readonly abs: number; readonly rel: number; readonly ratio: number | null };
  readonly functional: { readonly layout: string; readonly interiorRelError: number; readonly borderRelError: number; readonly layoutRelError: number } | null;
  readonly seconds: number;
  readonly flops: number;
  /** The linear-algebra back-end this layer ran on (on its own thread). */
  readonly linalg: LinalgReport | null;
  /** With --calibration: how the fit was whitened and the residuals (kernel; output space on the samples). */
  readonly calibration?: {
    readonly mode: WhiteningMode;
    readonly kernelRel: number;
    readonly outputRel: { readonly heldOut: number; readonly fit: number };
    readonly samples: { readonly fit: number; readonly heldOut: number };
  };
}

export type LayerOutcome =
  | {
      readonly index: number;
      readonly status: "ok";
      readonly f1: Tensor4;
      readonly f2: Tensor4;
      readonly bias: Float64Array | null;
      readonly summary: LayerSummary;
    }
  | { readonly index: number; readonly status: "skipped"; readonly code: ErrorCode; readonly reason: string };

export type IterationListener = (iteration: number, residualRel: number) => void;

export function runLayer(task: LayerTask, onIteration?: IterationListener): LayerOutcome {
  try {
    return splitLayer(task, onIteration);
  } catch (e) {
    if (isDecomposeError(e)) return { index: task.index, status: "skipped", code: e.code, reason: e.message };
    throw e;
  }
}

function splitLayer(task: LayerTask, onIteration?: IterationListener): LayerOutcome {
  if (task.calibration) return splitCalibrated(task, task.calibration);
  const { shape, groups, settings: s } = task;
  const parent: Tensor4 = { shape, data: task.data };
  checkGroups(shape, groups);
  const padding = s.padding === "same" ? samePadding({ h: shape[2], w: shape[3] }) : s.padding;
  const mg = filtersPerGroup(s.filters, shape, groups, () => groupSlice(parent, groups, 0));
  const started = performance.now();
  const f1s: Tensor4[] = [];
  const f2s: Tensor4[] = [];
  const reports: Report[] = [];
  const norms: number[] = [];
  for (let j = 0; j < groups; j++) {
    const group = groupSlice(parent, groups, j);
    norms.push(frobeniusNorm(group.data)); // ||T|| = ||W||: zero padding adds nothing
    const biasJ = task.bias === null ? undefined : task.bias.slice((j * shape[0]) / groups, ((j + 1) * shape[0]) / groups);
    const r = decompose(group, {
      ...settingsToOptions(s),
      filters: mg,
      ...(biasJ ? { bias: biasJ } : {}),
      parentPadding: padding,
      ...(onIteration && groups === 1 ? { onIteration } : {}),
    });
    f1s.push(r.f1);
    f2s.push(r.f2);
    reports.push(r.report);
    if (onIteration && groups > 1) onIteration(j + 1, r.report.residual.rel);
  }
  const f1 = concatGroups(f1s);
  const f2 = concatGroups(f2s);
  return {
    index: task.index,
    status: "ok",
    f1,
    f2,
    bias: task.bias === null ? null : task.bias.slice(),
    summary: merge(reports, norms, groups, (performance.now() - started) / 1000, f1.shape, f2.shape),
  };
}

/**
 * A calibrated split (src/calibration/whiten.ts): the residual reported is the kernel residual of
 * the factors returned, the floor the kernel problem's; the functional check is left out (the
 * output-space residuals on the real samples replace it).
 */
function splitCalibrated(task: LayerTask, acts: CalibrationSet): LayerOutcome {
  const { shape, settings: s } = task;
  const parent: Tensor4 = { shape, data: task.data };
  const padding = s.padding === "same" ? samePadding({ h: shape[2], w: shape[3] }) : s.padding;
  const m = filtersPerGroup(s.filters, shape, 1, () => parent);
  const started = performance.now();
  const r = calibratedDecompose(parent, acts, { ...settingsToOptions(s), filters: m, parentPadding: padding, floor: false, functional: false });
  const g = resolveGeometry(shape, m, s.k1, s.k2);
  const floor = kernelFloor(pad2d(parent, g.targetPad), g);
  const tn = frobeniusNorm(task.data);
  const w = r.whitened.report;
  const summary: LayerSummary = {
    filters: m,
    groups: 1,
    f1: { shape: r.f1.shape, padding: w.f1.padding },
    f2: { shape: r.f2.shape, padding: w.f2.padding },
    parentPadding: padding,
    layout: w.layout, // the whitened problem has the same paddings (same parent padding, or ke with k2 = 1x1)
    method: w.method,
    iterations: w.iterations,
    stopReason: w.stopReason,
    trace: w.trace,
    residual: { abs: r.kernelRel * tn, rel: r.kernelRel, unprojectedRel: null },
    targetNorm: tn,
    floor: { abs: floor.abs, rel: floor.rel, ratio: floor.rel > 0 ? r.kernelRel / floor.rel : null },
    functional: null,
    seconds: (performance.now() - started) / 1000,
    flops: w.time.flops + floor.flops,
    linalg: w.linalg ?? null,
    calibration: { mode: r.mode, kernelRel: r.kernelRel, outputRel: r.outputRel, samples: { fit: acts.fit.shape[0], heldOut: acts.heldOut.shape[0] } },
  };
  return { index: task.index, status: "ok", f1: r.f1, f2: r.f2, bias: task.bias === null ? null : task.bias.slice(), summary };
}

/** One summary for g independent group problems: squared norms add, errors take the worst group. */
function merge(reports: readonly Report[], norms: readonly number[], groups: number, seconds: number, f1: Shape4, f2: Shape4): LayerSummary {
  const first = reports[0]!;
  let absSq = 0, tSq = 0, floorSq = 0, flops = 0, iterations = 0;
  let interior = 0, border = 0, layoutError = 0;
  let unprojectedSq: number | null = first.residual.unprojectedRel === null ? null : 0;
  const stops = new Set<Report["stopReason"]>();
  reports.forEach((r, j) => {
    const t = norms[j]!;
    absSq += r.residual.abs ** 2;
    tSq += t * t;
    floorSq += r.floor.abs ** 2;
    if (unprojectedSq !== null) unprojectedSq += ((r.residual.unprojectedRel ?? 0) * t) ** 2;
    flops += r.time.flops;
    iterations = Math.max(iterations, r.iterations);
    stops.add(r.stopReason);
    if (r.functional) {
      interior = Math.max(interior, r.functional.interiorRelError);
      border = Math.max(border, r.functional.borderRelError);
      layoutError = Math.max(layoutError, r.functional.layoutRelError);
    }
  });
  const targetNorm = Math.sqrt(tSq);
  const rel = targetNorm > 0 ? Math.sqrt(absSq) / targetNorm : 0;
  const floorRel = targetNorm > 0 ? Math.sqrt(floorSq) / targetNorm : 0;
  // The least satisfying reason wins: max-iter over stalled over tolerance.
  const stopReason = stops.has("max-iter") ? "max-iter" : stops.has("gain-forecast") ? "gain-forecast" : stops.has("stalled") ? "stalled" : stops.has("tolerance") ? "tolerance" : "closed-form";
  return {
    filters: first.filters * groups,
    groups,
    f1: { shape: f1, padding: first.f1.padding },
    f2: { shape: f2, padding: first.f2.padding },
    parentPadding: first.parent.padding,
    layout: first.layout,
    method: first.method,
    iterations,
    stopReason,
    trace: groups === 1 ? first.trace : [],
    residual: {
      abs: Math.sqrt(absSq),
      rel,
      unprojectedRel: unprojectedSq === null || targetNorm === 0 ? null : Math.sqrt(unprojectedSq) / targetNorm,
    },
    targetNorm,
    floor: { abs: Math.sqrt(floorSq), rel: floorRel, ratio: floorRel > 0 ? rel / floorRel : null },
    functional: reports.every((r) => r.functional !== null) ? { layout: first.layout.chosen, interiorRelError: interior, borderRelError: border, layoutRelError: layoutError } : null,
    seconds,
    flops,
    linalg: first.linalg ?? null,
  };
}

/** Parameter counts before and after a split (weights only). */
export function parameterCounts(parent: Shape4, f1: Shape4, f2: Shape4): { parent: number; children: number } {
  return { parent: numel(parent), children: numel(f1) + numel(f2) };
}
