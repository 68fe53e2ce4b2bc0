import type { ChildPadding } from "../geometry/shapes.js";
import { DecomposeError } from "../errors.js";
import type { Size2, Tensor4 } from "../geometry/tensor.js";
import { gemm } from "../linalg/gemm.js";
import { solveSpd } from "../linalg/spd-solve.js";
import { bestQuarticStep } from "../als/extrapolation.js";

/**
 * The functional objective of --refine in closed form, and alternating least squares on it.
 *
 * For an input x of iid N(0, 1) entries, both nets are linear maps x -> A x (stacked) and x -> B x
 * (parent), so E ||(A - B) x||^2 = ||A - B||_F^2 exactly: no images need to be sampled. A row of
 * A - B (one output channel o at one output position) is a kernel over the input: in the interior it
 * is compose(f1, f2) - T (the kernel residual), near the border it is the same composition with
 * the second conv's taps that read the intermediate map's zero padding dropped (mask V) and both
 * sides restricted to input taps inside the image (mask S). Output positions with the same masks
 * have the same row, so the loss is a weighted sum over a few position classes c:
 *
 *   L = sum_c w_c sum_{o, i} sum_{e in S_c} ( sum_{m, v in V_c} f2[o,m,v] f1[m,i,e-v] - T[o,i,e] )^2
 *
 * with e, v, e - v 2-D taps of the composed (ke), second (k2) and first (k1) kernels and T the
 * parent placed at offset p1 + p2 - p in a ke window. w_c = number of positions of class c gives
 * the expected squared error of one image (the functional check's input is such an image).
 *
 * L is quadratic in each factor with the other fixed, and both half-steps share one normal matrix
 * across the free index (output channel for f2, input channel for f1), exactly as the structured
 * kernel-space ALS (DESIGN.md): G = sum_e M(v, v', e) P(e - v, e - v') with P a Gram matrix of the
 * fixed factor and M(v, v', e) = sum_c w_c [v in V_c][v' in V_c][e in S_c]. Each half-step is one
 * Cholesky solve with all right-hand sides at once, and never increases L (up to the ridge).
 */

/** One class of output positions along one axis. */
interface AxisClass {
  readonly count: number;
  /** Second-conv taps that read inside the intermediate map (length k2). */
  readonly v: readonly boolean[];
  /** Composed taps that read inside the input (length ke). */
  readonly s: readonly boolean[];
}

function axisClasses(n: number, k1: number, k2: number, p1: number, p2: number): AxisClass[] {
  const ke = k1 + k2 - 1;
  const mid = n + 2 * p1 - k1 + 1;
  const out = mid + 2 * p2 - k2 + 1;
  const byKey = new Map<string, { count: number; v: boolean[]; s: boolean[] }>();
  for (let y = 0; y < out; y++) {
    const v: boolean[] = [];
    for (let t = 0; t < k2; t++) v.push(y - p2 + t >= 0 && y - p2 + t < mid);
    const s: boolean[] = [];
    for (let e = 0; e < ke; e++) s.push(y - p2 - p1 + e >= 0 && y - p2 - p1 + e < n);
    const key = v.map(Number).join("") + "|" + s.map(Number).join("");
    const c = byKey.get(key);
    if (c) c.count++;
    else byKey.set(key, { count: 1, v, s });
  }
  return [...byKey.values()];
}

const isFull = (c: AxisClass): boolean => c.v.every((b) => b) && c.s.every((b) => b);

/** The position classes of a split and their weights, for an image of `size`. */
export interface FunctionalGeometry {
  readonly k1: Size2;
  readonly k2: Size2;
  readonly ke: Size2;
  /** M(v, v', e), indexed ((v * k2n) + v') * ken + e. */
  readonly m: Float64Array;
  /** Sum of the weights of all positions (for the mean). */
  readonly positions: number;
  /** Number of 2-D position classes. */
  readonly classes: number;
  /** Per 2-D class: weight, V mask (k2n), S mask (ken). */
  readonly list: readonly { readonly w: number; readonly v: Uint8Array; readonly s: Uint8Array }[];
}

/**
 * `borderWeight` multiplies the weight of every class that is not interior on an axis (per axis,
 * so a corner gets its square): 1 is the true expected error of one image.
 */
