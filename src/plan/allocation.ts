/**
 * Allocation across layers: pick one option per layer (cost c, squared error e) with
 * sum c <= budget, minimising either
 *   total: sum e                      (= the total relative residual squared, times sum ||T||^2), or
 *   max:   max_l sqrt(e_l / ||T_l||^2) (the worst layer's relative residual).
 *
 * total: the Lagrangian relaxation min sum (e + lambda c) is solved by every layer's lower convex
 * hull; walking all hull segments in order of steepest error decrease per unit cost (each layer's
 * segments come in that order already, by convexity) and taking each segment that fits traces the
 * solutions for every lambda. A plan reached this way at exactly its own cost is optimal for that
 * cost (Everett's theorem). The budget left over is then spent greedily on any option, hull or
 * not, that lowers the error most while fitting.
 * The greedy can miss combinations the hull does not contain (a knapsack), so the same problem is
 * also solved exactly on costs rounded UP to a grid of at most `DP_CELLS` cells of the budget
 * (dynamic programming over layers: best[b] = least error with rounded cost <= b; exact when the
 * costs are integers and the budget has at most DP_CELLS units). Rounding up keeps every plan it
 * finds within the true budget; the better of the two plans is kept, then the fill runs again.
 * max: for a threshold t each layer takes its cheapest option with relative error <= t; the cost
 * is non-increasing in t, so the smallest feasible t among the options' own values is found by
 * bisection, and it is the exact optimum. Left-over budget then lowers the total without raising t.
 */

export interface AllocOption {
  readonly cost: number;
  readonly errSq: number;
}

export interface AllocLayer {
  readonly normSq: number;
  readonly options: readonly AllocOption[];
}

export type Objective = "total" | "max";

export interface Allocation {
  /** Chosen option per layer. */
  readonly choice: readonly number[];
  readonly cost: number;
  readonly errSq: number;
  /** max_l relative residual. */
  readonly maxRel: number;
}

/** The least cost any allocation can have: every layer at its cheapest option. */
export function minimumCost(layers: readonly AllocLayer[]): number {
  return layers.reduce((s, l) => s + Math.min(...l.options.map((o) => o.cost)), 0);
}

export function allocate(layers: readonly AllocLayer[], budget: number, objective: Objective): Allocation | null {
  if (minimumCost(layers) > budget) return null;
  const choice = objective === "total" ? bestTotal(layers, budget) : minMax(layers, budget);
  return summarise(layers, choice);
}

function summarise(layers: readonly AllocLayer[], choice: readonly number[]): Allocation {
  let cost = 0, errSq = 0, maxRel = 0;
  layers.forEach((l, i) => {
    const o = l.options[choice[i]!]!;
    cost += o.cost;
    errSq += o.errSq;
    maxRel = Math.max(maxRel, rel(l, o));
  });
  return { choice, cost, errSq, maxRel };
}

function rel(l: AllocLayer, o: AllocOption): number {
  return l.normSq > 0 ? Math.sqrt(o.errSq / l.normSq) : 0;
}

/** Indices of the lower convex hull of (cost, errSq), by increasing cost (decreasing error). */
export function lowerHull(options: readonly AllocOption[]): number[] {
  const order = options.map((_, i) => i).sort((a, b) => options[a]!.cost - options[b]!.cost || options[a]!.errSq - options[b]!.errSq);
  // Pareto front first: strictly decreasing error as cost grows.
  const front: number[] = [];
  for (const i of order) {
    const last = front[front.length - 1];
    if (last !== undefined && options[i]!.errSq >= options[last]!.errSq) continue;
    if (last !== undefined && options[i]!.cost === options[last]!.cost) front.pop();
    front.push(i);
  }
  const hull: number[] = [];
  for (const i of front) {
    while (hull.length >= 2) {
      const a = options[hull[hull.length - 2]!]!, b = options[hull[hull.length - 1]!]!, c = options[i]!;
      // b is above (or on) the chord a-c: drop it.
      const cross = (b.cost - a.cost) * (c.errSq - a.errSq) - (b.errSq - a.errSq) * (c.cost - a.cost);
      if (cross <= 0) hull.pop();
      else break;
    }
    hull.push(i);
  }
  return hull;
}

export const DP_CELLS = 4096;

function totalErr(layers: readonly AllocLayer[], choice: readonly number[]): number {
  return layers.reduce((s, l, i) => s + l.options[choice[i]!]!.errSq, 0);
}

function bestTotal(layers: readonly AllocLayer[], budget: number): number[] {
  const greedy = hullGreedy(layers, budget);
  const dp = knapsack(layers, budget);
  if (dp === null || layers.reduce((s, l, i) => s + l.options[dp[i]!]!.cost, 0) > budget) return greedy;
  fill(layers, dp, budget, () => true);
  return totalErr(layers, dp) < totalErr(layers, greedy) ? dp : greedy;
}

