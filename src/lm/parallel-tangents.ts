/**
 * The parallel-tangents acceleration (PARTAN: Shah, Buehler & Kempthorne 1964) of an iterative
 * minimiser: after the step from x_k to x_{k+1}, search along the displacement over the last two
 * steps, D = x_{k+1} - x_{k-1}. In a narrow curved valley successive steps zig-zag across it and D
 * points along it; on a quadratic objective with exact steepest-descent steps PARTAN is conjugate
 * gradients.
 *
 * The search: phi(c) = f(x_{k+1} + c D) is probed at c = h and 2h, the parabola through
 * (0, phi(0)), (h, phi(h)), (2h, phi(2h)) is minimised, and its minimiser c* (clamped to cMax) is
 * probed when it has positive curvature, lies in (0, cMax] and is not one of the probes already
 * taken (within h / 10). On a quadratic phi the parabola is phi itself and c* its exact minimiser.
 * Returns the best point evaluated, or `at` itself when none is lower: never worse than x_{k+1}.
 * `evaluate(c)` returns the point x_{k+1} + c D with its objective `rr`.
 */
export interface Evaluated {
  readonly rr: number;
}

export interface ParallelTangentsResult<P extends Evaluated> {
  readonly best: P;
  /** The c of the best point, 0 when no probe beat `at`. */
  readonly c: number;
  readonly evaluations: number;
}

export function parallelTangents<P extends Evaluated>(at: P, evaluate: (c: number) => P, h: number, cMax: number): ParallelTangentsResult<P> {
  let best = at;
  let bestC = 0;
  const take = (c: number): P => {
    const p = evaluate(c);
    if (p.rr < best.rr) {
      best = p;
      bestC = c;
    }
    return p;
  };
  const p1 = take(h);
  const p2 = take(2 * h);
  let evaluations = 2;
  // The parabola phi(c) = phi(0) + s c + q c^2 through the three values (divided differences).
  const d1 = (p1.rr - at.rr) / h;
  const d2 = (p2.rr - p1.rr) / h;
  const q = (d2 - d1) / (2 * h);
  if (q > 0 && Number.isFinite(q)) {
    const s = d1 - q * h;
    const c = Math.min(-s / (2 * q), cMax);
    if (c > 0 && Math.abs(c - h) > h / 10 && Math.abs(c - 2 * h) > h / 10) {
      take(c);
      evaluations++;
    }
  }
  return { best, c: bestC, evaluations };
}
