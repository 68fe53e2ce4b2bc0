/**
 * A batch run: several inputs (dumps) -> plan the layers -> split them on an executor -> write
 * every output at once -> report (NDJSON or table). Used by the CLI for anything but a single
 * `.npy` input; everything here is importable and takes its I/O through `BatchIo`.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ChalkInstance } from "chalk";
import { DecomposeError } from "../errors.js";
import type { FileToWrite } from "../io/files.js";
import { factorSetManifestPath, fileManifestPath } from "../io/manifest.js";
import { writeOutputSets, type OutputSet } from "../io/output-sets.js";
import type { NpyDtype } from "../io/npy.js";
import { checkOutputFileDirectory, prepareOutputDirectory } from "../io/out-dir.js";
import { errorLine, quoted } from "../io/quote.js";
import { loadDump, STDIN, type Dump, type DumpArray } from "./dump.js";
import { serialLayerExecutor, type LayerExecutor } from "./executor.js";
import { loadCalibration } from "./calibration.js";
import { budgetPlan, renderPlanTable, type BudgetOptions, type BudgetResult } from "./budget.js";
import { formatFiltersSpec } from "./filters.js";
import { parameterCounts, type LayerOutcome, type LayerSettings, type LayerTask } from "./layer.js";
import { dumpOutputs, outputDirectory, type LayerOutputs, type SplitLayer } from "./outputs.js";
import { noProgress, progressBar } from "./progress.js";
import { LAYER_SCHEMA, ndjsonLine, SUMMARY_SCHEMA, type LayerRecord, type SummaryRecord } from "./records.js";
import { planLayers, type PlanEntry, type PlannedLayer } from "./select.js";
import { renderTable } from "./table.js";
import { workerLayerExecutor, workersAvailable } from "./workers.js";

export interface BatchOptions {
  readonly settings: LayerSettings;
  readonly select?: RegExp;
  readonly exclude?: RegExp;
  readonly groups: number | "auto";
  readonly onlyDecomposed: boolean;
  readonly strict: boolean;
  /** Layers in parallel (worker threads); 1 runs them on this thread. */
  readonly jobs: number;
  readonly outDir?: string;
  readonly dtype?: NpyDtype;
  readonly json: boolean;
  readonly report?: string;
  readonly maxResidual?: number;
  readonly force: boolean;
  readonly quiet: boolean;
  /** `--calibration acts.npz`: fit each layer that has activations there to them (batch/calibration.ts). */
  readonly calibration?: string;
  /** `--budget`: a plan chooses each layer's geometry and m (src/plan/); `settings.filters` is then unused. */
  readonly budget?: BudgetOptions;
}

export interface BatchIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Uint8Array;
  /** Where the progress bar draws (a TTY), or null for none. */
  readonly progress: NodeJS.WritableStream | null;
  readonly chalk: ChalkInstance;
}

