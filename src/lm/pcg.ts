/**
 * Preconditioned conjugate gradients for A x = b, A symmetric positive definite, given only
 * x -> A x and r -> M^{-1} r (Golub & Van Loan, Algorithm 11.5.1). Starts from x = 0, stops when the
 * M^{-1}-norm of the residual falls to `tol` times its initial value, or after `maxIter` products.
 * Outcome as data: iterations, the final relative residual, and whether a non-positive curvature
 * p^T A p <= 0 stopped it (then x is the last iterate, still a descent step for the quadratic).
 */
export interface PcgResult {
  readonly x: Float64Array;
  readonly iterations: number;
  readonly relResidual: number;
  readonly breakdown: boolean;
}

export function pcg(
  apply: (v: Float64Array) => Float64Array,
  precondition: (r: Float64Array) => Float64Array,
  b: Float64Array,
  tol: number,
  maxIter: number,
): PcgResult {
  const n = b.length;
  const x = new Float64Array(n);
  const r = b.slice();
  let z = precondition(r);
  const p = z.slice();
  let rz = dot(r, z);
  const rz0 = rz;
  if (!(rz0 > 0)) return { x, iterations: 0, relResidual: 0, breakdown: false };
  let it = 0;
  while (it < maxIter) {
    const Ap = apply(p);
    const pAp = dot(p, Ap);
    it++;
    if (!(pAp > 0)) return { x, iterations: it, relResidual: Math.sqrt(rz / rz0), breakdown: true };
    const alpha = rz / pAp;
    for (let i = 0; i < n; i++) {
      x[i]! += alpha * p[i]!;
      r[i]! -= alpha * Ap[i]!;
    }
    z = precondition(r);
    const rzNew = dot(r, z);
    if (Math.sqrt(Math.abs(rzNew) / rz0) <= tol) return { x, iterations: it, relResidual: Math.sqrt(Math.abs(rzNew) / rz0), breakdown: false };
    const beta = rzNew / rz;
    rz = rzNew;
    for (let i = 0; i < n; i++) p[i] = z[i]! + beta * p[i]!;
  }
  return { x, iterations: it, relResidual: Math.sqrt(Math.abs(rz) / rz0), breakdown: false };
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