export function functionalGeometry(size: Size2, k1: Size2, k2: Size2, pads: ChildPadding, borderWeight = 1): FunctionalGeometry {
  const ke = { h: k1.h + k2.h - 1, w: k1.w + k2.w - 1 };
  const ch = axisClasses(size.h, k1.h, k2.h, pads.p1.h, pads.p2.h);
  const cw = axisClasses(size.w, k1.w, k2.w, pads.p1.w, pads.p2.w);
  const k2n = k2.h * k2.w;
  const ken = ke.h * ke.w;
  const m = new Float64Array(k2n * k2n * ken);
  const list: { w: number; v: Uint8Array; s: Uint8Array }[] = [];
  let positions = 0;
  for (const a of ch) {
    for (const b of cw) {
      const w = a.count * b.count * (isFull(a) ? 1 : borderWeight) * (isFull(b) ? 1 : borderWeight);
      positions += a.count * b.count;
      const v = new Uint8Array(k2n);
      for (let y = 0; y < k2.h; y++) for (let x = 0; x < k2.w; x++) v[y * k2.w + x] = a.v[y] && b.v[x] ? 1 : 0;
      const s = new Uint8Array(ken);
      for (let y = 0; y < ke.h; y++) for (let x = 0; x < ke.w; x++) s[y * ke.w + x] = a.s[y] && b.s[x] ? 1 : 0;
      list.push({ w, v, s });
      for (let p = 0; p < k2n; p++) {
        if (!v[p]) continue;
        for (let q = 0; q < k2n; q++) {
          if (!v[q]) continue;
          const base = (p * k2n + q) * ken;
          for (let e = 0; e < ken; e++) if (s[e]) m[base + e]! += w;
        }
      }
    }
  }
  return { k1, k2, ke, m, positions, classes: list.length, list };
}

/** The parent placed at offset p1 + p2 - p inside a ke window: (c_out, c_in, keh, kew). */
export function functionalTarget(W: Tensor4, parentPadding: Size2, pads: ChildPadding, ke: Size2): Tensor4 {
  const [o, i, kh, kw] = W.shape;
  const offH = pads.p1.h + pads.p2.h - parentPadding.h;
  const offW = pads.p1.w + pads.p2.w - parentPadding.w;
  if (offH < 0 || offW < 0 || offH + kh > ke.h || offW + kw > ke.w) {
    throw new RangeError(`functionalTarget: the parent (${kh}x${kw}, padding ${parentPadding.h}x${parentPadding.w}) does not fit the ${ke.h}x${ke.w} composition`);
  }
  const t = new Float64Array(o * i * ke.h * ke.w);
  for (let a = 0; a < o * i; a++) {
    for (let y = 0; y < kh; y++) {
      for (let x = 0; x < kw; x++) t[(a * ke.h + y + offH) * ke.w + x + offW] = W.data[(a * kh + y) * kw + x]!;
    }
  }
  return { shape: [o, i, ke.h, ke.w], data: t };
}

/** Tap index e - v in the k1 window, or -1 when outside. */
function lagIndex(g: FunctionalGeometry, e: number, v: number): number {
  const ey = Math.floor(e / g.ke.w);
  const ex = e - ey * g.ke.w;
  const vy = Math.floor(v / g.k2.w);
  const vx = v - vy * g.k2.w;
  const uy = ey - vy;
  const ux = ex - vx;
  if (uy < 0 || ux < 0 || uy >= g.k1.h || ux >= g.k1.w) return -1;
  return uy * g.k1.w + ux;
}

/**
 * All rows of the weighted functional error stacked: for each class c, output channel o, input
 * channel i and tap e in S_c, sqrt(w_c) * (masked composition)[o, i, e]. The loss is
 * ||rows(f1, f2) - rows of T||^2, and rows are bilinear in (f1, f2) (used by the line search).
 */
