import { INIT_NAMES, type InitName } from "../als/init.js";
import { defaultAlsOptions, type AlsOptions } from "../als/options.js";
import { DEFAULT_MIN_GAIN } from "../als/stopping.js";
import { DecomposeError } from "../errors.js";
import { quoted } from "../io/quote.js";
import { LAYOUT_NAMES, type LayoutName } from "../geometry/layout.js";
import type { Size2, Tensor4 } from "../geometry/tensor.js";
import { METHOD_REQUESTS, type MethodRequest } from "../methods/policy.js";

/** What `decompose` takes (the library's edge: everything here is validated once, below). */
export interface DecomposeOptions {
  /** Middle channels m. */
  readonly filters: number;
  /** First and second child kernel sizes (default: the parent's). */
  readonly k1?: Size2;
  readonly k2?: Size2;
  /** A method of src/methods/registry.ts, or "auto" (default: src/methods/policy.ts chooses). */
  readonly method?: MethodRequest;
  readonly lambda?: number;
  readonly maxIter?: number;
  readonly tol?: number;
  /** The gain-forecast stopping rule's threshold (als/stopping.ts; default 1e-3; 0: off). */
  readonly minGain?: number;
  readonly seed?: number;
  /** Parent bias (c_out); it goes to f2, f1's bias is zero. */
  readonly bias?: Float64Array;
  /** Padding the parent ran with (default "same": (k - 1) / 2). */
  readonly parentPadding?: Size2;
  /** Stride the parent ran with (default 1); the stack puts it on f2. */
  readonly parentStride?: Size2;
  /** Stacking layout (geometry/layout.ts; default "exact"). */
  readonly layout?: LayoutName;
  /** Compute the frequency-domain floor (default true). */
  readonly floor?: boolean;
  /** Run the functional check (default true). */
  readonly functional?: boolean;
  readonly onIteration?: (iteration: number, residualRel: number) => void;
  /** Methods that take a start (structured): "auto" (default) follows the regime (quality/regime.ts). */
  readonly init?: InitName | "auto";
  readonly initNoise?: number;
  /** Restarts before the solve; --balance, --noise, --refine after it (pipeline/post-process.ts). */
  readonly quality?: QualityOptions;
  /** Names the parent in errors. */
  readonly file?: string;
}

export interface QualityOptions {
  /** Best of n seeded starts (default 1). */
  readonly restarts?: number;
  /** Rescale so f1 and f2 have equal standard deviation (composition unchanged). */
  readonly balance?: boolean;
  /** Uniform noise of ratio * ptp(factor) added to each factor after solving (0: none). */
  readonly noise?: number;
  /** Maximum sweeps of ALS on the functional error, borders included (0: none; same layout only). */
  readonly refine?: number;
  /** Relative learning rate when refining with Adam (library only; default 1e-2). */
  readonly refineLr?: number;
}

/** Reject a parent or an option that the pipeline cannot run with: one typed error naming the file. */
export function validateInputs(parent: Tensor4, o: DecomposeOptions): void {
  const file = o.file;
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
  num("min-gain", o.minGain, (x) => x >= 0 && x < 1, "a number in [0, 1)");
  num("seed", o.seed, (x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff, "an integer in [0, 2^32)");
  num("init-noise", o.initNoise, (x) => x >= 0, "a number >= 0");
  const pp = o.parentPadding;
  if (pp !== undefined && !(Number.isInteger(pp.h) && Number.isInteger(pp.w) && pp.h >= 0 && pp.w >= 0)) {
    throw new DecomposeError("E_OPTION", `--padding must be non-negative integers, got ${pp.h}x${pp.w}`, file);
  }
  const ps = o.parentStride;
  if (ps !== undefined && !(Number.isInteger(ps.h) && Number.isInteger(ps.w) && ps.h >= 1 && ps.w >= 1)) {
    throw new DecomposeError("E_OPTION", `--stride must be positive integers, got ${ps.h}x${ps.w}`, file);
  }
  if (o.bias !== undefined && o.bias.length !== parent.shape[0]) {
    throw new DecomposeError("E_SHAPE", `bias has ${o.bias.length} values, the parent has ${parent.shape[0]} output channels`, file);
  }
  if (o.method !== undefined && !METHOD_REQUESTS.includes(o.method)) {
    throw new DecomposeError("E_OPTION", `unknown method ${quoted(String(o.method))} (${METHOD_REQUESTS.join(", ")})`, file);
  }
  if (o.layout !== undefined && !LAYOUT_NAMES.includes(o.layout)) {
    throw new DecomposeError("E_OPTION", `--layout must be one of ${LAYOUT_NAMES.join(", ")}, got ${quoted(String(o.layout))}`, file);
  }
  if (o.init !== undefined && o.init !== "auto" && !INIT_NAMES.includes(o.init)) {
    throw new DecomposeError("E_OPTION", `--init must be one of auto, ${INIT_NAMES.join(", ")}, got ${quoted(String(o.init))}`, file);
  }
  const q = o.quality;
  if (q) {
    const int = (name: string, v: number | undefined, min: number): void => {
      if (v !== undefined && !(Number.isInteger(v) && v >= min)) throw new DecomposeError("E_OPTION", `--${name} must be an integer >= ${min}, got ${v}`, file);
    };
    int("restarts", q.restarts, 1);
    int("refine", q.refine, 0);
    num("noise", q.noise, (x) => x >= 0, "a number >= 0");
    num("refine-lr", q.refineLr, (x) => x >= 0, "a number >= 0");
  }
}

/** The solver options of a run (the start, where the method takes one, is added by the caller). */
export function solverOptions(o: DecomposeOptions): AlsOptions {
  return {
    ...defaultAlsOptions,
    lambda: o.lambda ?? defaultAlsOptions.lambda,
    maxIter: o.maxIter ?? defaultAlsOptions.maxIter,
    tol: o.tol ?? defaultAlsOptions.tol,
    minGain: o.minGain ?? DEFAULT_MIN_GAIN,
    seed: o.seed ?? defaultAlsOptions.seed,
    ...(o.onIteration ? { onIteration: o.onIteration } : {}),
  };
}