/** Run; returns the exit code. User errors are thrown as DecomposeError (the CLI prints them). */
export async function runBatch(inputs: readonly string[], o: BatchOptions, io: BatchIo): Promise<number> {
  const started = performance.now();
  if (inputs.filter((f) => f === STDIN).length > 1) throw new DecomposeError("E_OPTION", "'-' (stdin) can be given only once");
  const dumps = inputs.map((f) => loadDump(f, io.readStdin));
  const plan = planLayers(dumps, {
    ...(o.select ? { select: o.select } : {}),
    ...(o.exclude ? { exclude: o.exclude } : {}),
    groups: o.groups,
    explicitSizes: o.budget !== undefined || o.settings.k1 !== undefined || o.settings.k2 !== undefined,
  });
  const file = (e: PlanEntry): string => dumps[e.dump]!.file;
  if (o.strict) {
    const s = plan.entries.find((e) => e.status === "skipped");
    if (s && s.status === "skipped") throw strictError(file(s), s.array.name, s.reason);
  }
  prepareOutputDirectories(dumps, plan.entries, o);
  if (!o.force) checkNoOutputsExist(dumps, plan.entries, o);

  const candidates = plan.entries.flatMap((e, index) => (e.status === "planned" ? [{ e, index }] : []));
  const budget: BudgetResult | null = o.budget
    ? budgetPlan(candidates.map(({ e, index }) => ({ index, input: file(e), name: e.array.name, shape: e.shape, data: e.data, groups: e.groups })), o.settings, o.budget)
    : null;
  // With a budget, the layers the plan leaves unsplit are not split (and are copied through).
  const unsplit = new Set(budget ? candidates.filter((_, j) => budget.settings[j] === null).map(({ index }) => index) : []);
  const planned = candidates.filter(({ index }) => !unsplit.has(index));
  const acts = o.calibration === undefined ? new Map() : loadCalibration(o.calibration, candidates.map(({ e }) => e), io.readStdin);
  const tasks: LayerTask[] = candidates.flatMap(({ e, index }, j) => {
    if (unsplit.has(index)) return [];
    const calibration = acts.get(e);
    return [{ index, name: e.array.name, shape: e.shape, data: e.data, bias: e.biasData, groups: e.groups, settings: budget?.settings[j] ?? o.settings, ...(calibration ? { calibration } : {}) }];
  });
  const executor: LayerExecutor =
    o.jobs > 1 && tasks.length > 1 && workersAvailable() ? workerLayerExecutor(Math.min(o.jobs, tasks.length)) : serialLayerExecutor;
  const names = new Map(tasks.map((t) => [t.index, t.name]));
  const progress = io.progress && !o.quiet && tasks.length > 0 ? progressBar(tasks.length, names, io.progress) : noProgress;
  let outcomes: LayerOutcome[];
  try {
    outcomes = await executor.run(tasks, (ev) => progress.event(ev));
  } finally {
    progress.stop();
    await executor.dispose();
  }
  const byIndex = new Map(outcomes.map((x) => [x.index, x]));
  if (o.strict) {
    const bad = outcomes.find((x) => x.status === "skipped");
    if (bad && bad.status === "skipped") {
      const e = plan.entries[bad.index]!;
      throw strictError(file(e), e.array.name, bad.reason);
    }
  }

  // Outputs, all in one atomic write.
  const split = new Map<DumpArray, SplitLayer>();
  for (const { e, index } of planned) {
    const x = byIndex.get(index);
    if (x?.status === "ok") split.set(e.array, { f1: x.f1, f2: x.f2, bias: x.bias, biasArray: e.bias, summary: x.summary });
  }
  const files: FileToWrite[] = [];
  const sets: OutputSet[] = [];
  const layerOutputs = new Map<DumpArray, LayerOutputs>();
  let copied = 0;
  for (const d of dumps) {
    const out = dumpOutputs(d, split, o);
    files.push(...out.files);
    sets.push({ manifest: out.manifest, files: out.files });
    out.layers.forEach((v, k) => layerOutputs.set(k, v));
    copied += out.copied;
  }

  const records = plan.entries.map((e, index) =>
    layerRecord(e, index, file(e), byIndex.get(index), layerOutputs.get(e.array), o, unsplit.has(index) ? "left unsplit by the budget plan" : null),
  );
  const norms = new Map(outcomes.flatMap((x) => (x.status === "ok" ? [[x.index, x.summary.targetNorm] as const] : [])));
  const summary = summarise(records, norms, dumps.map((d) => d.file), files, copied, o, executor.jobs, (performance.now() - started) / 1000, unsplit);
  const planLines = budget ? [...budget.records, budget.summary].map((r) => JSON.stringify(r) + "\n").join("") : "";
  const ndjson = planLines + [...records, summary].map(ndjsonLine).join("");
  const report = o.report ? { path: o.report, bytes: new TextEncoder().encode(ndjson) } : undefined;
  const protect = dumps.filter((d) => d.file !== STDIN).map((d) => resolve(d.file));
  writeOutputSets(sets, report, { force: o.force, protect });

  if (plan.entries.length === 0 && !o.quiet) io.stderr(errorLine(inputs.join(", "), "no 4-D arrays to split"));
  if (o.json) io.stdout(ndjson);
  else if (!o.quiet) io.stdout((budget ? renderPlanTable(budget.records, budget.summary, io.chalk) : "") + renderTable(records, summary, io.chalk));
  for (const name of summary.aboveMaxResidual) {
    const r = records.find((x) => `${x.input}:${x.name}` === name);
    io.stderr(errorLine(name, `relative residual ${r?.residual?.rel.toExponential(3)} is above --max-residual ${o.maxResidual}`));
  }
  return summary.aboveMaxResidual.length > 0 ? 1 : 0;
}

function strictError(file: string, name: string, reason: string): DecomposeError {
  return new DecomposeError("E_SKIPPED", `layer ${quoted(name)} cannot be split (--strict): ${reason}`, file);
}

/** Check (and create) every directory the run will write into, before the work. */
function prepareOutputDirectories(dumps: readonly Dump[], entries: readonly PlanEntry[], o: BatchOptions): void {
  if (o.outDir !== undefined) prepareOutputDirectory(o.outDir);
  dumps.forEach((d, i) => {
    const writes = d.format !== "npy" || entries.some((e) => e.dump === i && e.status === "planned");
    if (writes && o.outDir === undefined) prepareOutputDirectory(outputDirectory(d, o));
  });
  if (o.report) checkOutputFileDirectory(o.report);
}

