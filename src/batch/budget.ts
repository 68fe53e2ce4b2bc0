/**
 * `--budget` in a batch: the planned layers -> one budget plan (src/plan/) -> per-layer settings
 * (geometry and m) for the usual split machinery, plus the plan's NDJSON lines and table.
 * Plan line (`"schema": "decompose-filter/plan@1"`, `"type": "plan"`): one per candidate layer, in
 * input order; then one `"type": "plan-summary"` line (the budget used, solver runs, time).
 */
import type { ChalkInstance } from "chalk";
import { DecomposeError } from "../errors.js";
import type { Size2 } from "../geometry/tensor.js";
import type { Objective } from "../plan/allocation.js";
import { planBudget, type BudgetPlan } from "../plan/budget.js";
import { alsSolver, type CostKind } from "../plan/curves.js";
import { settingsToOptions, type LayerSettings } from "./layer.js";
import type { ConvSite } from "../plan/conv-site.js";
import type { Shape4 } from "../geometry/tensor.js";

export const PLAN_SCHEMA = "decompose-filter/plan@1";
export const PLAN_SUMMARY_SCHEMA = "decompose-filter/plan-summary@1";

/** `--input-size`: `HxW` for every layer, or `PATTERN=HxW` for names matching PATTERN (first match wins). */
export interface InputSizeRule {
  readonly pattern: RegExp | null;
  readonly size: Size2;
}

export interface BudgetOptions {
  readonly ratio: number;
  readonly of: CostKind;
  readonly objective: Objective;
  readonly inputSizes: readonly InputSizeRule[];
}

export interface PlanRecord {
  readonly schema: typeof PLAN_SCHEMA;
  readonly type: "plan";
  readonly index: number;
  readonly input: string;
  readonly name: string;
  readonly geometry: string;
  readonly k1: Size2 | null;
  readonly k2: Size2 | null;
  readonly m: number | null;
  readonly params: { readonly parent: number; readonly children: number };
  readonly flops: { readonly parent: number; readonly children: number } | null;
  /** Predicted by the plan: the closed form, or what the solver reached while planning. */
  readonly residual: { readonly abs: number; readonly rel: number };
  readonly floor: { readonly abs: number; readonly rel: number };
  readonly source: string;
}

export interface PlanSummaryRecord {
  readonly schema: typeof PLAN_SUMMARY_SCHEMA;
  readonly type: "plan-summary";
  readonly budget: number;
  readonly of: CostKind;
  readonly objective: Objective;
  readonly cost: { readonly parent: number; readonly planned: number; readonly ratio: number; readonly minimumRatio: number };
  readonly params: { readonly parent: number; readonly planned: number };
  readonly flops: { readonly parent: number; readonly planned: number } | null;
  /** Predicted sqrt(sum ||E||^2 / sum ||T||^2) over every planned layer (unsplit ones add 0), and the worst layer. */
  readonly residual: { readonly rel: number; readonly maxRel: number };
  readonly split: number;
  readonly unsplit: number;
  readonly solverRuns: number;
  readonly seconds: number;
}

export interface BudgetResult {
  readonly plan: BudgetPlan;
  /** Per planned-layer index (position in `layers`): the settings to split it with, or null (unsplit). */
  readonly settings: readonly (LayerSettings | null)[];
  readonly records: readonly PlanRecord[];
  readonly summary: PlanSummaryRecord;
}

export function inputSizeFor(name: string, rules: readonly InputSizeRule[]): Size2 | null {
  for (const r of rules) if (r.pattern !== null && r.pattern.test(name)) return r.size;
  return rules.find((r) => r.pattern === null)?.size ?? null;
}

/** One layer the plan sees: a dump's array or an ONNX model's Conv weight. */
export interface BudgetCandidate {
  /** Position in the run's records. */
  readonly index: number;
  readonly input: string;
  readonly name: string;
  /** (c_out, c_in / groups, kh, kw) */
  readonly shape: Shape4;
  readonly data: Float64Array;
  readonly groups: number;
  /** Where it runs (ONNX: from the graph's shapes); when given, --input-size is not consulted here. */
  readonly sites?: readonly ConvSite[] | null;
  /** Counted at full size, never split (ONNX ConvTranspose). */
  readonly fixed?: boolean;
}

