import type { LayoutName } from "../geometry/layout.js";
import type { MethodName } from "../methods/registry.js";
import type { StopReason } from "../als/options.js";
import type { LinalgReport } from "../linalg/info.js";
import type { AutoFiltersReport, QualityReport } from "./quality.js";

/**
 * The report, as data. Its JSON form is the stable, documented schema (README, "Report schema");
 * `schema` changes its version whenever a field changes meaning or is removed.
 */
export const REPORT_SCHEMA = "decompose-filter/report@2";

export interface SizeHW {
  readonly h: number;
  readonly w: number;
}

/** One stacking layout's child convs (geometry/layout.ts): f1 always has stride 1. */
export interface LayoutConvs {
  readonly f1: { readonly padding: SizeHW; readonly stride: SizeHW };
  readonly f2: { readonly padding: SizeHW; readonly stride: SizeHW };
}

/** Both layouts' paddings, the chosen one named; `same` is null where it has no non-negative paddings. */
export interface LayoutReport {
  readonly chosen: LayoutName;
  readonly exact: LayoutConvs;
  readonly same: LayoutConvs | null;
}

export interface Report {
  readonly schema: typeof REPORT_SCHEMA;
  readonly tool: { readonly name: "decompose-filter"; readonly version: string };
  /** Input file and dtype, when the parent came from a file (set by the CLI). */
  input?: { readonly file: string; readonly dtype: string };
  readonly parent: { readonly shape: readonly number[]; readonly padding: SizeHW; readonly stride: SizeHW };
  readonly target: { readonly shape: readonly number[]; readonly pad: SizeHW };
  /** Paddings of the chosen layout (null: that layout has none for this parent padding). */
  readonly f1: { readonly shape: readonly number[]; readonly padding: SizeHW | null };
  readonly f2: { readonly shape: readonly number[]; readonly padding: SizeHW | null; readonly stride: SizeHW; readonly bias: boolean };
  readonly layout: LayoutReport;
  readonly filters: number;
  /** The method that ran, and how it was chosen (src/methods/policy.ts). */
  readonly method: MethodName;
  readonly methodChoice: { readonly requested: string; readonly reason: string };
  readonly lambda: number;
  readonly maxIter: number;
  readonly tol: number;
  readonly seed: number;
  readonly iterations: number;
  readonly stopReason: StopReason;
  /** Relative residual after each iteration (seed method: before projection). */
  readonly trace: readonly number[];
  /** true when the method is a closed form: the residual is the global optimum for the geometry. */
  readonly optimal: boolean;
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
    /** residual.rel / floor.rel; null when the floor is 0. */
    readonly ratio: number | null;
    /** DFT size per axis, of the folded target (a folded axis has size 1). */
    readonly dft: SizeHW;
    /**
     * optimum: a matrix geometry, the floor is the Eckart-Young optimum (closed form: ratio 1);
     * rank-bound: the frequency rank bound only, 0 once m >= the folded min(c_in, c_out), which
     * does not imply that an exact split exists.
     */
    readonly kind: "optimum" | "rank-bound" | "not-computed";
    /** Where each axis folded into the channels before the bound: "in", "out" or null. */
    readonly folded: { readonly h: "in" | "out" | null; readonly w: "in" | "out" | null };
    /**
     * Which rank bound: "frequency" (every frequency's product has rank <= m), or "block-toeplitz"
     * (the valid-convolution matrix of an output window, whose rank the middle layer caps; taken
     * where the frequency floor is 0), with that window and whose side the rank passes through;
     * null when not computed.
     */
    readonly bound: "frequency" | "block-toeplitz" | null;
    readonly window: SizeHW | null;
    readonly side: "f1" | "f2" | null;
  };
  readonly functional: {
    /** The layout the check ran on (the chosen one). */
    readonly layout: LayoutName;
    readonly inputSize: SizeHW;
    readonly interiorRelError: number;
    readonly borderRelError: number;
    /** Stack against one conv with compose(f1, f2): rounding for exact, the border effect for same. */
    readonly layoutRelError: number;
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