export function stackedRows(g: FunctionalGeometry, f1: Tensor4, f2: Tensor4): Float64Array {
  const [cOut, m, ,] = f2.shape;
  const cIn = f1.shape[1];
  const k1n = g.k1.h * g.k1.w;
  const k2n = g.k2.h * g.k2.w;
  const ken = g.ke.h * g.ke.w;
  // Z[(o, v), (i, u)] = sum_m f2[o, m, v] f1[m, i, u]
  const a = new Float64Array(cOut * k2n * m);
  for (let o = 0; o < cOut; o++) for (let c = 0; c < m; c++) for (let v = 0; v < k2n; v++) a[(o * k2n + v) * m + c] = f2.data[(o * m + c) * k2n + v]!;
  const row = cIn * k1n;
  const z = new Float64Array(cOut * k2n * row);
  gemm(false, false, cOut * k2n, row, m, 1, a, m, f1.data, row, 0, z, row);
  const lag = new Int32Array(ken * k2n);
  for (let e = 0; e < ken; e++) for (let v = 0; v < k2n; v++) lag[e * k2n + v] = lagIndex(g, e, v);
  const out = new Float64Array(stackedLength(g, cOut, cIn));
  let q = 0;
  for (const c of g.list) {
    const sw = Math.sqrt(c.w);
    for (let o = 0; o < cOut; o++) {
      for (let i = 0; i < cIn; i++) {
        for (let e = 0; e < ken; e++) {
          if (!c.s[e]) continue;
          let s = 0;
          for (let v = 0; v < k2n; v++) {
            const u = lag[e * k2n + v]!;
            if (u < 0 || !c.v[v]) continue;
            s += z[(o * k2n + v) * row + i * k1n + u]!;
          }
          out[q++] = sw * s;
        }
      }
    }
  }
  return out;
}

function stackedLength(g: FunctionalGeometry, cOut: number, cIn: number): number {
  let n = 0;
  for (const c of g.list) for (let e = 0; e < c.s.length; e++) n += c.s[e]!;
  return n * cOut * cIn;
}

/** The target's rows, in stackedRows' order. */
export function stackedTarget(g: FunctionalGeometry, T: Tensor4): Float64Array {
  const [cOut, cIn] = T.shape;
  const ken = g.ke.h * g.ke.w;
  const out = new Float64Array(stackedLength(g, cOut, cIn));
  let q = 0;
  for (const c of g.list) {
    const sw = Math.sqrt(c.w);
    for (let a = 0; a < cOut * cIn; a++) for (let e = 0; e < ken; e++) if (c.s[e]) out[q++] = sw * T.data[a * ken + e]!;
  }
  return out;
}

/** Weighted functional loss L (see the file comment). */
export function functionalLoss(g: FunctionalGeometry, T: Tensor4, f1: Tensor4, f2: Tensor4): number {
  const r = stackedRows(g, f1, f2);
  const t = stackedTarget(g, T);
  let s = 0;
  for (let q = 0; q < r.length; q++) s += (r[q]! - t[q]!) ** 2;
  return s;
}

/**
 * Exact line search along (d1, d2) from (f1, f2) on L: rows(f1 + s d1, f2 + s d2) - t is
 * E0 + s E1 + s^2 E2, so L(s) is a quartic; its minimisers are real roots of a cubic. Returns the
 * best s in (0, sMax] and L there, or undefined when none beats s = 0.
 */
export function functionalLineSearch(
  g: FunctionalGeometry,
  t: Float64Array,
  f1: Tensor4,
  f2: Tensor4,
  d1: Tensor4,
  d2: Tensor4,
  sMax: number,
  rows0?: Float64Array,
): { step: number; loss: number } | undefined {
  const r0 = rows0 ?? stackedRows(g, f1, f2);
  const a = stackedRows(g, d1, f2);
  const b = stackedRows(g, f1, d2);
  const r2 = stackedRows(g, d1, d2);
  const e0 = new Float64Array(r0.length);
  for (let q = 0; q < e0.length; q++) e0[q] = r0[q]! - t[q]!;
  const best = bestQuarticStep(e0, (q) => a[q]! + b[q]!, r2, sMax);
  return best === undefined ? undefined : { step: best.step, loss: best.value };
}

/** Ridge relative to mean(diag(G)); doubled by 100 until Cholesky succeeds. */
function solveRidge(n: number, gIn: Float64Array, nrhs: number, rIn: Float64Array, lambda: number): Float64Array {
  let mean = 0;
  for (let p = 0; p < n; p++) mean += gIn[p * n + p]!;
  mean = mean / Math.max(1, n) || 1;
  for (let lam = lambda; ; lam *= 100) {
    const gm = gIn.slice();
    for (let p = 0; p < n; p++) gm[p * n + p]! += lam * mean;
    const r = rIn.slice();
    if (solveSpd(n, gm, nrhs, r).ok) return r;
    if (lam > 1) throw new DecomposeError("E_NUMERIC", "--refine: a functional normal matrix is not positive definite");
  }
}

