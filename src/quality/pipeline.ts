import { balanceStd } from "../als/balance.js";
import { INIT_NAMES, type InitName } from "../als/init.js";
import { addUniformNoise } from "../als/noise.js";
import { structuredDefaults, type AlsOptions } from "../als/options.js";
import { runRestarts, type RestartsOutcome } from "../als/restarts.js";
import type { AlsResult, MethodName } from "../als/result.js";
import { DecomposeError } from "../errors.js";
import { compose, composeFlops } from "../geometry/compose.js";
import type { ChildPadding, SplitGeometry } from "../geometry/shapes.js";
import { diffNorm, frobeniusNorm, type Size2, type Tensor4 } from "../geometry/tensor.js";
import { functionalCheck } from "../report/functional.js";
import type { QualityReport, RefineReport } from "../report/quality.js";
import { Rng } from "../random.js";
import { refineSplit } from "../train/refine.js";
import { energyOffCentre } from "./energy.js";
import { classifyRegime, defaultInit } from "./regime.js";

/** What happens around the ALS run (issue 5): restarts before, refine / balance / noise after. */
export interface QualityOptions {
  /** Best of n seeded starts (default 1). */
  readonly restarts?: number;
  /** Rescale so f1 and f2 have equal standard deviation (composition unchanged). */
  readonly balance?: boolean;
  /** Uniform noise of ratio * ptp(factor) added to each factor after solving (0: none). */
  readonly noise?: number;
  /** Maximum sweeps of ALS on the functional error, borders included (0: none). */
  readonly refine?: number;
  /** Relative learning rate when refining with Adam (library only; default 1e-2). */
  readonly refineLr?: number;
}

/** Validates --init / --init-noise and returns the AlsOptions fields they set (structured only). */
export function resolveQualityOptions(
  method: MethodName,
  g: SplitGeometry,
  init: InitName | "auto" | undefined,
  initNoise: number | undefined,
  file: string | undefined,
): Partial<AlsOptions> {
  if (init !== undefined && init !== "auto" && !INIT_NAMES.includes(init)) {
    throw new DecomposeError("E_OPTION", `--init must be one of auto, ${INIT_NAMES.join(", ")}, got "${String(init)}"`, file);
  }
  if (initNoise !== undefined && !(Number.isFinite(initNoise) && initNoise >= 0)) {
    throw new DecomposeError("E_OPTION", `--init-noise must be a number >= 0, got ${initNoise}`, file);
  }
  if (method !== "structured" && method !== "lm") return {};
  const resolved = init === undefined || init === "auto" ? defaultInit(classifyRegime(g).name) : init;
  return { init: resolved, initNoise: initNoise ?? 0 };
}

export function validateQualityOptions(q: QualityOptions | undefined, file: string | undefined): void {
  if (!q) return;
  const int = (name: string, v: number | undefined, min: number): void => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) throw new DecomposeError("E_OPTION", `--${name} must be an integer >= ${min}, got ${v}`, file);
  };
  int("restarts", q.restarts, 1);
  int("refine", q.refine, 0);
  for (const [name, v] of [["noise", q.noise], ["refine-lr", q.refineLr]] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new DecomposeError("E_OPTION", `--${name} must be a number >= 0, got ${v}`, file);
  }
}

/** Best of n starts, ranked by the true residual ||compose - T|| (the seed method's trace is pre-projection). */
export function runMethodWithRestarts(run: (seed: number) => AlsResult, T: Tensor4, seed: number, n: number): RestartsOutcome {
  const tNorm = frobeniusNorm(T.data);
  return runRestarts(run, seed, n, (r) => diffNorm(compose(r.f1, r.f2).data, T.data) / (tNorm > 0 ? tNorm : 1));
}

/**
 * After the solve: --refine (functional fine-tuning), then --balance, then --noise, in that order,
 * so the report's residual and functional check describe the factors actually written.
 */
export function finishFactors(
  parent: Tensor4,
  T: Tensor4,
  g: SplitGeometry,
  runs: RestartsOutcome,
  method: MethodName,
  als: AlsOptions,
  parentPadding: Size2,
  pads: ChildPadding | undefined,
  q: QualityOptions | undefined,
  bias: Float64Array | undefined,
): { result: AlsResult; quality: (f1: Tensor4, f2: Tensor4) => QualityReport } {
  validateQualityOptions(q, undefined);
  const tNorm = frobeniusNorm(T.data);
  const rel = (a: Tensor4, b: Tensor4): number => diffNorm(compose(a, b).data, T.data) / (tNorm > 0 ? tNorm : 1);
  let { f1, f2 } = runs.best;
  let flops = runs.flops;
  let refine: RefineReport | null = null;
  if (q?.refine && q.refine > 0 && pads) {
    const check = (a: Tensor4, b: Tensor4) => functionalCheck(parent, a, b, parentPadding, pads, als.seed, bias);
    const before = check(f1, f2);
    const beforeRel = rel(f1, f2);
    const r = refineSplit(parent, f1, f2, parentPadding, pads, { steps: q.refine, seed: als.seed, ...(q.refineLr !== undefined ? { lr: q.refineLr } : {}) });
    f1 = r.f1;
    f2 = r.f2;
    flops += r.flops + 2 * composeFlops(f1, f2);
    const after = check(f1, f2);
    refine = {
      method: r.method,
      steps: r.stepsRun,
      stopped: r.stopped,
      learningRate: r.lr,
      imageSize: r.size,
      before: { interiorRelError: before.interiorRelError, borderRelError: before.borderRelError, residualRel: beforeRel },
      after: { interiorRelError: after.interiorRelError, borderRelError: after.borderRelError, residualRel: rel(f1, f2) },
      lossFirst: r.lossFirst,
      lossLast: r.lossLast,
    };
  }
  let balance: { scale: number } | null = null;
  if (q?.balance) {
    const b = balanceStd(f1, f2);
    f1 = b.f1;
    f2 = b.f2;
    balance = { scale: b.scale };
  }
  let noise: { ratio: number; residualBeforeRel: number } | null = null;
  if (q?.noise && q.noise > 0) {
    const residualBeforeRel = rel(f1, f2);
    const rng = new Rng((als.seed ^ 0x0015e) >>> 0);
    f1 = addUniformNoise(f1, q.noise, rng);
    f2 = addUniformNoise(f2, q.noise, rng);
    noise = { ratio: q.noise, residualBeforeRel };
    flops += composeFlops(f1, f2);
  }
  const regime = classifyRegime(g);
  const structured = method === "structured" || method === "lm";
  const result: AlsResult = { ...runs.best, f1, f2, flops };
  return {
    result,
    quality: (a, b) => ({
      regime: { ...regime },
      init: structured ? (als.init ?? "random") : null,
      initNoise: structured ? (als.initNoise ?? 0) : 0,
      energyOffCentre: { f1: energyOffCentre(a), f2: energyOffCentre(b) },
      stopping: {
        tol: als.tol,
        stallTol: als.stallTol,
        stallWindow: als.stallWindow,
        maxIter: als.maxIter,
        structured: structured
          ? {
              lambdaDecay: als.lambdaDecay ?? structuredDefaults.lambdaDecay,
              lambdaMin: als.lambdaMin ?? structuredDefaults.lambdaMin,
              refine: als.refine ?? structuredDefaults.refine,
              extrapolate: als.extrapolate ?? structuredDefaults.extrapolate,
            }
          : null,
      },
      restarts: runs.perStart.length > 1 ? { n: runs.perStart.length, bestSeed: runs.bestSeed, perStart: runs.perStart } : null,
      balance,
      noise,
      refine,
    }),
  };
}
