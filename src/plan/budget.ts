/**
 * `--budget r`: one plan for a whole set of layers. Curves first (curves.ts: closed forms and
 * floors, solver runs only where they can change the choice), then one allocation across layers
 * (allocation.ts) under sum cost <= r x the parents' cost. A grouped (or `fixed`) layer has only
 * its unsplit option (it counts at full size).
 */
import { DecomposeError } from "../errors.js";
import { quoted } from "../io/quote.js";
import type { Shape4, Size2 } from "../geometry/tensor.js";
import { allocate, minimumCost, type AllocLayer, type Objective } from "./allocation.js";
import { candidateParams, layerCandidates, parentParams, type GeometryName } from "./candidates.js";
import type { ConvSite } from "./conv-site.js";
import { layerCurve, layerFlops, type CostKind, type CurveSettings, type LayerCurve, type LayerOption } from "./curves.js";

export interface BudgetLayer {
  readonly name: string;
  readonly shape: Shape4;
  readonly data: Float64Array;
  readonly groups: number;
  readonly inputSize: Size2 | null;
  /** Where the layer runs, when known more precisely than inputSize (ONNX nodes); used for FLOPs. */
  readonly sites?: readonly ConvSite[] | null;
  /** Counted at full size and never split (an ONNX ConvTranspose), like a grouped layer. */
  readonly fixed?: boolean;
}

export interface BudgetSpec {
  readonly ratio: number;
  readonly of: CostKind;
  readonly objective: Objective;
  /** --k1/--k2: one geometry for every layer (a size not given is the parent's). */
  readonly pinned?: { readonly k1?: Size2; readonly k2?: Size2 };
  readonly fractions?: readonly number[];
  /** Bisection rounds on the chosen solver geometries (default 3). */
  readonly refineRounds?: number;
  readonly solve: CurveSettings["solve"];
}

export interface PlannedOption {
  readonly layer: number;
  readonly option: LayerOption;
  readonly normSq: number;
  readonly parentParams: number;
  readonly parentFlops: number | null;
}

export interface BudgetPlan {
  readonly layers: readonly PlannedOption[];
  readonly parentCost: number;
  readonly cost: number;
  /** Predicted sqrt(sum ||E||^2 / sum ||T||^2) over all the plan's layers (unsplit ones add 0). */
  readonly residualRel: number;
  readonly maxRel: number;
  readonly minimumRatio: number;
  readonly solverRuns: number;
  readonly seconds: number;
}

