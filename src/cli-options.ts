import { availableParallelism } from "node:os";
import { INIT_NAMES } from "./als/init.js";
import { LAYOUT_NAMES } from "./geometry/layout.js";
import { METHOD_REQUESTS } from "./methods/policy.js";
import { parseFiltersSpec } from "./batch/filters.js";
import type { BudgetOptions, InputSizeRule } from "./batch/budget.js";
import type { LayerSettings } from "./batch/layer.js";
import { parseChoice, parseNonNegativeInt, parseNonNegativeNumber, parsePadding, parsePositiveInt, parseSize2 } from "./cli-parse.js";
import { DecomposeError } from "./errors.js";
import { parseInputShape } from "./model/inputs.js";
import type { NpyDtype } from "./io/npy.js";
import { BLAS_CHOICES, parseBlasChoice, type BlasChoice } from "./linalg/backends/registry.js";

/** The options exactly as commander hands them over: strings and flags, not yet validated. */
export interface RawOptions {
  filters?: string;
  budget?: string;
  budgetOf: string;
  budgetObjective: string;
  inputSize?: string[];
  calibration?: string;
  calibrationData?: string;
  k1?: string;
  k2?: string;
  method: string;
  lambda: string;
  maxIter: string;
  minGain: string;
  tol: string;
  seed: string;
  padding: string;
  stride: string;
  layout: string;
  outDir?: string;
  dtype?: string;
  bias?: string;
  json?: boolean;
  report?: string;
  maxResidual?: string;
  force?: boolean;
  quiet?: boolean;
  select?: string;
  exclude?: string;
  groups: string;
  onlyDecomposed?: boolean;
  strict?: boolean;
  jobs?: string;
  threads?: string;
  blas?: string;
  verbose?: boolean;
  init: string;
  initNoise?: string;
  restarts?: string;
  balance?: boolean;
  noise?: string;
  refine?: string;
  targetResidual?: string;
  inputShape?: string[];
  maxDeviation?: string;
  verify?: boolean;
}

export const DTYPES: readonly NpyDtype[] = ["float16", "float32", "float64"];

/** Everything a run needs besides the inputs, validated once. */
export interface CliSettings {
  readonly layer: LayerSettings;
  readonly dtype: NpyDtype | undefined;
  readonly maxResidual: number | undefined;
  readonly outDir: string | undefined;
  readonly report: string | undefined;
  readonly bias: string | undefined;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly force: boolean;
  readonly select: RegExp | undefined;
  readonly exclude: RegExp | undefined;
  readonly groups: number | "auto";
  readonly onlyDecomposed: boolean;
  readonly strict: boolean;
  readonly jobs: number;
  /** Threads of the linear-algebra kernels (src/linalg); undefined: all cores. */
  readonly threads: number | undefined;
  /** Linear-algebra back-end: --blas, else DECOMPOSE_FILTER_BLAS, else auto. */
  readonly blas: BlasChoice;
  readonly verbose: boolean;
  /** ONNX models: the runtime check. */
  readonly onnx: { readonly verify: boolean; readonly inputShapes: ReadonlyMap<string, readonly number[]>; readonly maxDeviation: number | undefined };
  /** `--budget` and its companions (a whole-network plan instead of one m). */
  readonly budget: BudgetOptions | undefined;
  readonly calibration: string | undefined;
  /** ONNX: `--calibration-data`, model inputs to capture activations from. */
  readonly calibrationData: string | undefined;
}

