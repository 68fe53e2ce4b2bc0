import { setAutoFilters } from "../batch/filters.js";
import { decompose, type DecomposeOptions } from "../decompose.js";
import { DecomposeError } from "../errors.js";
import { pad2d } from "../geometry/pad.js";
import { resolveGeometry } from "../geometry/shapes.js";
import type { Tensor4 } from "../geometry/tensor.js";
import { kernelFloor } from "../report/kernel-floor.js";
import type { AutoFiltersReport } from "../report/quality.js";
import { classifyRegime } from "./regime.js";

/**
 * --filters auto --target-residual x: the smallest m whose split reaches relative residual <= x.
 * 1. The frequency floor (report/floor.ts, of the folded target) is non-increasing in m and 0 at
 *    m = min(c_in, c_out) at the latest; a binary search finds the smallest m0 whose floor is <= x:
 *    every m < m0 is impossible, no decomposition is run for them (the m whose floors were
 *    evaluated are reported as skipped). Above, an m whose block-Toeplitz floor exceeds x is
 *    skipped likewise.
 * 2. From m0, decompose and gallop upward (m0, m0 + 1, m0 + 3, m0 + 7, ...), then bisect between
 *    the last miss and the first hit. The gallop is capped at the smallest m where an exact split
 *    is known to exist (the regime's exactFilters: a delta or dense split, or a matrix geometry's
 *    rank), and at least min(c_in, c_out): on the hard geometries (ke = k, both children smaller
 *    than the parent) that lies above min(c_in, c_out) (upn1, 5x5 -> 3x3 + 3x3: 178 for 64 channels),
 *    and a smaller cap left every target below the residual at min(c_in, c_out) unreachable.
 * Every m considered is reported, in order. The chosen m is the smallest hit found this way (the
 * achieved residual is close to, but not provably, monotone in m).
 */
export type AutoDecomposeOptions = Omit<DecomposeOptions, "filters" | "floor" | "functional" | "onIteration">;

export function chooseFilters(parent: Tensor4, target: number, options: AutoDecomposeOptions = {}): AutoFiltersReport {
  if (!(Number.isFinite(target) && target >= 0)) {
    throw new DecomposeError("E_OPTION", `--target-residual must be a number >= 0, got ${target}`, options.file);
  }
  const g = resolveGeometry(parent.shape, 1, options.k1, options.k2, options.file);
  const T = pad2d(parent, g.targetPad);
  const d = Math.min(g.cIn, g.cOut);
  const cap = Math.max(d, classifyRegime(g, T).exactFilters ?? d);
  // The floor of each m (report/kernel-floor.ts): the frequency floor of the folded target, and
  // from min(c_in, c_out) on, below the m known exact, the block-Toeplitz floor. The best residual
  // is non-increasing in m (a spare middle channel can be zero), so a floor at m' bounds every
  // m <= m' too: boundOf(m) is the largest floor evaluated at any m' >= m, and m = min(c_in, c_out)
  // is evaluated first. Measured on facerec conv64-down-conv1 (2x2 + 2x2) at auto:0.05: the
  // block-Toeplitz floor at m = 32 (0.0625) rules out every m <= 32 without a decomposition, where
  // the frequency floor left m = 31 (0.0455) to the solver.
  const floors = new Map<number, number>();
  const floorOf = (m: number): number => {
    let f = floors.get(m);
    if (f === undefined) {
      f = kernelFloor(T, resolveGeometry(parent.shape, m, options.k1, options.k2, options.file), m >= d && m < cap).rel;
      floors.set(m, f);
    }
    return f;
  };
  const boundOf = (m: number): number => {
    let b = floorOf(m);
    for (const [mm, f] of floors) if (mm > m && f > b) b = f;
    return b;
  };
  const tried: AutoFiltersReport["tried"][number][] = [];
  const ruledOut = (m: number) => tried.push({ m, floorRel: boundOf(m), residualRel: null, outcome: "floor-above-target" });
  floorOf(d);
  // The smallest m0 <= min(c_in, c_out) whose bound is <= x (the bound is non-increasing in m).
  let lo = 1;
  let hi = d;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (boundOf(mid) <= target) hi = mid;
    else {
      ruledOut(mid);
      lo = mid + 1;
    }
  }
  const m0 = lo;
  const attempt = (m: number): boolean => {
    if (boundOf(m) > target) {
      ruledOut(m);
      return false;
    }
    const r = decompose(parent, { ...options, filters: m, floor: false, functional: false }).report.residual.rel;
    const ok = r <= target;
    tried.push({ m, floorRel: floorOf(m), residualRel: r, outcome: ok ? "reached" : "missed" });
    return ok;
  };
  let miss = m0 - 1;
  let hit: number | null = null;
  for (let step = 1, m = m0; ; step *= 2) {
    if (attempt(m)) {
      hit = m;
      break;
    }
    miss = m;
    if (m >= cap) break;
    m = Math.min(cap, m + step);
  }
  if (hit !== null) {
    let h: number = hit;
    while (h - miss > 1) {
      const mid: number = (h + miss) >> 1;
      if (attempt(mid)) h = mid;
      else miss = mid;
    }
    hit = h;
  }
  return { targetResidual: target, chosen: hit, tried };
}

let lastReport: AutoFiltersReport | undefined;

/** The report of the last choice made through the installed hook (the CLI attaches it). */
export function lastAutoFilters(): AutoFiltersReport | undefined {
  return lastReport;
}

/**
 * Installs the chooser behind `--filters auto` (batch/filters.ts). The option text may carry the
 * target (`auto:1e-3`); otherwise `defaultTarget` (--target-residual) is used.
 */
export function installAutoFilters(defaultTarget: number | undefined, options: AutoDecomposeOptions = {}): void {
  setAutoFilters((parent, text) => {
    const m = /^auto(?:[:=](.+))?$/i.exec(text.trim());
    const target = m?.[1] !== undefined ? Number(m[1]) : defaultTarget;
    if (target === undefined) throw new DecomposeError("E_OPTION", "--filters auto needs --target-residual <x> (or --filters auto:<x>)");
    const report = chooseFilters(parent, target, options);
    lastReport = report;
    if (report.chosen === null) {
      throw new DecomposeError("E_NUMERIC", `--filters auto: no m up to ${Math.min(parent.shape[0], parent.shape[1])} reached relative residual ${target}`);
    }
    return report.chosen;
  });
}
