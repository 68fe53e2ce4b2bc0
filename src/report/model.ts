import type { MethodName } from "../als/result.js";
import type { StopReason } from "../als/options.js";
import type { LinalgReport } from "../linalg/info.js";
import type { AutoFiltersReport, QualityReport } from "./quality.js";

/**
 * The report, as data. Its JSON form is the stable, documented schema (README, "Report schema");
 * `schema` changes its version whenever a field changes meaning or is removed.
 */
export const REPORT_SCHEMA = "decompose-filter/report@1";

export interface SizeHW {
  readonly h: number;
  readonly w: number;
}

export interface Report {
  readonly schema: typeof REPORT_SCHEMA;
  readonly tool: { readonly name: "decompose-filter"; readonly version: string };
  /** Input file and dtype, when the parent came from a file (set by the CLI). */
  input?: { readonly file: string; readonly dtype: string };
  readonly parent: { readonly shape: readonly number[]; readonly padding: SizeHW };
  readonly target: { readonly shape: readonly number[]; readonly pad: SizeHW };
  readonly f1: { readonly shape: readonly number[]; readonly padding: SizeHW | null };
  readonly f2: { readonly shape: readonly number[]; readonly padding: SizeHW | null; readonly bias: boolean };
  readonly filters: number;
  readonly method: MethodName;
  readonly lambda: number;
  readonly maxIter: number;
  readonly tol: number;
  readonly seed: number;
  readonly iterations: number;
  readonly stopReason: StopReason;
  /** Relative residual after each iteration (seed method: before projection). */
  readonly trace: readonly number[];
  readonly residual: {
    /** ||compose(f1, f2) - T||_F */
    readonly abs: number;
    /** ||compose(f1, f2) - T||_F / ||T||_F */
    readonly rel: number;
    /** seed method only: relative residual of the unstructured product before col2im projection. */
    readonly unprojectedRel: number | null;
  };
  readonly floor: {
    readonly abs: number;
    readonly rel: number;
    /** residual.rel / floor.rel; null when the floor is 0 (an exact split exists). */
    readonly ratio: number | null;
    readonly dft: SizeHW;
  };
  readonly functional: {
    readonly inputSize: SizeHW;
    readonly interiorRelError: number;
    readonly borderRelError: number;
    readonly interiorPositions: number;
    readonly borderPositions: number;
    readonly summary: string;
  } | null;
  readonly time: { readonly seconds: number; readonly flops: number; readonly gflops: number };
  /** The linear-algebra back-end the run used ("wasm" or "openblas"), what it runs on, its threads. */
  readonly linalg?: LinalgReport;
  /** Regime, start, density of the factors, stopping rule, restarts/balance/noise/refine (issue 5). */
  readonly quality?: QualityReport;
  /** --filters auto: every m tried (set by the auto-m search). */
  autoFilters?: AutoFiltersReport;
  /** Files written (set by the CLI). */
  outputs?: { readonly f1: string; readonly f2: string; readonly bias: string | null };
}
