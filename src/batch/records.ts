/**
 * The batch report as data: one record per candidate layer (split or skipped), in input order,
 * and one summary. With `--json` each is one line of NDJSON (schemas `decompose-filter/layer@2`
 * and `decompose-filter/summary@1`, documented in the README, "NDJSON schema"); otherwise table.ts renders them.
 */
import type { LayoutReport, SizeHW } from "../report/model.js";
import type { LayerSummary } from "./layer.js";
import type { LayerOutputs } from "./outputs.js";

export const LAYER_SCHEMA = "decompose-filter/layer@2";
export const SUMMARY_SCHEMA = "decompose-filter/summary@1";

export interface ChildRecord {
  readonly shape: readonly number[];
  readonly groups: number;
  readonly padding: SizeHW | null;
}

export interface LayerRecord {
  readonly schema: typeof LAYER_SCHEMA;
  readonly type: "layer";
  /** 0-based position among the run's candidate layers. */
  readonly index: number;
  readonly input: string;
  /** The weight's name in the dump (a `.npy` input: its file stem). */
  readonly name: string;
  readonly status: "ok" | "skipped";
  /** Why the layer was skipped (null when split). */
  readonly reason: string | null;
  readonly parent: {
    readonly shape: readonly number[];
    readonly dtype: string;
    readonly groups: number | null;
    readonly groupsInferred: boolean;
    readonly bias: string | null;
    readonly padding: SizeHW | null;
  };
  readonly filters: number | null;
  readonly f1: ChildRecord | null;
  readonly f2: (ChildRecord & { readonly bias: boolean }) | null;
  readonly layout: LayoutReport | null;
  /** The method that ran (requested "auto": the policy's choice). */
  readonly method: string;
  readonly iterations: number | null;
  readonly stopReason: string | null;
  readonly trace: readonly number[];
  readonly residual: { readonly abs: number; readonly rel: number; readonly unprojectedRel: number | null } | null;
  readonly floor: { readonly abs: number; readonly rel: number; readonly ratio: number | null } | null;
  readonly functional: { readonly layout: string; readonly interiorRelError: number; readonly borderRelError: number; readonly layoutRelError: number } | null;
  readonly params: { readonly parent: number; readonly children: number } | null;
  readonly time: { readonly seconds: number; readonly flops: number } | null;
  readonly outputs: LayerOutputs | null;
  /** With --calibration (layers that had activations): whitening mode, kernel and output-space residuals. */
  readonly calibration?: LayerSummary["calibration"] | null;
}

export interface SummaryRecord {
  readonly schema: typeof SUMMARY_SCHEMA;
  readonly type: "summary";
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly layers: number;
  readonly decomposed: number;
  readonly skipped: number;
  /** With --budget: candidate layers the plan left unsplit (listed as skipped, copied through). */
  readonly unsplit?: number;
  /** Arrays copied through unchanged into the output archives. */
  readonly copied: number;
  readonly filters: string;
  readonly params: { readonly parent: number; readonly children: number };
  readonly residual: {
    /** sqrt(sum of squared residuals) / sqrt(sum of squared target norms), over split layers. */
    readonly rel: number;
    readonly maxRel: number;
    readonly maxRelLayer: string | null;
  };
  readonly jobs: number;
  readonly time: { readonly seconds: number; readonly layerSeconds: number };
  /** Layers above --max-residual (exit code 1 when any). */
  readonly aboveMaxResidual: readonly string[];
}

/** One NDJSON line; non-finite numbers as null. */
export function ndjsonLine(r: LayerRecord | SummaryRecord): string {
  return JSON.stringify(r, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v)) + "\n";
}
