import { balanceStd } from "../als/balance.js";
import { addUniformNoise } from "../als/noise.js";
import { compose, composeFlops } from "../geometry/compose.js";
import type { StackLayout } from "../geometry/layout.js";
import { diffNorm, frobeniusNorm, type Tensor4 } from "../geometry/tensor.js";
import { functionalCheck } from "../report/functional.js";
import type { RefineReport } from "../report/quality.js";
import { Rng } from "../random.js";
import { refineSplit } from "../train/refine.js";
import type { QualityOptions } from "./options.js";

/**
 * After the solve: --refine (functional fine-tuning, same layout only), then --balance, then
 * --noise, in that order, so the report's residual and functional check describe the factors
 * actually written.
 */
export interface PostProcessed {
  readonly f1: Tensor4;
  readonly f2: Tensor4;
  readonly flops: number;
  readonly refine: RefineReport | null;
  /** Why --refine was not run although asked for (exact layout), else null. */
  readonly refineSkipped: string | null;
  readonly balance: { readonly scale: number } | null;
  readonly noise: { readonly ratio: number; readonly residualBeforeRel: number } | null;
}

export const REFINE_UNNECESSARY =
  "--refine skipped: with layout exact the stack equals one conv with the composed kernel at every position, so there is no border effect to refine; the functional error is the kernel residual's alone";

export function postProcess(
  parent: Tensor4,
  T: Tensor4,
  factors: { readonly f1: Tensor4; readonly f2: Tensor4 },
  layout: StackLayout | null,
  q: QualityOptions | undefined,
  seed: number,
  bias: Float64Array | undefined,
): PostProcessed {
  const tNorm = frobeniusNorm(T.data);
  const rel = (a: Tensor4, b: Tensor4): number => diffNorm(compose(a, b).data, T.data) / (tNorm > 0 ? tNorm : 1);
  let { f1, f2 } = factors;
  let flops = 0;
  let refine: RefineReport | null = null;
  let refineSkipped: string | null = null;
  const asked = (q?.refine ?? 0) > 0;
  if (asked && layout?.name === "exact") refineSkipped = REFINE_UNNECESSARY;
  else if (asked && layout === null) refineSkipped = "--refine skipped: no non-negative child paddings give the same layout for this parent padding";
  else if (asked && layout) {
    const pads = { p1: layout.p1, p2: layout.p2 };
    const check = (a: Tensor4, b: Tensor4) => functionalCheck(parent, a, b, layout, seed, bias);
    const before = check(f1, f2);
    const beforeRel = rel(f1, f2);
    const r = refineSplit(parent, f1, f2, layout.parentPadding, pads, { steps: q!.refine!, seed, ...(q!.refineLr !== undefined ? { lr: q!.refineLr } : {}) });
    f1 = r.f1;
    f2 = r.f2;
    flops += r.flops + 2 * composeFlops(f1, f2);
    const after = check(f1, f2);
    refine = {
      method: r.method,
      steps: r.stepsRun,
      stopped: r.stopped,
      learningRate: r.lr,
      imageSize: r.size,
      before: { interiorRelError: before.interiorRelError, borderRelError: before.borderRelError, residualRel: beforeRel },
      after: { interiorRelError: after.interiorRelError, borderRelError: after.borderRelError, residualRel: rel(f1, f2) },
      lossFirst: r.lossFirst,
      lossLast: r.lossLast,
    };
  }
  let balance: { scale: number } | null = null;
  if (q?.balance) {
    const b = balanceStd(f1, f2);
    f1 = b.f1;
    f2 = b.f2;
    balance = { scale: b.scale };
  }
  let noise: { ratio: number; residualBeforeRel: number } | null = null;
  if (q?.noise && q.noise > 0) {
    const residualBeforeRel = rel(f1, f2);
    const rng = new Rng((seed ^ 0x0015e) >>> 0);
    f1 = addUniformNoise(f1, q.noise, rng);
    f2 = addUniformNoise(f2, q.noise, rng);
    noise = { ratio: q.noise, residualBeforeRel };
    flops += composeFlops(f1, f2);
  }
  return { f1, f2, flops, refine, refineSkipped, balance, noise };
}
