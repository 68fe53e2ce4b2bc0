/**
 * The ONNX run's report records: the batch layer record (schema `decompose-filter/layer@1`) with
 * an `onnx` member (node, attributes of the parent and of both children), and a summary (`decompose-filter/summary@1`) that adds
 * the model's counts and the runtime check to the batch summary.
 */
import type { LayerRecord, SummaryRecord } from "../batch/records.js";
import type { ModelCounts } from "./counts.js";
import type { ShapeSource } from "./shape-inference.js";
import type { SampleDeviation } from "./verify-samples.js";
import type { VerifyResult } from "./verify.js";

export interface OnnxLayerRecord extends LayerRecord {
  readonly onnx: {
    readonly node: string;
    readonly opType: string;
    readonly weight: string;
    /** Index of the record whose split this node reuses (shared weight), or null. */
    readonly sharesWeightWith: number | null;
    readonly parent: {
      readonly pads: readonly number[];
      readonly autoPad: string;
      readonly strides: readonly number[];
      readonly dilations: readonly number[];
      readonly group: number;
    } | null;
    readonly f1: { readonly node: string; readonly output: string; readonly pads: readonly number[]; readonly strides: readonly number[] } | null;
    readonly f2: { readonly node: string; readonly pads: readonly number[]; readonly strides: readonly number[] } | null;
  };
}

export interface OnnxSummaryRecord extends SummaryRecord {
  readonly model: {
    readonly before: ModelCounts;
    readonly after: ModelCounts;
    readonly removed: readonly string[];
    /** Where the Conv input shapes (FLOPs, MACs) came from: counts per source, Convs with none. */
    readonly shapes: { readonly sources: Readonly<Record<ShapeSource, number>>; readonly unknown: readonly string[]; readonly runtimeNote: string | null };
  };
  /** `--calibration-data`: the samples, how many weights were fitted to them, the end-to-end check on the held-out ones. */
  readonly calibration: { readonly file: string; readonly samples: number; readonly calibrated: number; readonly heldOut: SampleDeviation | null } | null;
  /** null with --no-verify. */
  readonly verify: VerifyResult | null;
  /** Graph outputs above --max-deviation (exit code 1 when any). */
  readonly aboveMaxDeviation: readonly string[];
}