export function planBudget(layers: readonly BudgetLayer[], spec: BudgetSpec, file?: string): BudgetPlan {
  const started = performance.now();
  if (spec.of === "flops") {
    const missing = layers.find((l) => l.inputSize === null && (l.sites ?? null) === null);
    if (missing) {
      throw new DecomposeError(
        "E_OPTION",
        `--budget-of flops needs the feature-map size of layer ${quoted(missing.name)}: give --input-size HxW (all layers) or PATTERN=HxW`,
        file,
      );
    }
  }
  // Refuse a budget no plan can meet before any solver runs: no option of a layer costs less than
  // its cheapest candidate at m = 1 (or the parent, unsplit), so the sum of those is a lower bound
  // on every plan's cost. (The allocation below checks the options it actually has.)
  const floorCost = lowestPlanCost(layers, spec);
  if (floorCost.parent > 0 && spec.ratio * floorCost.parent < floorCost.lowest) {
    throw new DecomposeError(
      "E_OPTION",
      `--budget ${spec.ratio} is below what the smallest splits reach: the minimum is ${ceil4(floorCost.lowest / floorCost.parent)} of the parents' ${spec.of} (every layer at m = 1 of its cheapest geometry)`,
      file,
    );
  }
  const curves: LayerCurve[] = layers.map((l) => {
    const parent = { shape: l.shape, data: l.data };
    if (l.groups !== 1 || l.fixed === true) {
      // Grouped or fixed: left unsplit (the curve's unsplit option alone).
      const full = layerCurve(parent, { cost: spec.of, inputSize: l.inputSize, sites: l.sites ?? null, solve: spec.solve, fractions: [] });
      return { ...full, options: full.options.slice(0, 1), solverRuns: 0, refine: () => false };
    }
    return layerCurve(parent, {
      cost: spec.of,
      inputSize: l.inputSize,
      sites: l.sites ?? null,
      solve: spec.solve,
      ...(spec.pinned ? { pinned: pinnedSizes(l.shape, spec.pinned) } : {}),
      ...(spec.fractions ? { fractions: spec.fractions } : {}),
    });
  });
  const costOf = (o: LayerOption): number => (spec.of === "params" ? o.params : o.flops!);
  const allocLayers = (): AllocLayer[] => curves.map((c) => ({ normSq: c.normSq, options: c.options.map((o) => ({ cost: costOf(o), errSq: o.errSq })) }));
  const parentCost = curves.reduce((s, c) => s + costOf(c.options[0]!), 0);
  const minimumRatio = parentCost > 0 ? minimumCost(allocLayers()) / parentCost : 1;
  let result = allocate(allocLayers(), spec.ratio * parentCost, spec.objective);
  // Bisection on the solver geometries the plan picked: solve the midpoints towards the nearest
  // solved m on each side (or 1 / the geometry's last useful m), re-allocate, a few rounds.
  for (let round = 0; result !== null && round < (spec.refineRounds ?? 3); round++) {
    let added = false;
    result.choice.forEach((j, i) => {
      const c = curves[i]!;
      const o = c.options[j]!;
      if (o.source !== "solver" || o.m === null) return;
      const solved = c.options.filter((x) => x.geometry === o.geometry && x.m !== null).map((x) => x.m!);
      const below = Math.max(0, ...solved.filter((m) => m < o.m!));
      const above = Math.min(2 * o.m, ...solved.filter((m) => m > o.m!));
      for (const m of new Set([Math.floor((o.m + below) / 2), Math.ceil((o.m + above) / 2)])) {
        if (m !== o.m && c.refine(o.geometry as GeometryName, m)) added = true;
      }
    });
    if (!added) break;
    result = allocate(allocLayers(), spec.ratio * parentCost, spec.objective);
  }
  if (result === null) {
    throw new DecomposeError(
      "E_OPTION",
      `--budget ${spec.ratio} is below what the smallest splits reach: the minimum is ${ceil4(minimumRatio)} of the parents' ${spec.of} (every layer at m = 1 of its cheapest geometry)`,
      file,
    );
  }
  const totalNormSq = curves.reduce((s, c) => s + c.normSq, 0);
  return {
    layers: result.choice.map((j, layer) => ({
      layer,
      option: curves[layer]!.options[j]!,
      normSq: curves[layer]!.normSq,
      parentParams: curves[layer]!.parentParams,
      parentFlops: curves[layer]!.parentFlops,
    })),
    parentCost,
    cost: result.cost,
    residualRel: totalNormSq > 0 ? Math.sqrt(result.errSq / totalNormSq) : 0,
    maxRel: result.maxRel,
    minimumRatio,
    solverRuns: curves.reduce((s, c) => s + c.solverRuns, 0),
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * The parents' total cost and a lower bound on any plan's: per layer, its cheapest candidate at
 * m = 1 or itself, costed as the curves cost them (curves.ts: per site for ONNX nodes, else on the
 * layer's input size).
 */
function lowestPlanCost(layers: readonly BudgetLayer[], spec: BudgetSpec): { parent: number; lowest: number } {
  let parent = 0;
  let lowest = 0;
  for (const l of layers) {
    const flops = spec.of === "flops" ? layerFlops(l.shape, l.inputSize, l.sites ?? null)! : null;
    const full = flops ? flops.parent : parentParams(l.shape);
    parent += full;
    let cheapest = full;
    if (l.groups === 1 && l.fixed !== true) {
      for (const c of layerCandidates(l.shape, spec.pinned ? pinnedSizes(l.shape, spec.pinned) : undefined)) {
        if (c.mMax > 1) cheapest = Math.min(cheapest, flops ? flops.children(c.k1, c.k2, 1) : candidateParams(l.shape, c, 1));
      }
    }
    lowest += cheapest;
  }
  return { parent, lowest };
}

function pinnedSizes(shape: Shape4, p: { readonly k1?: Size2; readonly k2?: Size2 }): { k1: Size2; k2: Size2 } {
  const k: Size2 = { h: shape[2], w: shape[3] };
  return { k1: p.k1 ?? k, k2: p.k2 ?? k };
}

/** Round up to 4 significant digits (a minimum stated must be reachable). */
function ceil4(x: number): string {
  const p = 10 ** (3 - Math.floor(Math.log10(x)));
  return String(Math.ceil(x * p) / p);
}
