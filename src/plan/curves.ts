/**
 * One layer's options for the allocation: (cost, squared error) points, cheapest information first.
 *
 * - Matrix geometries (candidates.ts): the closed form gives ||E||^2 for every m at once
 *   (closed-form.ts); it is also that geometry's floor (the optimum).
 * - ALS geometries (`default`, `half`, `pinned`): the frequency floor (report/floor.ts) for every m
 *   at once, on the target padded to ke. A few m are proposed (children at 1/8 .. 3/4 of the
 *   parent's cost); an m whose floor is already no better than what a matrix geometry reaches at
 *   no more cost cannot win and is never solved. The rest run the solver once each (floor and
 *   functional check off) and enter with the residual reached, an upper bound on that
 *   geometry's optimum.
 * - Unsplit: the parent's full cost, error 0.
 * Only options cheaper than the parent are kept (anything else is dominated by leaving it unsplit).
 */
import { decompose } from "../decompose.js";
import { isHardGeometry } from "../quality/method-policy.js";
import { pad2d } from "../geometry/pad.js";
import { resolveGeometry } from "../geometry/shapes.js";
import { sumSquares, type Shape4, type Size2, type Tensor4 } from "../geometry/tensor.js";
import { frequencyFloorSquares } from "../report/floor.js";
import { candidateFlops, candidateParams, layerCandidates, parentFlops, parentParams, type Candidate, type GeometryName } from "./candidates.js";
import { truncatedSvdTails } from "./closed-form.js";
import { siteChildFlops, siteParentFlops, type ConvSite } from "./conv-site.js";

export type CostKind = "params" | "flops";

export interface LayerOption {
  readonly geometry: GeometryName | "unsplit";
  readonly k1: Size2 | null;
  readonly k2: Size2 | null;
  /** Middle channels (null: unsplit). */
  readonly m: number | null;
  readonly params: number;
  /** FLOPs on the layer's input size (null when none is known). */
  readonly flops: number | null;
  /** ||E||^2 of this option (closed form, or what the solver reached). */
  readonly errSq: number;
  /** A lower bound on ||E||^2 for this geometry and m (the optimum itself for matrix geometries). */
  readonly floorSq: number;
  readonly source: "closed-form" | "solver" | "unsplit";
}

export interface LayerCurve {
  /** ||W||^2 = ||T||^2 (zero padding adds nothing). */
  readonly normSq: number;
  readonly parentParams: number;
  readonly parentFlops: number | null;
  /** Options, the unsplit one first (refine() appends). */
  readonly options: readonly LayerOption[];
  /** Solver runs spent on this curve so far. */
  readonly solverRuns: number;
  /**
   * Solve one more m of a solver geometry (bisection between the points the plan brackets);
   * false when it is not worth a run (already solved, not cheaper than the parent, or its floor
   * no better than a closed form at no more cost).
   */
  refine(geometry: GeometryName, m: number): boolean;
}

export interface CurveSettings {
  readonly cost: CostKind;
  /** The layer's input feature map (needed for FLOPs; "same" padding, stride 1). */
  readonly inputSize: Size2 | null;
  /** Where the layer runs (ONNX nodes: pads, strides, dilations; one per node sharing the weight); replaces inputSize for FLOPs. */
  readonly sites?: readonly ConvSite[] | null;
  readonly pinned?: { readonly k1: Size2; readonly k2: Size2 };
  /** Fractions of the parent's cost at which ALS geometries are tried. */
  readonly fractions?: readonly number[];
  /** Runs the solver: the squared error reached with this geometry and m. */
  readonly solve: (parent: Tensor4, k1: Size2, k2: Size2, m: number) => number;
}

export const DEFAULT_FRACTIONS: readonly number[] = [0.125, 0.25, 0.375, 0.5, 0.75];

/**
 * A layer's FLOPs, unsplit and split (f1 of k1, f2 of k2, m middle channels): per site where the
 * layer runs (ONNX nodes, conv-site.ts), else on its input map (candidates.ts); null when neither
 * is known.
 */
export function layerFlops(
  shape: Shape4,
  inputSize: Size2 | null,
  sites: readonly ConvSite[] | null,
): { readonly parent: number; readonly children: (k1: Size2, k2: Size2, m: number) => number } | null {
  if (sites) {
    const sum = (f: (site: ConvSite) => number): number => sites.reduce((t, site) => t + f(site), 0);
    return { parent: sum((site) => siteParentFlops(shape, site)), children: (k1, k2, m) => sum((site) => siteChildFlops(shape, k1, k2, m, site)) };
  }
  if (inputSize) return { parent: parentFlops(shape, inputSize), children: (k1, k2, m) => candidateFlops(shape, { k1, k2 }, m, inputSize) };
  return null;
}