/**
 * The masked normal equations of one functional half-step, from the fixed factor's Gram
 * p = F^T F (m kFixed x m kFixed) and cross product q = F^T T (m kFixed x J ke). Output tap s = u + v
 * (u of f1, v of f2) pairs with mask weights g.m; the free factor is f2 (free tap v) or f1 (u):
 *   G[(c, a), (c2, a2)] = sum_{v, v2, e} w(v, v2, e) p[(c, b), (c2, b2)],
 *   R[(c, a), j]        = sum_{v, e} w(v, v, e) q[(c, b), (j, e)],
 * a, a2 the free taps and b, b2 the fixed taps of (v, u = e - v) and (v2, u2 = e - v2).
 */
function assembleMasked(
  g: FunctionalGeometry,
  p: Float64Array,
  q: Float64Array,
  m: number,
  J: number,
  freeIsF2: boolean,
): { G: Float64Array; R: Float64Array } {
  const k1n = g.k1.h * g.k1.w;
  const k2n = g.k2.h * g.k2.w;
  const ken = g.ke.h * g.ke.w;
  const kFree = freeIsF2 ? k2n : k1n;
  const kFixed = freeIsF2 ? k1n : k2n;
  const nFree = m * kFree;
  const nFixed = m * kFixed;
  const G = new Float64Array(nFree * nFree);
  const R = new Float64Array(nFree * J);
  for (let v = 0; v < k2n; v++) {
    for (let e = 0; e < ken; e++) {
      const u = lagIndex(g, e, v);
      if (u < 0) continue;
      const a = freeIsF2 ? v : u;
      const b = freeIsF2 ? u : v;
      const nw = g.m[(v * k2n + v) * ken + e]!;
      if (nw !== 0) {
        for (let c = 0; c < m; c++) {
          const src = (c * kFixed + b) * J * ken;
          const dst = (c * kFree + a) * J;
          for (let j = 0; j < J; j++) R[dst + j]! += nw * q[src + j * ken + e]!;
        }
      }
      for (let v2 = 0; v2 < k2n; v2++) {
        const w = g.m[(v * k2n + v2) * ken + e]!;
        if (w === 0) continue;
        const u2 = lagIndex(g, e, v2);
        if (u2 < 0) continue;
        const a2 = freeIsF2 ? v2 : u2;
        const b2 = freeIsF2 ? u2 : v2;
        for (let c = 0; c < m; c++) {
          const src = (c * kFixed + b) * nFixed;
          const dst = (c * kFree + a) * nFree;
          for (let c2 = 0; c2 < m; c2++) G[dst + c2 * kFree + a2]! += w * p[src + c2 * kFixed + b2]!;
        }
      }
    }
  }
  return { G, R };
}

/** Exact minimiser of L over f2 with f1 fixed (ridge lambda * mean diag). Returns f2 and flops. */
export function solveF2(g: FunctionalGeometry, T: Tensor4, f1: Tensor4, cOut: number, lambda: number): { f2: Tensor4; flops: number } {
  const [m, cIn] = f1.shape;
  const k1n = g.k1.h * g.k1.w;
  const k2n = g.k2.h * g.k2.w;
  const ken = g.ke.h * g.ke.w;
  // F1'[(m, u), i] = f1[m, i, u]
  const n1 = m * k1n;
  const f1t = new Float64Array(n1 * cIn);
  for (let c = 0; c < m; c++) for (let i = 0; i < cIn; i++) for (let u = 0; u < k1n; u++) f1t[(c * k1n + u) * cIn + i] = f1.data[(c * cIn + i) * k1n + u]!;
  const p = new Float64Array(n1 * n1);
  gemm(false, true, n1, n1, cIn, 1, f1t, cIn, f1t, cIn, 0, p, n1);
  // T'[i, (o, e)] = T[o, i, e]
  const tt = new Float64Array(cIn * cOut * ken);
  for (let o = 0; o < cOut; o++) for (let i = 0; i < cIn; i++) for (let e = 0; e < ken; e++) tt[(i * cOut + o) * ken + e] = T.data[(o * cIn + i) * ken + e]!;
  const q = new Float64Array(n1 * cOut * ken);
  gemm(false, false, n1, cOut * ken, cIn, 1, f1t, cIn, tt, cOut * ken, 0, q, cOut * ken);
  const n2 = m * k2n;
  const { G, R } = assembleMasked(g, p, q, m, cOut, true);
  const x = solveRidge(n2, G, cOut, R, lambda);
  const f2 = new Float64Array(cOut * n2);
  for (let r = 0; r < n2; r++) for (let o = 0; o < cOut; o++) f2[o * n2 + r] = x[r * cOut + o]!;
  const flops = 2 * n1 * n1 * cIn + 2 * n1 * cOut * ken * cIn + (n2 * n2 * n2) / 3 + 2 * n2 * n2 * cOut + 2 * k2n * k2n * ken * m * m;
  return { f2: { shape: [cOut, m, g.k2.h, g.k2.w], data: f2 }, flops };
}

