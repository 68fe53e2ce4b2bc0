import { adjointSolution1, adjointSolution2, composeSolution, composeSolutionFlops } from "../geometry/compose-solution.js";
import type { SplitGeometry } from "../geometry/shapes.js";

/**
 * The Jacobian of the residual r(X1, X2) = compose(X1, X2) - T at (X1, X2), matrix-free, with the
 * factors in solution layout and r tap-major (geometry/compose-solution.ts). compose is bilinear, so
 *   J (D1, D2) = compose(D1, X2) + compose(X1, D2)
 *   J^T E      = (adjoint1(E, X2), adjoint2(E, X1))
 * Each costs two compositions' flops. `out` is overwritten (J v) or, with `accumulate`, added to.
 */
export function jacobianTimes(g: SplitGeometry, X1: Float64Array, X2: Float64Array, D1: Float64Array, D2: Float64Array, out: Float64Array): number {
  composeSolution(g, D1, X2, out);
  composeSolution(g, X1, D2, out, true);
  return 2 * composeSolutionFlops(g);
}

export function jacobianTransposeTimes(
  g: SplitGeometry,
  X1: Float64Array,
  X2: Float64Array,
  E: Float64Array,
  out1: Float64Array,
  out2: Float64Array,
  accumulate = false,
): number {
  adjointSolution1(g, E, X2, out1, accumulate);
  adjointSolution2(g, E, X1, out2, accumulate);
  return 2 * composeSolutionFlops(g);
}

/**
 * (J^T J + mu blockdiag(G1 (x) I, G2 (x) I)) V without the normal matrices: the diagonal blocks of
 * J^T J are exactly the ALS normal matrices (G1 V1 = adjoint1(compose(V1, X2), X2), G2 V2 =
 * adjoint2(compose(X1, V2), X1), normal-equations.ts), so with a = compose(V1, X2) and
 * b = compose(X1, V2)
 *   first  = adjoint1((1 + mu) a + b, X2)
 *   second = adjoint2(a + (1 + mu) b, X1)
 * Four compositions' flops in all, Marquardt's damping included (an n x n x J GEMM per block
 * saved: at m = 100, 3x3 + 3x3, those cost as much as the four compositions). `a`, `b` are work
 * buffers (composition-sized); `out1`, `out2` are overwritten.
 */
export function dampedGaussNewtonTimes(
  g: SplitGeometry,
  X1: Float64Array,
  X2: Float64Array,
  V1: Float64Array,
  V2: Float64Array,
  mu: number,
  out1: Float64Array,
  out2: Float64Array,
  work: { a: Float64Array; b: Float64Array },
): number {
  const { a, b } = work;
  composeSolution(g, V1, X2, a);
  composeSolution(g, X1, V2, b);
  // a <- (1 + mu) a + b, b <- a_old + (1 + mu) b, entry by entry.
  for (let q = 0; q < a.length; q++) {
    const x = a[q]!;
    const y = b[q]!;
    a[q] = x + mu * x + y;
    b[q] = x + y + mu * y;
  }
  adjointSolution1(g, a, X2, out1);
  adjointSolution2(g, b, X1, out2);
  return 4 * composeSolutionFlops(g);
}
