import { compose, composeFlops } from "../geometry/compose.js";
import { diffNorm, type Tensor4 } from "../geometry/tensor.js";

/**
 * Relative residual ||compose(f1, f2) - T|| / ||T||. `fromNormalEquations` is the squared absolute
 * residual obtained for free from the last half-step (ridge-solve.ts); below 1e-8 of ||T||^2 it has
 * lost too many digits to cancellation and the residual is recomputed from the composition.
 */
export function relativeResidual(
  f1: Tensor4,
  f2: Tensor4,
  T: Tensor4,
  tNormSq: number,
  fromNormalEquations?: number,
): { rel: number; flops: number } {
  if (fromNormalEquations !== undefined && fromNormalEquations > 1e-8 * tNormSq) {
    return { rel: Math.sqrt(fromNormalEquations / tNormSq), flops: 0 };
  }
  const C = compose(f1, f2);
  return { rel: diffNorm(C.data, T.data) / Math.sqrt(tNormSq), flops: composeFlops(f1, f2) };
}