/** Exact minimiser of L over f1 with f2 fixed (ridge lambda * mean diag). Returns f1 and flops. */
export function solveF1(g: FunctionalGeometry, T: Tensor4, f2: Tensor4, cIn: number, lambda: number): { f1: Tensor4; flops: number } {
  const [cOut, m] = f2.shape;
  const k1n = g.k1.h * g.k1.w;
  const k2n = g.k2.h * g.k2.w;
  const ken = g.ke.h * g.ke.w;
  const n2 = m * k2n;
  // P2 = F2^T F2 with F2 = f2 as (c_out, m k2n); Q2 = F2^T T with T as (c_out, c_in ken).
  const p = new Float64Array(n2 * n2);
  gemm(true, false, n2, n2, cOut, 1, f2.data, n2, f2.data, n2, 0, p, n2);
  const q = new Float64Array(n2 * cIn * ken);
  gemm(true, false, n2, cIn * ken, cOut, 1, f2.data, n2, T.data, cIn * ken, 0, q, cIn * ken);
  const n1 = m * k1n;
  const { G, R } = assembleMasked(g, p, q, m, cIn, false);
  const x = solveRidge(n1, G, cIn, R, lambda);
  const f1 = new Float64Array(m * cIn * k1n);
  for (let c = 0; c < m; c++) for (let u = 0; u < k1n; u++) for (let i = 0; i < cIn; i++) f1[(c * cIn + i) * k1n + u] = x[(c * k1n + u) * cIn + i]!;
  const flops = 2 * n2 * n2 * cOut + 2 * n2 * cIn * ken * cOut + (n1 * n1 * n1) / 3 + 2 * n1 * n1 * cIn + 2 * k2n * k2n * ken * m * m;
  return { f1: { shape: [m, cIn, g.k1.h, g.k1.w], data: f1 }, flops };
}

export interface FunctionalAlsOptions {
  /** Maximum sweeps (one f2 solve then one f1 solve each). */
  readonly maxSweeps: number;
  /** Image size whose position counts weight the classes. */
  readonly size: Size2;
  /** Extra weight of border classes, per axis (1: the true expected error). */
  readonly borderWeight: number;
  /** Ridge, relative to mean(diag(G)), at the first sweep ... */
  readonly lambdaStart: number;
  /** ... multiplied by this each sweep ... */
  readonly lambdaDecay: number;
  /** ... down to this. */
  readonly lambdaMin: number;
  /** Exact line search along the last sweep's direction (step at most lineSearchMax). */
  readonly lineSearch: boolean;
  readonly lineSearchMax: number;
  /** Stop when the weighted loss falls below tol * its value for f1 = f2 = 0, ... */
  readonly tol: number;
  /** ... or gains less than stallTol (relative) over stallWindow sweeps. */
  readonly stallTol: number;
  readonly stallWindow: number;
  readonly onSweep?: (sweep: number, f1: Tensor4, f2: Tensor4, weightedLoss: number) => void;
}

export interface FunctionalAlsResult {
  readonly f1: Tensor4;
  readonly f2: Tensor4;
  readonly sweeps: number;
  readonly stopped: "tol" | "stalled" | "max-sweeps";
  /** Expected squared functional error per output (iid N(0, 1) image of `size`), first and last. */
  readonly lossFirst: number;
  readonly lossLast: number;
  readonly lineSearchesAccepted: number;
  readonly flops: number;
}