/** Fail before the work when an output exists (writeFilesAtomic checks again when it writes). */
function checkNoOutputsExist(dumps: readonly Dump[], entries: readonly PlanEntry[], o: BatchOptions): void {
  const paths: string[] = o.report ? [o.report] : [];
  dumps.forEach((d, i) => {
    const dir = outputDirectory(d, o);
    if (d.format === "npz" || d.format === "safetensors") {
      const out = join(dir, `${d.stem}.decomposed.${d.format}`);
      paths.push(out, fileManifestPath(out));
    } else if (entries.some((e) => e.dump === i && e.status === "planned")) {
      paths.push(join(dir, `${d.stem}.f1.npy`), join(dir, `${d.stem}.f2.npy`), factorSetManifestPath(dir, d.stem));
    }
  });
  for (const p of paths) if (existsSync(p)) throw new DecomposeError("E_EXISTS", "exists (use --force to replace it)", p);
}

function layerRecord(
  e: PlanEntry,
  index: number,
  input: string,
  x: LayerOutcome | undefined,
  outputs: LayerOutputs | undefined,
  o: BatchOptions,
  unsplitReason: string | null,
): LayerRecord {
  const planned: PlannedLayer | null = e.status === "planned" ? e : null;
  const s = x?.status === "ok" ? x.summary : null;
  const reason = e.status === "skipped" ? e.reason : x?.status === "skipped" ? x.reason : unsplitReason;
  return {
    schema: LAYER_SCHEMA,
    type: "layer",
    index,
    input,
    name: e.array.name,
    status: s ? "ok" : "skipped",
    reason,
    parent: {
      shape: [...e.array.shape],
      dtype: e.array.dtype,
      groups: planned?.groups ?? null,
      groupsInferred: planned?.groupsInferred ?? false,
      bias: planned?.bias?.name ?? null,
      padding: s?.parentPadding ?? null,
    },
    filters: s?.filters ?? null,
    f1: s ? { shape: [...s.f1.shape], groups: s.groups, padding: s.f1.padding } : null,
    f2: s ? { shape: [...s.f2.shape], groups: s.groups, padding: s.f2.padding, bias: planned?.biasData != null } : null,
    layout: s?.layout ?? null,
    method: s?.method ?? o.settings.method,
    iterations: s?.iterations ?? null,
    stopReason: s?.stopReason ?? null,
    trace: s?.trace ?? [],
    residual: s ? s.residual : null,
    floor: s ? s.floor : null,
    functional: s?.functional ?? null,
    params: s && planned ? parameterCounts(planned.shape, s.f1.shape, s.f2.shape) : null,
    time: s ? { seconds: s.seconds, flops: s.flops } : null,
    linalg: s?.linalg ?? null,
    outputs: outputs ?? null,
    ...(o.calibration !== undefined ? { calibration: s?.calibration ?? null } : {}),
  };
}

/** The summary record of a run: totals over the split layers (shared with the ONNX runner). */
export function summarise(
  records: readonly LayerRecord[],
  norms: ReadonlyMap<number, number>,
  inputs: readonly string[],
  files: readonly FileToWrite[],
  copied: number,
  o: Pick<BatchOptions, "settings" | "maxResidual" | "budget">,
  jobs: number,
  seconds: number,
  unsplit: ReadonlySet<number>,
): SummaryRecord {
  let absSq = 0, tSq = 0, maxRel = 0, layerSeconds = 0, parent = 0, children = 0;
  let maxRelLayer: string | null = null;
  const above: string[] = [];
  for (const r of records) {
    if (r.status !== "ok" || r.residual === null) continue;
    const t = norms.get(r.index) ?? 0;
    absSq += r.residual.abs ** 2;
    tSq += t * t;
    if (r.residual.rel >= maxRel) {
      maxRel = r.residual.rel;
      maxRelLayer = r.name;
    }
    layerSeconds += r.time?.seconds ?? 0;
    parent += r.params?.parent ?? 0;
    children += r.params?.children ?? 0;
    if (o.maxResidual !== undefined && r.residual.rel > o.maxResidual) above.push(`${r.input}:${r.name}`);
  }
  return {
    schema: SUMMARY_SCHEMA,
    type: "summary",
    inputs: [...inputs],
    outputs: files.map((f) => f.path),
    layers: records.length,
    decomposed: records.filter((r) => r.status === "ok").length,
    skipped: records.filter((r) => r.status === "skipped").length,
    copied,
    filters: o.budget ? `budget ${o.budget.ratio} of ${o.budget.of}` : formatFiltersSpec(o.settings.filters),
    ...(o.budget ? { unsplit: unsplit.size } : {}),
    params: { parent, children },
    residual: { rel: tSq > 0 ? Math.sqrt(absSq / tSq) : 0, maxRel, maxRelLayer },
    jobs,
    time: { seconds, layerSeconds },
    aboveMaxResidual: above,
  };
}
