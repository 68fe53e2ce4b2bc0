import type { AlsOptions } from "../als/options.js";
import { structuredDefaults } from "../als/options.js";
import { GAIN_FORECAST } from "../als/stopping.js";
import type { RestartsOutcome } from "../als/restarts.js";
import type { StackLayout, StackLayouts, LayoutName } from "../geometry/layout.js";
import type { SplitGeometry } from "../geometry/shapes.js";
import type { Tensor4 } from "../geometry/tensor.js";
import { linalgReport } from "../linalg/info.js";
import type { MethodChoice } from "../methods/policy.js";
import { methodEntry } from "../methods/registry.js";
import { energyOffCentre } from "../quality/energy.js";
import type { Regime } from "../quality/regime.js";
import type { LayoutConvs, Report } from "../report/model.js";
import { REPORT_SCHEMA } from "../report/model.js";
import { describeFunctional } from "../report/words.js";
import { VERSION } from "../version.js";
import type { Evaluation } from "./evaluate.js";
import type { PostProcessed } from "./post-process.js";

/** The report step: everything measured, as the documented data (report/model.ts). */
export interface ReportInputs {
  readonly parent: Tensor4;
  readonly T: Tensor4;
  readonly g: SplitGeometry;
  readonly regime: Regime;
  readonly method: MethodChoice;
  readonly options: AlsOptions;
  readonly layouts: StackLayouts;
  readonly chosen: LayoutName;
  readonly runs: RestartsOutcome;
  readonly post: PostProcessed;
  readonly evaluation: Evaluation;
  readonly seconds: number;
  readonly flops: number;
  readonly bias: boolean;
}

export function buildReport(x: ReportInputs): Report {
  const { g, T, evaluation: e, runs, post, options: als } = x;
  const best = runs.best;
  const layout: StackLayout | null = x.chosen === "exact" ? x.layouts.exact : x.layouts.same;
  const takesInit = methodEntry(x.method.name).takesInit;
  const floor = e.floor;
  const toeplitz = floor?.bound.name === "block-toeplitz" ? floor.bound : null;
  return {
    schema: REPORT_SCHEMA,
    tool: { name: "decompose-filter", version: VERSION },
    parent: { shape: [...x.parent.shape], padding: x.layouts.exact.parentPadding, stride: x.layouts.exact.stride },
    target: { shape: [...T.shape], pad: g.targetPad },
    f1: { shape: [...post.f1.shape], padding: layout?.p1 ?? null },
    f2: { shape: [...post.f2.shape], padding: layout?.p2 ?? null, stride: x.layouts.exact.stride, bias: x.bias },
    layout: { chosen: x.chosen, exact: convs(x.layouts.exact), same: x.layouts.same ? convs(x.layouts.same) : null },
    filters: g.m,
    method: x.method.name,
    methodChoice: { requested: x.method.requested, reason: x.method.reason },
    lambda: als.lambda,
    maxIter: als.maxIter,
    tol: als.tol,
    seed: als.seed,
    iterations: best.iterations,
    stopReason: best.stopReason,
    trace: best.trace,
    optimal: best.stopReason === "closed-form",
    residual: { abs: e.abs, rel: e.rel, unprojectedRel: best.unprojectedResidualRel ?? null },
    floor: floor
      ? {
          abs: floor.abs, rel: floor.rel, ratio: floor.rel > 0 ? e.rel / floor.rel : null, dft: floor.dft, kind: floor.kind, folded: floor.folded,
          bound: floor.bound.name,
          window: toeplitz?.window ?? null,
          side: toeplitz?.side ?? null,
        }
      : { abs: 0, rel: 0, ratio: null, dft: g.ke, kind: "not-computed", folded: { h: null, w: null }, bound: null, window: null, side: null },
    functional: e.functional
      ? {
          layout: e.functional.layout,
          inputSize: e.functional.inputSize,
          interiorRelError: e.functional.interiorRelError,
          borderRelError: e.functional.borderRelError,
          layoutRelError: e.functional.layoutRelError,
          interiorPositions: e.functional.interiorPositions,
          borderPositions: e.functional.borderPositions,
          summary: describeFunctional(e.functional),
        }
      : null,
    time: { seconds: x.seconds, flops: x.flops, gflops: x.seconds > 0 ? x.flops / x.seconds / 1e9 : 0 },
    linalg: linalgReport(),
    quality: {
      regime: { ...x.regime },
      init: takesInit ? (als.init ?? "random") : null,
      initNoise: takesInit ? (als.initNoise ?? 0) : 0,
      energyOffCentre: { f1: energyOffCentre(post.f1), f2: energyOffCentre(post.f2) },
      stopping: {
        tol: als.tol,
        stallTol: als.stallTol,
        stallWindow: als.stallWindow,
        minGain: als.minGain ?? 0,
        gainWindow: GAIN_FORECAST.window,
        maxIter: als.maxIter,
        structured:
          x.method.name === "structured"
            ? {
                lambdaDecay: als.lambdaDecay ?? structuredDefaults.lambdaDecay,
                lambdaMin: als.lambdaMin ?? structuredDefaults.lambdaMin,
                refine: als.refine ?? structuredDefaults.refine,
                extrapolate: als.extrapolate ?? structuredDefaults.extrapolate,
              }
            : null,
      },
      restarts: runs.perStart.length > 1 ? { n: runs.perStart.length, bestSeed: runs.bestSeed, perStart: runs.perStart } : null,
      balance: post.balance,
      noise: post.noise,
      refine: post.refine,
      refineSkipped: post.refineSkipped,
    },
  };
}

function convs(l: StackLayout): LayoutConvs {
  return { f1: { padding: l.p1, stride: { h: 1, w: 1 } }, f2: { padding: l.p2, stride: l.stride } };
}
