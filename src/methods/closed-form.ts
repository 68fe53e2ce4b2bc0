import type { AlsOptions } from "../als/options.js";
import type { AlsResult } from "../als/result.js";
import { compose, composeFlops } from "../geometry/compose.js";
import { foldTarget, isMatrixGeometry, unfoldFactors } from "../geometry/fold.js";
import type { SplitGeometry } from "../geometry/shapes.js";
import { diffNorm, frobeniusNorm, type Tensor4 } from "../geometry/tensor.js";
import { truncatedSvd } from "./truncated-svd.js";

/**
 * The global optimum of a matrix geometry (geometry/fold.ts: every axis has a child of extent 1,
 * e.g. k1 = kh x 1 with k2 = 1 x kw, or a 1x1 child): fold the target into the matrix
 * T' (c_out ...) x (c_in ...), take its truncated SVD at rank m (methods/truncated-svd.ts) and
 * unfold the two factors back into kernels. No iterations; the options are not used.
 */
export function closedForm(T: Tensor4, g: SplitGeometry, _options: AlsOptions): AlsResult {
  const fold = foldTarget(T, g);
  const [rows, cols] = fold.target.shape;
  const svd = truncatedSvd(fold.target.data, rows, cols, g.m);
  const { f1, f2 } = unfoldFactors(g, svd.L, svd.R);
  const tNorm = frobeniusNorm(T.data);
  const rel = tNorm > 0 ? diffNorm(compose(f1, f2).data, T.data) / tNorm : 0;
  return { f1, f2, trace: [rel], iterations: 0, stopReason: "closed-form", flops: svd.flops + composeFlops(f1, f2) };
}

export function closedFormUnavailable(g: SplitGeometry): string | undefined {
  if (isMatrixGeometry(g)) return undefined;
  return `no closed form for k1=${g.k1.h}x${g.k1.w}, k2=${g.k2.h}x${g.k2.w}: each axis needs a child of extent 1 (k1 = kh x 1 with k2 = 1 x kw, the transpose, or a 1x1 child)`;
}
