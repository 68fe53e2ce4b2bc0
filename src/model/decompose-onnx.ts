/**
 * The model pipeline without I/O: plan the Conv nodes (conv-plan.ts), learn the shapes they run
 * at (model-shapes.ts), with `calibration` capture every candidate Conv's input on the real
 * samples (capture.ts), with `budget` choose each weight's geometry and m (budget-onnx.ts), split
 * each distinct weight as a batch layer task (src/batch/layer.ts, calibrated where activations
 * were captured) on the serial or the worker executor, and rewrite the graph (surgery.ts) with
 * the exact stacking layout's pads (conv-node.ts).
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
import type { OnnxModel } from "./onnx.js";
import { splitConvNodes, type NodeSplit, type SurgeryResult } from "./surgery.js";
import type { BudgetOptions, BudgetResult } from "../batch/budget.js";
import type { CalibrationSet } from "../calibration/whiten.js";
import { planOnnxBudget } from "./budget-onnx.js";
import { heldOutCount, type CalibrationInputs } from "./calibration-inputs.js";
import { captureActivations } from "./capture.js";
import { modelShapes, type ModelShapes } from "./model-shapes.js";

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
  /** `--budget`: a plan chooses every weight's geometry and m (settings.filters is then unused). */
  readonly budget?: BudgetOptions;
  /** `--calibration-data`: real model inputs; every split ungrouped Conv is fitted to its captured input. */
  readonly calibration?: CalibrationInputs;
  /** The model's shapes, when the caller has them (else measured here). */
  readonly shapes?: ModelShapes;
  /** Let ONNX Runtime measure shapes the graph does not give (default true). */
  readonly runtimeShapes?: boolean;
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
  /** The parent's shapes (Conv inputs and outputs, where known). */
  readonly shapes: ModelShapes;
  /** With `budget`: the plan, its records and summary. */
  readonly plan: BudgetResult | null;
  /** Entry indices left unsplit by the plan. */
  readonly unsplit: ReadonlySet<number>;
  /** Entry indices split and fitted to captured activations. */
  readonly calibrated: ReadonlySet<number>;
}

export async function decomposeOnnx(model: OnnxModel, o: DecomposeOnnxOptions): Promise<OnnxDecomposition> {
  const file = model.file;
  const layout = o.settings.extra?.layout ?? "exact";
  const shapes = o.shapes ?? (await modelShapes(model.proto, o.inputs ?? [], { seed: o.settings.seed, runtime: o.runtimeShapes ?? true }));
  const entries = planConvs(model, {
    ...(o.select ? { select: o.select } : {}),
    ...(o.exclude ? { exclude: o.exclude } : {}),
    explicitSizes: o.budget !== undefined || o.settings.k1 !== undefined || o.settings.k2 !== undefined,
    spatial: spatialSizes(shapes),
    layout,
  });
  if (o.strict) {
    const s = entries.find((e) => e.status === "skipped");
    if (s && s.status === "skipped") throw strictError(file, s.name, s.reason);
  }
  const acts = o.calibration ? await captureConvInputs(model, entries, shapes, o.calibration) : new Map<number, CalibrationSet>();
  const budget = o.budget ? planOnnxBudget(model, entries, shapes.shapes, o.settings, o.budget) : null;
  const unsplit = new Set<number>();
  const tasks: LayerTask[] = entries.flatMap((e, index) => {
    if (e.status !== "planned" || e.sharesWith !== null) return [];
    const chosen = budget ? (budget.settings.get(index) ?? null) : o.settings;
    if (chosen === null) {
      unsplit.add(index);
      return [];
    }
    const calibration = acts.get(index);
    return [{
      index,
      name: e.name,
      shape: e.shape,
      data: e.data,
      bias: e.bias,
      groups: e.attributes.group,
      // The per-layer functional check assumes symmetric pads; the runtime check covers the whole model.
      settings: {
        ...chosen,
        padding: { h: e.pads.top, w: e.pads.left },
        extra: { ...chosen.extra, parentStride: { h: e.attributes.strides[0], w: e.attributes.strides[1] }, functional: false },
      },
      ...(calibration ? { calibration } : {}),
    }];
  });
  entries.forEach((e, index) => {
    if (e.status === "planned" && e.sharesWith !== null && unsplit.has(e.sharesWith)) unsplit.add(index);
  });
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
  const calibrated = new Set(tasks.filter((t) => t.calibration !== undefined && byIndex.get(t.index)?.status === "ok").map((t) => t.index));
  return { model: { file, proto: surgery.proto }, entries, outcomes, splits, surgery, jobs: executor.jobs, shapes, plan: budget?.result ?? null, unsplit, calibrated };
}