export function layerCurve(parent: Tensor4, s: CurveSettings): LayerCurve {
  const shape = parent.shape;
  const normSq = sumSquares(parent.data);
  const pParams = parentParams(shape);
  const flopsOf = layerFlops(shape, s.inputSize, s.sites ?? null);
  const pFlops = flopsOf?.parent ?? null;
  const parentCost = s.cost === "params" ? pParams : pFlops!;
  const unsplit: LayerOption = { geometry: "unsplit", k1: null, k2: null, m: null, params: pParams, flops: pFlops, errSq: 0, floorSq: 0, source: "unsplit" };
  const option = (c: Candidate, m: number, errSq: number, floorSq: number, source: LayerOption["source"]): LayerOption => ({
    geometry: c.name,
    k1: c.k1,
    k2: c.k2,
    m,
    params: candidateParams(shape, c, m),
    flops: flopsOf ? flopsOf.children(c.k1, c.k2, m) : null,
    errSq,
    floorSq,
    source,
  });
  const cost = (o: LayerOption): number => (s.cost === "params" ? o.params : o.flops!);
  const candidates = layerCandidates(shape, s.pinned);
  const options: LayerOption[] = [];
  for (const c of candidates) {
    if (c.unfolding === null) continue;
    const tails = truncatedSvdTails(parent.data, c.unfolding);
    for (let m = 1; m < c.mMax; m++) {
      const o = option(c, m, tails[m]!, tails[m]!, "closed-form");
      if (cost(o) < parentCost) options.push(o);
    }
  }
  // The best closed-form error at no more than a given cost.
  const bestClosedAt = (limit: number): number => {
    let best = normSq;
    for (const o of options) if (cost(o) <= limit && o.errSq < best) best = o.errSq;
    return best;
  };
  const all: LayerOption[] = [unsplit, ...options];
  const floorsOf = new Map<GeometryName, Float64Array>();
  const curve = {
    normSq,
    parentParams: pParams,
    parentFlops: pFlops,
    options: all,
    solverRuns: 0,
    refine(geometry: GeometryName, m: number): boolean {
      const c = candidates.find((x) => x.name === geometry && x.unfolding === null);
      if (c === undefined || m < 1 || m >= c.mMax || all.some((o) => o.geometry === geometry && o.m === m)) return false;
      let floors = floorsOf.get(geometry);
      if (floors === undefined) {
        floors = frequencyFloorSquares(pad2d(parent, resolveGeometry(shape, 1, c.k1, c.k2).targetPad)).squares;
        floorsOf.set(geometry, floors);
      }
      const probe = option(c, m, 0, floors[Math.min(m, floors.length - 1)]!, "solver");
      if (cost(probe) >= parentCost || probe.floorSq >= bestClosedAt(cost(probe))) return false; // cannot beat a closed form that costs no more
      const errSq = s.solve(parent, c.k1, c.k2, m);
      curve.solverRuns++;
      all.push({ ...probe, errSq: Math.max(errSq, probe.floorSq) });
      return true;
    },
  };
  for (const c of candidates) {
    if (c.unfolding !== null) continue;
    for (const m of proposeFilters(c, parentCost, (m) => cost(option(c, m, 0, 0, "solver")), s.fractions ?? DEFAULT_FRACTIONS)) curve.refine(c.name, m);
  }
  return curve;
}

/** Distinct m (>= 1, below the rank where splits become exact) whose cost is about f x the parent's. */
function proposeFilters(c: Candidate, parentCost: number, costOf: (m: number) => number, fractions: readonly number[]): number[] {
  const perM = costOf(1);
  const ms = new Set<number>();
  for (const f of fractions) {
    const m = Math.min(c.mMax - 1, Math.floor((f * parentCost) / perM));
    if (m >= 1 && costOf(m) < parentCost) ms.add(m);
  }
  return [...ms].sort((a, b) => a - b);
}

/** The solver the CLI uses: `decompose` with the run's settings, floor and functional check off. */
/**
 * The solver the plan runs at its few m per geometry: the user's method, except that where
 * `--method auto` would race LM (the hard geometries, methods/policy.ts) planning runs structured
 * sweeps: the plan compares geometries and m by what a cheap solve reaches (an upper bound on each
 * optimum), and the splits it picks are then solved with the default method, which can only
 * improve on the planned residual.
 */
export function alsSolver(options: Omit<Parameters<typeof decompose>[1], "filters" | "k1" | "k2">): CurveSettings["solve"] {
  return (parent, k1, k2, m) => {
    const requested = options.method ?? "auto";
    const g = resolveGeometry(parent.shape, m, k1, k2);
    const method = requested === "auto" && isHardGeometry(g) ? "structured" : requested;
    const r = decompose(parent, { ...options, method, k1, k2, filters: m, floor: false, functional: false });
    return r.report.residual.abs ** 2;
  };
}