/** Exact on costs rounded up to cells of budget / cells (unit cells when costs are integers and fit). */
function knapsack(layers: readonly AllocLayer[], budget: number): number[] | null {
  const integer = layers.every((l) => l.options.every((o) => Number.isInteger(o.cost)));
  const unit = integer && budget <= DP_CELLS ? 1 : budget / DP_CELLS;
  const G = Math.floor(budget / unit);
  const cells = layers.map((l) => l.options.map((o) => Math.ceil(o.cost / unit)));
  let best = new Float64Array(G + 1); // least error of the layers so far with rounded cost <= b
  const pick: Int32Array[] = [];
  for (let i = 0; i < layers.length; i++) {
    const next = new Float64Array(G + 1).fill(Infinity);
    const arg = new Int32Array(G + 1).fill(-1);
    const o = layers[i]!.options;
    for (let j = 0; j < o.length; j++) {
      const c = cells[i]![j]!;
      const e = o[j]!.errSq;
      for (let b = c; b <= G; b++) {
        const v = best[b - c]! + e;
        if (v < next[b]!) {
          next[b] = v;
          arg[b] = j;
        }
      }
    }
    pick.push(arg);
    best = next;
  }
  if (!Number.isFinite(best[G]!)) return null;
  const choice = new Array<number>(layers.length);
  let b = G;
  for (let i = layers.length - 1; i >= 0; i--) {
    const j = pick[i]![b]!;
    choice[i] = j;
    b -= cells[i]![j]!;
  }
  return choice;
}

function hullGreedy(layers: readonly AllocLayer[], budget: number): number[] {
  const hulls = layers.map((l) => lowerHull(l.options));
  const pos = hulls.map(() => 0);
  const choice = hulls.map((h) => h[0]!);
  let spent = layers.reduce((s, l, i) => s + l.options[choice[i]!]!.cost, 0);
  // All segments, steepest first; ties by layer and position so the result is deterministic.
  const segments: { layer: number; at: number; slope: number }[] = [];
  hulls.forEach((h, layer) => {
    for (let at = 1; at < h.length; at++) {
      const a = layers[layer]!.options[h[at - 1]!]!, b = layers[layer]!.options[h[at]!]!;
      segments.push({ layer, at, slope: (a.errSq - b.errSq) / (b.cost - a.cost) });
    }
  });
  segments.sort((x, y) => y.slope - x.slope || x.layer - y.layer || x.at - y.at);
  for (const s of segments) {
    if (pos[s.layer] !== s.at - 1) continue; // an earlier segment of this layer did not fit
    const h = hulls[s.layer]!;
    const o = layers[s.layer]!.options;
    const delta = o[h[s.at]!]!.cost - o[h[s.at - 1]!]!.cost;
    if (spent + delta > budget) continue;
    spent += delta;
    pos[s.layer] = s.at;
    choice[s.layer] = h[s.at]!;
  }
  fill(layers, choice, budget, () => true);
  return choice;
}

/** Spend what is left: repeatedly the single switch that lowers the total error most and fits. */
function fill(layers: readonly AllocLayer[], choice: number[], budget: number, allowed: (l: AllocLayer, o: AllocOption) => boolean): void {
  let spent = layers.reduce((s, l, i) => s + l.options[choice[i]!]!.cost, 0);
  for (;;) {
    let best: { layer: number; option: number; gain: number } | null = null;
    layers.forEach((l, i) => {
      const cur = l.options[choice[i]!]!;
      l.options.forEach((o, j) => {
        const gain = cur.errSq - o.errSq;
        if (gain <= 0 || spent - cur.cost + o.cost > budget || !allowed(l, o)) return;
        if (best === null || gain > best.gain) best = { layer: i, option: j, gain };
      });
    });
    if (best === null) return;
    const b: { layer: number; option: number } = best;
    spent += layers[b.layer]!.options[b.option]!.cost - layers[b.layer]!.options[choice[b.layer]!]!.cost;
    choice[b.layer] = b.option;
  }
}

function minMax(layers: readonly AllocLayer[], budget: number): number[] {
  const thresholds = [...new Set(layers.flatMap((l) => l.options.map((o) => rel(l, o))))].sort((a, b) => a - b);
  const at = (t: number): { choice: number[]; cost: number } => {
    const choice = layers.map((l) => {
      let best = -1;
      l.options.forEach((o, j) => {
        if (rel(l, o) <= t && (best < 0 || o.cost < l.options[best]!.cost || (o.cost === l.options[best]!.cost && o.errSq < l.options[best]!.errSq))) best = j;
      });
      return best;
    });
    return { choice, cost: choice.reduce((s, j, i) => s + (j < 0 ? Infinity : layers[i]!.options[j]!.cost), 0) };
  };
  // Smallest threshold whose cheapest plan fits (the largest threshold always fits: it admits every layer's cheapest option).
  let lo = 0, hi = thresholds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at(thresholds[mid]!).cost <= budget) hi = mid;
    else lo = mid + 1;
  }
  const t = thresholds[lo]!;
  const { choice } = at(t);
  fill(layers, choice, budget, (l, o) => rel(l, o) <= t);
  return choice;
}
