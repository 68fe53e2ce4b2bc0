import { defaultAlsOptions, type AlsOptions } from "./als/options.js";
import { projectedAls } from "./als/methods/projected.js";
import { seedAls } from "./als/methods/seed.js";
import { structuredAls } from "./als/methods/structured.js";
import { raceAlsLm } from "./quality/method-race.js";
import { chooseMethod } from "./quality/method-policy.js";
import type { AlsResult, MethodName } from "./als/result.js";
import { DecomposeError } from "./errors.js";
import { quoted } from "./io/quote.js";
import { compose, composeFlops } from "./geometry/compose.js";
import { pad2d } from "./geometry/pad.js";
import { childPadding, resolveGeometry, samePadding, type SplitGeometry } from "./geometry/shapes.js";
import { diffNorm, frobeniusNorm, type Size2, type Tensor4 } from "./geometry/tensor.js";
import { frequencyFloor } from "./report/floor.js";
import { functionalCheck } from "./report/functional.js";
import { REPORT_SCHEMA, type Report } from "./report/model.js";
import { describeFunctional } from "./report/words.js";
import { VERSION } from "./version.js";
import type { InitName } from "./als/init.js";
import { finishFactors, resolveQualityOptions, runMethodWithRestarts, type QualityOptions } from "./quality/pipeline.js";

export interface DecomposeOptions {
  /** Middle channels m. */
  readonly filters: number;
  /** First and second child kernel sizes (default: the parent's). */
  readonly k1?: Size2;
  readonly k2?: Size2;
  /** Default "auto": chosen by geometry (quality/method-policy.ts). */
  readonly method?: MethodName | "auto";
  readonly lambda?: number;
  readonly maxIter?: number;
  readonly tol?: number;
  readonly seed?: number;
  /** Parent bias (c_out); it goes to f2, f1's bias is zero. */
  readonly bias?: Float64Array;
  /** Padding the parent ran with (default "same": (k - 1) / 2). */
  readonly parentPadding?: Size2;
  /** Compute the frequency-domain floor (default true). */
  readonly floor?: boolean;
  /** Run the functional check (default true). */
  readonly functional?: boolean;
  readonly onIteration?: (iteration: number, residualRel: number) => void;
  /** structured: start (default "auto": chosen by regime, quality/regime.ts) and its relative noise. */
  readonly init?: InitName | "auto";
  readonly initNoise?: number;
  /** Restarts, --balance, --noise, --refine (quality/pipeline.ts). */
  readonly quality?: QualityOptions;
  /** Names the parent in errors. */
  readonly file?: string;
}

export interface Decomposition {
  /** (m, c_in, k1h, k1w) */
  readonly f1: Tensor4;
  /** (c_out, m, k2h, k2w) */
  readonly f2: Tensor4;
  /** (c_out), when the parent had a bias. */
  readonly f2Bias: Float64Array | undefined;
  readonly report: Report;
}

const METHODS: Record<MethodName, (T: Tensor4, g: SplitGeometry, o: AlsOptions) => AlsResult> = {
  structured: structuredAls,
  projected: projectedAls,
  seed: seedAls,
  lm: raceAlsLm,
};