/** Validate every option; each problem is one `DecomposeError` line naming the option. */
export function parseCliSettings(raw: RawOptions, env: NodeJS.ProcessEnv = {}): CliSettings {
  const seed = parseNonNegativeInt("seed", raw.seed);
  if (seed > 0xffffffff) throw new DecomposeError("E_OPTION", `--seed must be below 2^32, got '${raw.seed}'`);
  const optional = <T>(s: string | undefined, parse: (s: string) => T): T | undefined => (s === undefined ? undefined : parse(s));
  const targetResidual = optional(raw.targetResidual, (s) => parseNonNegativeNumber("target-residual", s));
  const minGain = parseNonNegativeNumber("min-gain", raw.minGain);
  if (minGain >= 1) throw new DecomposeError("E_OPTION", `--min-gain must be below 1 (a fraction of the residual), got '${raw.minGain}'`);
  const initNoise = optional(raw.initNoise, (s) => parseNonNegativeNumber("init-noise", s));
  const restarts = optional(raw.restarts, (s) => parsePositiveInt("restarts", s));
  const noise = optional(raw.noise, (s) => parseNonNegativeNumber("noise", s));
  const refine = optional(raw.refine, (s) => parseNonNegativeInt("refine", s));
  const k1 = optional(raw.k1, (s) => parseSize2("k1", s));
  const k2 = optional(raw.k2, (s) => parseSize2("k2", s));
  const budget = parseBudget(raw);
  const layer: LayerSettings = {
    // With --budget the plan gives every layer its own m; this placeholder is never used.
    filters: raw.filters === undefined ? { kind: "count", m: 1 } : parseFiltersSpec(raw.filters),
    ...(k1 ? { k1 } : {}),
    ...(k2 ? { k2 } : {}),
    method: parseChoice("method", raw.method, METHOD_REQUESTS),
    lambda: parseNonNegativeNumber("lambda", raw.lambda),
    maxIter: parsePositiveInt("max-iter", raw.maxIter),
    tol: parseNonNegativeNumber("tol", raw.tol),
    seed,
    padding: parsePadding(raw.padding),
    ...(targetResidual === undefined ? {} : { autoTarget: targetResidual }),
    extra: {
      init: parseChoice("init", raw.init, ["auto", ...INIT_NAMES] as const),
      layout: parseChoice("layout", raw.layout, LAYOUT_NAMES),
      parentStride: parseSize2("stride", raw.stride),
      minGain,
      ...(initNoise === undefined ? {} : { initNoise }),
      quality: {
        ...(restarts === undefined ? {} : { restarts }),
        ...(raw.balance ? { balance: true } : {}),
        ...(noise === undefined ? {} : { noise }),
        ...(refine === undefined ? {} : { refine }),
      },
    },
  };
  return {
    layer,
    dtype: optional(raw.dtype, (s) => parseChoice("dtype", s, DTYPES)),
    maxResidual: optional(raw.maxResidual, (s) => parseNonNegativeNumber("max-residual", s)),
    outDir: raw.outDir,
    report: raw.report,
    bias: raw.bias,
    json: raw.json === true,
    quiet: raw.quiet === true,
    force: raw.force === true,
    select: optional(raw.select, (s) => parseRegex("select", s)),
    exclude: optional(raw.exclude, (s) => parseRegex("exclude", s)),
    groups: raw.groups.trim() === "auto" ? "auto" : parsePositiveInt("groups", raw.groups),
    onlyDecomposed: raw.onlyDecomposed === true,
    strict: raw.strict === true,
    jobs: raw.jobs === undefined ? availableParallelism() : parsePositiveInt("jobs", raw.jobs),
    threads: optional(raw.threads, (s) => parsePositiveInt("threads", s)),
    blas: parseBlas(raw.blas, env),
    verbose: raw.verbose === true,
    onnx: {
      verify: raw.verify !== false,
      inputShapes: new Map((raw.inputShape ?? []).map(parseInputShape)),
      maxDeviation: optional(raw.maxDeviation, (s) => parseNonNegativeNumber("max-deviation", s)),
    },
    budget,
    calibration: raw.calibration,
    calibrationData: raw.calibrationData,
  };
}

/** `--budget r` (0 < r <= 1), `--budget-of`, `--budget-objective`, `--input-size`; exactly one of --filters and --budget. */
function parseBudget(raw: RawOptions): BudgetOptions | undefined {
  if (raw.budget === undefined) {
    if (raw.filters === undefined) throw new DecomposeError("E_OPTION", "give --filters <m> (one layer's middle channels) or --budget <r> (a whole-network plan)");
    return undefined;
  }
  if (raw.filters !== undefined) throw new DecomposeError("E_OPTION", "--filters and --budget exclude each other: the budget plan chooses every layer's m");
  const ratio = Number(raw.budget);
  if (raw.budget.trim() === "" || !Number.isFinite(ratio) || ratio <= 0 || ratio > 1) {
    throw new DecomposeError("E_OPTION", `--budget must be a number in (0, 1] (a fraction of the parents' params or FLOPs), got '${raw.budget}'`);
  }
  return {
    ratio,
    of: parseChoice("budget-of", raw.budgetOf, ["params", "flops"] as const),
    objective: parseChoice("budget-objective", raw.budgetObjective, ["total", "max"] as const),
    inputSizes: (raw.inputSize ?? []).map(parseInputSize),
  };
}

/** `HxW` (every layer) or `PATTERN=HxW` (layers whose name matches the regular expression). */
function parseInputSize(s: string): InputSizeRule {
  const at = s.lastIndexOf("=");
  const size = parseSize2("input-size", at < 0 ? s : s.slice(at + 1));
  return { pattern: at < 0 ? null : parseRegex("input-size", s.slice(0, at)), size };
}

/** --blas wins over DECOMPOSE_FILTER_BLAS; neither: auto. */
export function parseBlas(option: string | undefined, env: NodeJS.ProcessEnv): BlasChoice {
  const fromEnv = env["DECOMPOSE_FILTER_BLAS"];
  const raw = option ?? (fromEnv === "" ? undefined : fromEnv);
  if (raw === undefined) return "auto";
  const c = parseBlasChoice(raw);
  if (c === undefined) {
    const where = option === undefined ? "DECOMPOSE_FILTER_BLAS" : "--blas";
    throw new DecomposeError("E_OPTION", `${where} must be one of ${BLAS_CHOICES.join(", ")}, got '${raw}'`);
  }
  return c;
}

function parseRegex(name: string, s: string): RegExp {
  try {
    return new RegExp(s);
  } catch (e) {
    throw new DecomposeError("E_OPTION", `--${name} is not a valid regular expression: ${e instanceof Error ? e.message : String(e)}`);
  }
}