/**
 * The input activations of every ungrouped Conv weight to be split (the first node reading it),
 * on every calibration sample, split into fitted and held-out samples (the last
 * max(1, floor(N / 4))). Grouped and depthwise Convs keep the kernel-space fit.
 */
async function captureConvInputs(model: OnnxModel, entries: readonly ConvEntry[], shapes: ModelShapes, c: CalibrationInputs): Promise<Map<number, CalibrationSet>> {
  const wanted = new Map<number, string>();
  const perSample = new Map<string, readonly number[]>();
  entries.forEach((e, index) => {
    if (e.status !== "planned" || e.sharesWith !== null || e.attributes.group !== 1) return;
    const x = e.node.input?.[0] ?? "";
    const dims = shapes.shapes.get(x)?.dims;
    if (dims === undefined || dims.length !== 4 || dims[0] !== 1) {
      throw new DecomposeError("E_ONNX", `--calibration-data: the input of Conv '${e.name}' has no known (1, c, h, w) shape${shapes.runtimeNote ? ` (${shapes.runtimeNote})` : ""}`, model.file);
    }
    wanted.set(index, x);
    perSample.set(x, dims);
  });
  const acts = await captureActivations(model.proto, perSample, c);
  const held = heldOutCount(c.samples);
  const out = new Map<number, CalibrationSet>();
  for (const [index, x] of wanted) {
    const t = acts.get(x)!;
    const [n, ch, h, w] = t.shape;
    const per = ch * h * w;
    out.set(index, {
      fit: { shape: [n - held, ch, h, w], data: t.data.subarray(0, (n - held) * per) },
      heldOut: { shape: [held, ch, h, w], data: t.data.subarray((n - held) * per) },
    });
  }
  return out;
}

/** The children's pads in the chosen layout; the target pad e = (k1 + k2 - 1 - k) / 2 per axis, from the factors' shapes. */
function childPads(e: PlannedConv, x: LayerOutcome & { status: "ok" }, layout: "exact" | "same"): NodeSplit["pads"] {
  const targetPad = { h: (x.f1.shape[2] + x.f2.shape[2] - 1 - e.shape[2]) / 2, w: (x.f1.shape[3] + x.f2.shape[3] - 1 - e.shape[3]) / 2 };
  if (layout === "same") return sameChildPads(e.pads, { h: x.f1.shape[2], w: x.f1.shape[3] }, targetPad, e.attributes.dilations);
  return exactChildPads(e.pads, targetPad, e.attributes.dilations);
}

/** (h, w) of the 4-D tensors whose shapes are known (for auto_pad SAME with a stride above 1). */
function spatialSizes(s: ModelShapes): Map<string, readonly [number, number]> {
  const m = new Map<string, readonly [number, number]>();
  for (const [name, k] of s.shapes) if (k.dims.length === 4) m.set(name, [k.dims[2]!, k.dims[3]!]);
  return m;
}

function strictError(file: string, name: string, reason: string): DecomposeError {
  return new DecomposeError("E_SKIPPED", `node '${name}' cannot be split (--strict): ${reason}`, file);
}
