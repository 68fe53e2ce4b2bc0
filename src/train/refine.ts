import type { Size2, Tensor4 } from "../geometry/tensor.js";
import type { ChildPadding } from "../geometry/shapes.js";
import { Rng } from "../random.js";
import { Adam } from "./adam.js";
import { conv2dBackward, conv2dForward } from "./conv2d-backward.js";
import { functionalAls } from "./functional-als.js";

/**
 * --refine: fine-tune f1, f2 on the functional error, borders included.
 *
 * Default method "als" (functional-als.ts): the expected error over iid N(0, 1) images in closed
 * form (no sampling, deterministic), border position classes weighted up by `borderWeight` per axis
 * (default 10), minimised by alternating exact least-squares solves for f2 and f1 with an exact
 * line search along the last sweep's direction; `steps` is the maximum number of sweeps, and it
 * stops earlier on convergence or stall. lossFirst / lossLast are the unweighted expected mean
 * squared error per output, the quantity Adam's per-step batch estimates.
 *
 * Method "adam" (the first version, kept for comparison): Adam on the functional error
 *   L = mean over images, channels and ALL output positions of (conv(conv(x, f1), f2) - conv(x, W))^2
 * for random N(0, 1) images x, borders included. The kernel-space objective ||compose - T|| only
 * sees the interior (DESIGN.md, border effect); this trades a little interior accuracy for the
 * border, where the stacked convs zero-pad the intermediate map. A parent bias cancels (it goes to
 * f2), so it is left out. Each factor's learning rate is lr * rms(factor) (scale-free), decayed
 * linearly to 0 over the steps; a fresh batch of images every step (seeded, deterministic).
 */
export interface RefineOptions {
  readonly steps: number;
  /** Relative learning rate (default 1e-2). */
  readonly lr?: number;
  /** Images per step (default 4). */
  readonly batch?: number;
  /** Image size (default max(16, 4 k) per axis, as the functional check). */
  readonly size?: Size2;
  readonly seed: number;
  /** "als" (default) or "adam". */
  readonly method?: RefineMethod;
  /** als: extra weight of border position classes, per axis (default 10; 1 = true expectation). */
  readonly borderWeight?: number;
}

export type RefineMethod = "als" | "adam";
export const REFINE_BORDER_WEIGHT = 10;

export interface RefineResult {
  readonly f1: Tensor4;
  readonly f2: Tensor4;
  readonly lossFirst: number;
  readonly lossLast: number;
  readonly lr: number;
  readonly size: Size2;
  readonly flops: number;
  readonly method: RefineMethod;
  /** Steps (adam) or sweeps (als) actually run. */
  readonly stepsRun: number;
  /** als: why it stopped. */
  readonly stopped: "tol" | "stalled" | "max-steps";
}

export function refineSplit(
  W: Tensor4,
  f1In: Tensor4,
  f2In: Tensor4,
  parentPadding: Size2,
  pads: ChildPadding,
  o: RefineOptions,
): RefineResult {
  const [cOut, cIn, kh, kw] = W.shape;
  const size = o.size ?? { h: Math.max(16, 4 * kh), w: Math.max(16, 4 * kw) };
  if ((o.method ?? "als") === "als") {
    const r = functionalAls(W, f1In, f2In, parentPadding, pads, {
      maxSweeps: o.steps,
      size,
      borderWeight: o.borderWeight ?? REFINE_BORDER_WEIGHT,
      lambdaStart: 1e-9,
      lambdaDecay: 0.5,
      lambdaMin: 1e-12,
      lineSearch: true,
      lineSearchMax: 100,
      tol: 1e-20,
      stallTol: 1e-9,
      stallWindow: 10,
    });
    return {
      f1: r.f1,
      f2: r.f2,
      lossFirst: r.lossFirst,
      lossLast: r.lossLast,
      lr: 0,
      size,
      flops: r.flops,
      method: "als",
      stepsRun: r.sweeps,
      stopped: r.stopped === "max-sweeps" ? "max-steps" : r.stopped,
    };
  }
  const batch = o.batch ?? 4;
  const lr = o.lr ?? 1e-2;
  const f1: Tensor4 = { shape: f1In.shape, data: f1In.data.slice() };
  const f2: Tensor4 = { shape: f2In.shape, data: f2In.data.slice() };
  const lr1 = lr * rms(f1.data);
  const lr2 = lr * rms(f2.data);
  const a1 = new Adam(f1.data.length, lr1);
  const a2 = new Adam(f2.data.length, lr2);
  const rng = new Rng((o.seed ^ 0x7e1f) >>> 0);
  let lossFirst = NaN;
  let loss = NaN;
  let flops = 0;
  for (let t = 0; t < o.steps; t++) {
    const x: Tensor4 = { shape: [batch, cIn, size.h, size.w], data: rng.normals(batch * cIn * size.h * size.w) };
    const ref = conv2dForward(x, W, parentPadding).y;
    const c1 = conv2dForward(x, f1, pads.p1);
    const c2 = conv2dForward(c1.y, f2, pads.p2);
    const out = c2.y;
    const d = new Float64Array(out.data.length);
    let ss = 0;
    const count = out.data.length;
    for (let q = 0; q < count; q++) {
      const e = out.data[q]! - ref.data[q]!;
      ss += e * e;
      d[q] = (2 * e) / count;
    }
    loss = ss / count;
    if (t === 0) lossFirst = loss;
    const g2 = conv2dBackward(c2.cache, { shape: out.shape, data: d }, true);
    const g1 = conv2dBackward(c1.cache, g2.dx, false);
    const decay = 1 - t / o.steps;
    a1.step(f1.data, g1.dw.data, lr1 * decay);
    a2.step(f2.data, g2.dw.data, lr2 * decay);
    const pix = batch * size.h * size.w;
    flops += 2 * pix * (cOut * cIn * kh * kw + 3 * f1.data.length + 3 * f2.data.length);
  }
  return { f1, f2, lossFirst, lossLast: loss, lr, size, flops, method: "adam", stepsRun: o.steps, stopped: "max-steps" };
}

function rms(x: Float64Array): number {
  let s = 0;
  for (let q = 0; q < x.length; q++) s += x[q]! * x[q]!;
  return Math.sqrt(s / Math.max(1, x.length));
}
