/**
 * A whole ONNX model from the command line: read and validate (the model, --calibration-data)
 * -> the Convs' shapes (model-shapes.ts) -> decomposeOnnx (capture activations, budget plan,
 * split on the batch executor, rewrite the graph) -> run parent and result in ONNX Runtime
 * (verify.ts; on the held-out real samples too, verify-samples.ts) -> write
 * `<stem>.decomposed.onnx` (and --report) in one atomic write -> NDJSON (plan lines first) or
 * tables.
 */
import { existsSync, mkdirSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { STDIN } from "../batch/dump.js";
import { parameterCounts, type LayerOutcome, type LayerTask } from "../batch/layer.js";
import { progressBar } from "../batch/progress.js";
import { LAYER_SCHEMA, ndjsonLine, type LayerRecord } from "../batch/records.js";
import { summarise, type BatchIo, type BatchOptions } from "../batch/run.js";
import { renderTable } from "../batch/table.js";
import { renderPlanTable } from "../batch/budget.js";
import { readCalibrationInputs, type CalibrationInputs } from "./calibration-inputs.js";
import { describeShapeSources, modelShapes, type ModelShapes } from "./model-shapes.js";
import { loadRuntime } from "./runtime.js";
import { verifyOnSamples, type SampleDeviation } from "./verify-samples.js";
import { DecomposeError } from "../errors.js";
import { readFileBytes, type FileToWrite } from "../io/files.js";
import { fileManifestPath } from "../io/manifest.js";
import { writeOutputSets } from "../io/output-sets.js";
import { padsList } from "./conv-node.js";
import type { ConvEntry } from "./conv-plan.js";
import { modelCounts, type ModelCounts } from "./counts.js";
import { decomposeOnnx } from "./decompose-onnx.js";
import { graphInputs, type GraphInput } from "./inputs.js";
import { readOnnx, writeOnnx, type OnnxModel } from "./onnx.js";
import type { OnnxLayerRecord, OnnxSummaryRecord } from "./records.js";
import { renderVerify } from "./render.js";
import type { NodeSplit, SurgeryResult } from "./surgery.js";
import { runtimeParseError, verifyModels, type VerifyResult } from "./verify.js";

export interface OnnxRunOptions extends BatchOptions {
  /** Run the end-to-end check (default on when the runtime loads). */
  readonly verify: boolean;
  readonly inputShapes: ReadonlyMap<string, readonly number[]>;
  /** Exit 1 when an output's relative deviation is above this. */
  readonly maxDeviation?: number;
  /** `--calibration-data`: real model inputs (N, ...) to capture every Conv's input activations from. */
  readonly calibrationData?: string;
}

export async function runOnnx(file: string, o: OnnxRunOptions, io: BatchIo, stdinBytes?: Uint8Array): Promise<number> {
  const started = performance.now();
  const bytes = file === STDIN ? (stdinBytes ?? io.readStdin()) : readFileBytes(file);
  const model = readOnnx(bytes, file);
  if (o.verify) {
    const parse = await runtimeParseError(bytes);
    if (parse !== null) throw new DecomposeError("E_ONNX", `not an ONNX model, or a corrupt one (ONNX Runtime: ${parse})`, file);
  }
  // Calibration samples and the runtime they need, before any work.
  if (file === STDIN && o.calibrationData === STDIN) throw new DecomposeError("E_OPTION", "the model and --calibration-data cannot both come from stdin (-)");
  const calibration: CalibrationInputs | null = o.calibrationData === undefined ? null : readCalibrationInputs(o.calibrationData, model, io.readStdin);
  if (calibration !== null) {
    const rt = await loadRuntime();
    if (!rt.ok) throw new DecomposeError("E_OPTION", `--calibration-data needs onnxruntime-node (it runs the model to capture each Conv's input): ${rt.reason}`, o.calibrationData);
  }
  // Shapes first, so a symbolic input without --input-shape fails before any work; the
  // calibration samples fix the dims they have.
  const overrides = new Map(o.inputShapes);
  for (const c of calibration?.inputs ?? []) if (!overrides.has(c.name)) overrides.set(c.name, c.dims);
  const inputs = o.verify || calibration !== null ? graphInputs(model, overrides) : tryInputs(model, overrides);
  const shapes = await modelShapes(model.proto, inputs, { seed: o.settings.seed });
  const outDir = o.outDir ?? (file === STDIN ? "." : dirname(file));
  const stem = file === STDIN ? "stdin" : basename(file, extname(file).toLowerCase() === ".onnx" ? extname(file) : "");
  const outPath = join(outDir, `${stem}.decomposed.onnx`);
  // Fail before the work, not after it; writeFilesAtomic checks again when it writes.
  if (!o.force) for (const p of [outPath, fileManifestPath(outPath), ...(o.report ? [o.report] : [])]) if (existsSync(p)) throw new DecomposeError("E_EXISTS", "exists (use --force to replace it)", p);

  const stream = o.quiet ? null : io.progress;
  const d = await decomposeOnnx(model, {
    settings: o.settings,
    ...(o.select ? { select: o.select } : {}),
    ...(o.exclude ? { exclude: o.exclude } : {}),
    strict: o.strict,
    jobs: o.jobs,
    inputs,
    shapes,
    ...(o.budget ? { budget: o.budget } : {}),
    ...(calibration ? { calibration } : {}),
    ...(stream ? { progress: (tasks: readonly LayerTask[]) => progressBar(tasks.length, new Map(tasks.map((t) => [t.index, t.name])), stream) } : {}),
  });
  const { entries, outcomes, splits, surgery } = d;
  const out = writeOnnx(surgery.proto);
  const hasDouble = entries.some((e) => e.status === "planned" && e.dtype === "DOUBLE");
  const verify: VerifyResult | null = o.verify ? await verifyModels(bytes, out, { inputs, seed: o.settings.seed, hasDouble }) : null;
  const onSamples: SampleDeviation | null = calibration !== null && verify?.status === "ok" ? await verifyOnSamples(bytes, out, calibration) : null;
  const after = await modelShapes(surgery.proto, inputs, { seed: o.settings.seed, known: shapes.shapes });

  const records = entries.map((e, index) => record(e, index, file, outcomes.get(index), splits, surgery.names, outPath, o, d.unsplit.has(index), calibration !== null));
  const norms = new Map([...outcomes.values()].flatMap((x) => (x.status === "ok" ? [[x.index, x.summary.targetNorm] as const] : [])));
  const files: FileToWrite[] = [{ path: outPath, bytes: out }];
  const base = summarise(records, norms, [file], files, 0, o, d.jobs, (performance.now() - started) / 1000, d.unsplit);
  const above = verify?.status === "ok" && o.maxDeviation !== undefined ? verify.outputs.filter((d) => !(d.rel <= o.maxDeviation!)).map((d) => d.name) : [];
  const summary: OnnxSummaryRecord = {
    ...base,
    model: {
      before: modelCounts(model.proto, elements(shapes)),
      after: modelCounts(surgery.proto, elements(after)),
      removed: surgery.removed,
      shapes: { sources: shapes.sources, unknown: shapes.unknown, runtimeNote: shapes.runtimeNote },
    },
    calibration: calibration === null ? null : { file: calibration.file, samples: calibration.samples, calibrated: d.calibrated.size, heldOut: onSamples },
    verify,
    aboveMaxDeviation: above,
  };
  const planLines = d.plan ? [...d.plan.records, d.plan.summary].map((r) => JSON.stringify(r) + "\n").join("") : "";
  const ndjson = planLines + [...records, summary].map(ndjsonLine).join("");
  const report = o.report ? { path: o.report, bytes: new TextEncoder().encode(ndjson) } : undefined;
  mkdirSync(outDir, { recursive: true });
  writeOutputSets([{ manifest: fileManifestPath(outPath), files }], report, { force: o.force, protect: file === STDIN ? [] : [resolve(file)] });

  if (o.json) io.stdout(ndjson);
  else if (!o.quiet) io.stdout((d.plan ? renderPlanTable(d.plan.records, d.plan.summary, io.chalk) : "") + renderTable(records, base, io.chalk) + renderVerify(summary, describeShapeSources(shapes), io.chalk));
  if (verify !== null && verify.status !== "ok" && !o.json) io.stderr(`decompose-filter: ${file}: ${verify.status === "failed" ? "runtime check failed" : "not checked end to end"}: ${verify.reason}\n`);
  for (const name of base.aboveMaxResidual) {
    const r = records.find((x) => `${x.input}:${x.name}` === name);
    io.stderr(`decompose-filter: ${name}: relative residual ${r?.residual?.rel.toExponential(3)} is above --max-residual ${o.maxResidual}\n`);
  }
  if (verify?.status === "ok") {
    for (const d of verify.outputs.filter((x) => above.includes(x.name))) {
      io.stderr(`decompose-filter: ${file}: output '${d.name}' deviates by ${d.rel.toExponential(3)} relative to max |output|, above --max-deviation ${o.maxDeviation}\n`);
    }
  }
  return base.aboveMaxResidual.length > 0 || above.length > 0 || verify?.status === "failed" ? 1 : 0;
}




/** Element counts of every tensor whose shape is known (counts.ts reads the Conv outputs). */
function elements(s: ModelShapes): Map<string, number> {
  return new Map([...s.shapes].map(([n, k]) => [n, k.dims.reduce((a, b) => a * b, 1)]));
}

function tryInputs(model: OnnxModel, overrides: ReadonlyMap<string, readonly number[]>): GraphInput[] {
  try {
    return graphInputs(model, overrides);
  } catch {
    return [];
  }
}




function record(
  e: ConvEntry,
  index: number,
  input: string,
  x: LayerOutcome | undefined,
  splits: readonly NodeSplit[],
  names: SurgeryResult["names"],
  outPath: string,
  o: OnnxRunOptions,
  unsplit: boolean,
  calibrated: boolean,
): OnnxLayerRecord {
  const planned = e.status === "planned" ? e : null;
  const shared = planned !== null && planned.sharesWith !== null;
  const s = x?.status === "ok" ? x.summary : null;
  const split = splits.find((p) => p.nodeIndex === e.nodeIndex);
  const n = names.get(e.nodeIndex);
  const reason = e.status === "skipped" ? e.reason : x?.status === "skipped" ? x.reason : unsplit ? "left unsplit by the budget plan" : null;
  const own = s !== null && !shared;
  const base: LayerRecord = {
    schema: LAYER_SCHEMA,
    type: "layer",
    index,
    input,
    name: e.name,
    status: s ? "ok" : "skipped",
    reason,
    parent: { shape: [...e.shape], dtype: e.dtype, groups: planned?.attributes.group ?? null, groupsInferred: false, bias: planned ? (e.node.input?.[2] || null) : null, padding: null },
    filters: s?.filters ?? null,
    // The children's real ONNX pads (asymmetric, dilated) are in the onnx member below.
    layout: null,
    f1: s ? { shape: [...s.f1.shape], groups: s.groups, padding: null } : null,
    f2: s ? { shape: [...s.f2.shape], groups: s.groups, padding: null, bias: (e.node.input?.[2] ?? "") !== "" } : null,
    method: o.settings.method,
    iterations: own ? s.iterations : null,
    stopReason: own ? s.stopReason : null,
    trace: own ? s.trace : [],
    residual: own ? s.residual : null,
    floor: own ? s.floor : null,
    functional: null,
    params: own && planned ? parameterCounts(planned.shape, s.f1.shape, s.f2.shape) : null,
    time: own ? { seconds: s.seconds, flops: s.flops } : null,
    linalg: own ? (s.linalg ?? null) : null,
    outputs: n ? { file: outPath, f1: n.w1, f2: n.w2, bias: s && (e.node.input?.[2] ?? "") !== "" ? e.node.input![2]! : null } : null,
    ...(calibrated ? { calibration: own ? (s.calibration ?? null) : null } : {}),
  };
  return {
    ...base,
    onnx: {
      node: e.name,
      opType: e.opType,
      weight: e.weight,
      sharesWeightWith: shared ? (planned.sharesWith === null ? null : planned.sharesWith) : null,
      parent: planned ? { pads: padsList(planned.pads), autoPad: planned.attributes.autoPad, strides: [...planned.attributes.strides], dilations: [...planned.attributes.dilations], group: planned.attributes.group } : null,
      f1: split && n ? { node: n.f1, output: n.mid, pads: padsList(split.pads.f1), strides: [1, 1] } : null,
      f2: split && n ? { node: n.f2, pads: padsList(split.pads.f2), strides: planned ? [...planned.attributes.strides] : [1, 1] } : null,
    },
  };
}

export type { ModelCounts };