/** The pipeline, no I/O: validate, pad to the target, run the method, measure, report. */
export function decompose(parent: Tensor4, options: DecomposeOptions): Decomposition {
  const started = performance.now();
  const file = options.file;
  validateParent(parent, options, file);
  const g = resolveGeometry(parent.shape, options.filters, options.k1, options.k2, file);
  const asked = options.method ?? "auto";
  if (asked !== "auto" && !Object.hasOwn(METHODS, asked)) {
    throw new DecomposeError("E_OPTION", `unknown method ${quoted(String(asked))} (auto, ${Object.keys(METHODS).join(", ")})`, file);
  }
  const method: MethodName = asked === "auto" ? chooseMethod(g) : asked;
  const als: AlsOptions = {
    ...defaultAlsOptions,
    lambda: options.lambda ?? defaultAlsOptions.lambda,
    maxIter: options.maxIter ?? defaultAlsOptions.maxIter,
    tol: options.tol ?? defaultAlsOptions.tol,
    seed: options.seed ?? defaultAlsOptions.seed,
    ...(options.onIteration ? { onIteration: options.onIteration } : {}),
    ...resolveQualityOptions(method, g, options.init, options.initNoise, file),
  };
  const T = pad2d(parent, g.targetPad);
  const tNorm = frobeniusNorm(T.data);
  const runs = runMethodWithRestarts((seed) => METHODS[method](T, g, { ...als, seed }), T, als.seed, options.quality?.restarts ?? 1);
  const parentPadding = options.parentPadding ?? samePadding(g.k);
  const pads = childPadding(g, parentPadding);
  const finished = finishFactors(parent, T, g, runs, method, als, parentPadding, pads, options.quality, options.bias);
  const result = finished.result;

  const C = compose(result.f1, result.f2);
  let flops = result.flops + composeFlops(result.f1, result.f2);
  const abs = diffNorm(C.data, T.data);
  const rel = tNorm > 0 ? abs / tNorm : 0;

  const floor = options.floor === false ? undefined : frequencyFloor(T, g.m);
  if (floor) flops += floor.flops;
  const functional =
    options.functional === false || pads === undefined
      ? null
      : functionalCheck(parent, result.f1, result.f2, parentPadding, pads, als.seed, options.bias);
  const seconds = (performance.now() - started) / 1000;

  const report: Report = {
    schema: REPORT_SCHEMA,
    tool: { name: "decompose-filter", version: VERSION },
    parent: { shape: [...parent.shape], padding: parentPadding },
    target: { shape: [...T.shape], pad: g.targetPad },
    f1: { shape: [...result.f1.shape], padding: pads?.p1 ?? null },
    f2: { shape: [...result.f2.shape], padding: pads?.p2 ?? null, bias: options.bias !== undefined },
    filters: g.m,
    method,
    lambda: als.lambda,
    maxIter: als.maxIter,
    tol: als.tol,
    seed: als.seed,
    iterations: result.iterations,
    stopReason: result.stopReason,
    trace: result.trace,
    residual: { abs, rel, unprojectedRel: result.unprojectedResidualRel ?? null },
    floor: floor
      ? { abs: floor.abs, rel: floor.rel, ratio: floor.rel > 0 ? rel / floor.rel : null, dft: floor.dft }
      : { abs: 0, rel: 0, ratio: null, dft: g.ke },
    functional: functional ? { ...pick(functional), summary: describeFunctional(functional) } : null,
    time: { seconds, flops, gflops: seconds > 0 ? flops / seconds / 1e9 : 0 },
    quality: finished.quality(result.f1, result.f2),
  };
  return { f1: result.f1, f2: result.f2, f2Bias: options.bias?.slice(), report };
}

function pick(f: ReturnType<typeof functionalCheck>) {
  return {
    inputSize: f.inputSize,
    interiorRelError: f.interiorRelError,
    borderRelError: f.borderRelError,
    interiorPositions: f.interiorPositions,
    borderPositions: f.borderPositions,
  };
}

function validateParent(parent: Tensor4, o: DecomposeOptions, file: string | undefined): void {
  if (parent.shape.length !== 4) throw new DecomposeError("E_SHAPE", `expected a 4-D array, got ${parent.shape.length}-D`, file);
  if (parent.shape.some((d) => d < 1)) throw new DecomposeError("E_SHAPE", `shape [${parent.shape.join(", ")}] has a zero-size axis`, file);
  for (let q = 0; q < parent.data.length; q++) {
    if (!Number.isFinite(parent.data[q]!)) throw new DecomposeError("E_NONFINITE", `parent has non-finite values (first at flat index ${q})`, file);
  }
  const num = (name: string, v: number | undefined, ok: (x: number) => boolean, what: string): void => {
    if (v !== undefined && !(Number.isFinite(v) && ok(v))) throw new DecomposeError("E_OPTION", `--${name} must be ${what}, got ${v}`, file);
  };
  num("lambda", o.lambda, (x) => x >= 0, "a number >= 0");
  num("max-iter", o.maxIter, (x) => Number.isInteger(x) && x >= 1, "an integer >= 1");
  num("tol", o.tol, (x) => x >= 0, "a number >= 0");
  num("seed", o.seed, (x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff, "an integer in [0, 2^32)");
  const pp = o.parentPadding;
  if (pp !== undefined && !(Number.isInteger(pp.h) && Number.isInteger(pp.w) && pp.h >= 0 && pp.w >= 0)) {
    throw new DecomposeError("E_OPTION", `--padding must be non-negative integers, got ${pp.h}x${pp.w}`, file);
  }
  if (o.bias !== undefined && o.bias.length !== parent.shape[0]) {
    throw new DecomposeError("E_SHAPE", `bias has ${o.bias.length} values, the parent has ${parent.shape[0]} output channels`, file);
  }
}
