/**
 * The model pipeline without I/O: plan the Conv nodes (conv-plan.ts), split each distinct weight
 * as a batch layer task (src/batch/layer.ts) on the serial or the worker executor, and rewrite
 * the graph (surgery.ts) with the exact stacking layout's pads (conv-node.ts).
 */
import type { LayerExecutor } from "../batch/executor.js";
import { noProgress, type Progress } from "../batch/progress.js";
import { serialLayerExecutor } from "../batch/executor.js";
import type { LayerOutcome, LayerSettings, LayerTask } from "../batch/layer.js";
import { workerLayerExecutor, workersAvailable } from "../batch/workers.js";
import { DecomposeError } from "../errors.js";
import { exactChildPads, sameChildPads } from "./conv-node.js";
import { planConvs, type ConvEntry, type PlannedConv } from "./conv-plan.js";
import type { GraphInput } from "./inputs.js";
import { toInt, type OnnxModel } from "./onnx.js";
import { splitConvNodes, type NodeSplit, type SurgeryResult } from "./surgery.js";

export interface DecomposeOnnxOptions {
  readonly settings: LayerSettings;
  readonly select?: RegExp;
  readonly exclude?: RegExp;
  /** Throw (E_SKIPPED) when a candidate node cannot be split. */
  readonly strict?: boolean;
  /** Layers in parallel on worker threads (default 1: this thread). */
  readonly jobs?: number;
  /** Graph inputs with known shapes (for auto_pad SAME with a stride above 1). */
  readonly inputs?: readonly GraphInput[];
  /** A progress display for the tasks about to run (src/batch/progress.ts). */
  readonly progress?: (tasks: readonly LayerTask[]) => Progress;
}

export interface OnnxDecomposition {
  /** The decomposed model (the parent is untouched). */
  readonly model: OnnxModel;
  /** Every candidate node, in graph order. */
  readonly entries: readonly ConvEntry[];
  /** Outcome of each split weight, by entry index (nodes sharing a weight point to the first). */
  readonly outcomes: ReadonlyMap<number, LayerOutcome>;
  readonly splits: readonly NodeSplit[];
  readonly surgery: SurgeryResult;
  readonly jobs: number;
}

export async function decomposeOnnx(model: OnnxModel, o: DecomposeOnnxOptions): Promise<OnnxDecomposition> {
  const file = model.file;
  const layout = o.settings.extra?.layout ?? "exact";
  const entries = planConvs(model, {
    ...(o.select ? { select: o.select } : {}),
    ...(o.exclude ? { exclude: o.exclude } : {}),
    explicitSizes: o.settings.k1 !== undefined || o.settings.k2 !== undefined,
    spatial: spatialSizes(model, o.inputs ?? []),
    layout,
  });
  if (o.strict) {
    const s = entries.find((e) => e.status === "skipped");
    if (s && s.status === "skipped") throw strictError(file, s.name, s.reason);
  }
  const tasks: LayerTask[] = entries.flatMap((e, index) =>
    e.status === "planned" && e.sharesWith === null
      ? [{
          index,
          name: e.name,
          shape: e.shape,
          data: e.data,
          bias: e.bias,
          groups: e.attributes.group,
          // The per-layer functional check assumes symmetric pads; the runtime check covers the whole model.
          settings: {
            ...o.settings,
            padding: { h: e.pads.top, w: e.pads.left },
            extra: { ...o.settings.extra, parentStride: { h: e.attributes.strides[0], w: e.attributes.strides[1] }, functional: false },
          },
        }]
      : [],
  );
  const jobs = Math.min(o.jobs ?? 1, tasks.length);
  const executor: LayerExecutor = jobs > 1 && workersAvailable() ? workerLayerExecutor(jobs) : serialLayerExecutor;
  const progress = o.progress && tasks.length > 0 ? o.progress(tasks) : noProgress;
  let list: LayerOutcome[];
  try {
    list = await executor.run(tasks, (e) => progress.event(e));
  } finally {
    progress.stop();
    await executor.dispose();
  }
  const byIndex = new Map(list.map((x) => [x.index, x]));
  if (o.strict) {
    const bad = list.find((x) => x.status === "skipped");
    if (bad && bad.status === "skipped") throw strictError(file, entries[bad.index]!.name, bad.reason);
  }
  const outcomes = new Map<number, LayerOutcome>();
  const splits: NodeSplit[] = [];
  entries.forEach((e, index) => {
    if (e.status !== "planned") return;
    const x = byIndex.get(e.sharesWith ?? index);
    if (x === undefined) return;
    outcomes.set(index, x);
    if (x.status === "ok") splits.push({ nodeIndex: e.nodeIndex, name: e.name, weight: e.weight, dtype: e.dtype, f1: x.f1, f2: x.f2, pads: childPads(e, x, layout) });
  });
  const surgery = splitConvNodes(model.proto, splits);
  return { model: { file, proto: surgery.proto }, entries, outcomes, splits, surgery, jobs: executor.jobs };
}

/** The children's pads in the chosen layout; the target pad e = (k1 + k2 - 1 - k) / 2 per axis, from the factors' shapes. */
function childPads(e: PlannedConv, x: LayerOutcome & { status: "ok" }, layout: "exact" | "same"): NodeSplit["pads"] {
  const targetPad = { h: (x.f1.shape[2] + x.f2.shape[2] - 1 - e.shape[2]) / 2, w: (x.f1.shape[3] + x.f2.shape[3] - 1 - e.shape[3]) / 2 };
  if (layout === "same") return sameChildPads(e.pads, { h: x.f1.shape[2], w: x.f1.shape[3] }, targetPad, e.attributes.dilations);
  return exactChildPads(e.pads, targetPad, e.attributes.dilations);
}

/** (h, w) of the 4-D tensors whose shapes are known: value_info with fixed dims, and graph inputs. */
function spatialSizes(model: OnnxModel, inputs: readonly GraphInput[]): Map<string, readonly [number, number]> {
  const m = new Map<string, readonly [number, number]>();
  for (const v of model.proto.graph?.valueInfo ?? []) {
    const dims = v.type?.tensorType?.shape?.dim ?? [];
    const h = toInt(dims[2]?.dimValue), w = toInt(dims[3]?.dimValue);
    if (dims.length === 4 && h > 0 && w > 0 && v.name) m.set(v.name, [h, w]);
  }
  for (const i of inputs) if (i.dims.length === 4) m.set(i.name, [i.dims[2]!, i.dims[3]!]);
  return m;
}

function strictError(file: string, name: string, reason: string): DecomposeError {
  return new DecomposeError("E_SKIPPED", `node '${name}' cannot be split (--strict): ${reason}`, file);
}