const axpy = (x: Tensor4, s: number, d: Tensor4): Tensor4 => {
  const out = new Float64Array(x.data.length);
  for (let q = 0; q < out.length; q++) out[q] = x.data[q]! + s * d.data[q]!;
  return { shape: x.shape, data: out };
};
const sub = (a: Tensor4, b: Tensor4): Tensor4 => axpy(a, -1, b);

export function functionalAls(W: Tensor4, f1In: Tensor4, f2In: Tensor4, parentPadding: Size2, pads: ChildPadding, o: FunctionalAlsOptions): FunctionalAlsResult {
  const [cOut, cIn] = W.shape;
  const k1 = { h: f1In.shape[2], w: f1In.shape[3] };
  const k2 = { h: f2In.shape[2], w: f2In.shape[3] };
  const g = functionalGeometry(o.size, k1, k2, pads, o.borderWeight);
  const g1 = o.borderWeight === 1 ? g : functionalGeometry(o.size, k1, k2, pads, 1);
  const T = functionalTarget(W, parentPadding, pads, g.ke);
  const t = stackedTarget(g, T);
  const t1 = g1 === g ? t : stackedTarget(g1, T);
  const perOutput = cOut * g.positions;
  const lossOf = (gg: FunctionalGeometry, tt: Float64Array, a: Tensor4, b: Tensor4): number => {
    const r = stackedRows(gg, a, b);
    let s = 0;
    for (let q = 0; q < r.length; q++) s += (r[q]! - tt[q]!) ** 2;
    return s;
  };
  let tt0 = 0;
  for (let q = 0; q < t.length; q++) tt0 += t[q]! * t[q]!;
  let f1 = f1In;
  let f2 = f2In;
  let loss = lossOf(g, t, f1, f2);
  const lossFirst = lossOf(g1, t1, f1, f2) / perOutput;
  let best = { f1, f2, loss };
  const history: number[] = [loss];
  let lambda = o.lambdaStart;
  let flops = 0;
  let accepted = 0;
  let stopped: FunctionalAlsResult["stopped"] = "max-sweeps";
  let sweeps = 0;
  const rowsFlops = 2 * cOut * k2.h * k2.w * f1In.data.length;
  for (let it = 1; it <= o.maxSweeps; it++) {
    sweeps = it;
    const prev1 = f1;
    const prev2 = f2;
    const s2 = solveF2(g, T, f1, cOut, lambda);
    const s1 = solveF1(g, T, s2.f2, cIn, lambda);
    f1 = s1.f1;
    f2 = s2.f2;
    flops += s1.flops + s2.flops + rowsFlops;
    const rows = stackedRows(g, f1, f2);
    loss = 0;
    for (let q = 0; q < rows.length; q++) loss += (rows[q]! - t[q]!) ** 2;
    if (o.lineSearch && it > 1) {
      const d1 = sub(f1, prev1);
      const d2 = sub(f2, prev2);
      const ls = functionalLineSearch(g, t, f1, f2, d1, d2, o.lineSearchMax, rows);
      flops += 3 * rowsFlops;
      if (ls && ls.loss < loss) {
        const c1 = axpy(f1, ls.step, d1);
        const c2 = axpy(f2, ls.step, d2);
        const l = lossOf(g, t, c1, c2);
        flops += rowsFlops;
        if (l < loss) {
          f1 = c1;
          f2 = c2;
          loss = l;
          accepted++;
        }
      }
    }
    if (loss < best.loss) best = { f1, f2, loss };
    history.push(best.loss);
    lambda = Math.max(o.lambdaMin, lambda * o.lambdaDecay);
    o.onSweep?.(it, f1, f2, loss);
    if (best.loss <= o.tol * tt0) {
      stopped = "tol";
      break;
    }
    if (history.length > o.stallWindow) {
      const old = history[history.length - 1 - o.stallWindow]!;
      if (old - best.loss <= o.stallTol * old && lambda <= o.lambdaMin) {
        stopped = "stalled";
        break;
      }
    }
  }
  return {
    f1: best.f1,
    f2: best.f2,
    sweeps,
    stopped,
    lossFirst,
    lossLast: lossOf(g1, t1, best.f1, best.f2) / perOutput,
    lineSearchesAccepted: accepted,
    flops,
  };
}