export function budgetPlan(
  layers: readonly BudgetCandidate[],
  base: LayerSettings,
  b: BudgetOptions,
): BudgetResult {
  if (!(b.ratio > 0 && b.ratio <= 1)) throw new DecomposeError("E_OPTION", `--budget must be in (0, 1], got ${b.ratio}`);
  const { quality: _quality, ...options } = settingsToOptions(base);
  void _quality;
  const plan = planBudget(
    layers.map((l) => ({
      name: l.name,
      shape: l.shape,
      data: l.data,
      groups: l.groups,
      inputSize: l.sites ? null : inputSizeFor(l.name, b.inputSizes),
      sites: l.sites ?? null,
      ...(l.fixed ? { fixed: true } : {}),
    })),
    {
      ratio: b.ratio,
      of: b.of,
      objective: b.objective,
      solve: alsSolver(options),
      ...(base.k1 || base.k2 ? { pinned: { ...(base.k1 ? { k1: base.k1 } : {}), ...(base.k2 ? { k2: base.k2 } : {}) } } : {}),
    },
    layers.length === 1 ? layers[0]!.input : undefined,
  );
  const settings = plan.layers.map(({ option: o }): LayerSettings | null =>
    o.m === null || o.k1 === null || o.k2 === null ? null : { ...base, filters: { kind: "count", m: o.m }, k1: o.k1, k2: o.k2 },
  );
  const records = plan.layers.map((p, j): PlanRecord => {
    const o = p.option;
    const l = layers[j]!;
    const t = Math.sqrt(p.normSq);
    const split = o.m !== null;
    return {
      schema: PLAN_SCHEMA,
      type: "plan",
      index: l.index,
      input: l.input,
      name: l.name,
      geometry: o.geometry,
      k1: o.k1,
      k2: o.k2,
      m: o.m,
      params: { parent: p.parentParams, children: split ? o.params : p.parentParams },
      flops: p.parentFlops === null || o.flops === null ? null : { parent: p.parentFlops, children: o.flops },
      residual: { abs: Math.sqrt(o.errSq), rel: t > 0 ? Math.sqrt(o.errSq) / t : 0 },
      floor: { abs: Math.sqrt(o.floorSq), rel: t > 0 ? Math.sqrt(o.floorSq) / t : 0 },
      source: o.source,
    };
  });
  const sum = (f: (r: PlanRecord) => number): number => records.reduce((s, r) => s + f(r), 0);
  const haveFlops = records.every((r) => r.flops !== null);
  const summary: PlanSummaryRecord = {
    schema: PLAN_SUMMARY_SCHEMA,
    type: "plan-summary",
    budget: b.ratio,
    of: b.of,
    objective: b.objective,
    cost: { parent: plan.parentCost, planned: plan.cost, ratio: plan.parentCost > 0 ? plan.cost / plan.parentCost : 0, minimumRatio: plan.minimumRatio },
    params: { parent: sum((r) => r.params.parent), planned: sum((r) => r.params.children) },
    flops: haveFlops ? { parent: sum((r) => r.flops!.parent), planned: sum((r) => r.flops!.children) } : null,
    residual: { rel: plan.residualRel, maxRel: plan.maxRel },
    split: records.filter((r) => r.m !== null).length,
    unsplit: records.filter((r) => r.m === null).length,
    solverRuns: plan.solverRuns,
    seconds: plan.seconds,
  };
  return { plan, settings, records, summary };
}

const sci = (x: number): string => (x === 0 ? "0" : x.toExponential(3));
const kk = (s: Size2 | null): string => (s === null ? "" : `${s.h}x${s.w}`);

export function renderPlanTable(records: readonly PlanRecord[], s: PlanSummaryRecord, c: ChalkInstance): string {
  const head = ["layer", "geometry", "k1", "k2", "m", "params", "residual", "floor"];
  const rows = records.map((r) => [
    r.name,
    r.geometry,
    kk(r.k1),
    kk(r.k2),
    r.m === null ? "" : String(r.m),
    `${r.params.children}/${r.params.parent}`,
    sci(r.residual.rel),
    sci(r.floor.rel),
  ]);
  const width = head.map((h, j) => Math.max(h.length, ...rows.map((row) => row[j]!.length)));
  const right = new Set([4, 5, 6, 7]);
  const line = (cells: readonly string[]): string =>
    "  " + cells.map((x, j) => (right.has(j) ? x.padStart(width[j]!) : x.padEnd(width[j]!))).join("  ").trimEnd();
  const out = [c.bold(`budget plan: ${s.budget} of the parents' ${s.of}, objective ${s.objective}`), c.dim(line(head)), ...rows.map(line)];
  out.push(
    `  used ${(s.cost.ratio * 100).toFixed(1)}% of the parents' ${s.of} (${s.cost.planned} of ${s.cost.parent}; the minimum is ${(s.cost.minimumRatio * 100).toFixed(2)}%), ` +
      `predicted residual ${sci(s.residual.rel)} overall, worst ${sci(s.residual.maxRel)}; ${s.split} split, ${s.unsplit} unsplit; ` +
      `${s.solverRuns} solver run${s.solverRuns === 1 ? "" : "s"} to plan, ${s.seconds.toFixed(2)} s`,
  );
  return out.join("\n") + "\n";
}
