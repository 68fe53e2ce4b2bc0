import { f2FromSolution } from "../als/factors.js";
import { halfStep, structuredAls } from "../als/methods/structured.js";
import type { AlsOptions, StopReason } from "../als/options.js";
import type { AlsResult, Construction } from "../als/result.js";
import { DecomposeError } from "../errors.js";
import { compose, composeFlops } from "../geometry/compose.js";
import { kernelFromCoefficients, polynomialAxis, polynomialCoefficients, polynomialUnavailable } from "../geometry/polynomial-axis.js";
import type { SplitGeometry } from "../geometry/shapes.js";
import { diffNorm, frobeniusNorm, swapChannels, type Tensor4 } from "../geometry/tensor.js";
import { cholesky } from "../linalg/cholesky.js";
import { trsmLowerLeft } from "../linalg/trsm.js";
import { IDENTITY_MOBIUS, inverseMobiusTransform, mobiusTransform, REVERSAL_MOBIUS, rotationMobius, type Mobius } from "./mobius.js";
import { balancedAssignment, extremeAssignments, monicRightDivisor, polynomialEigenpairs } from "./right-divisor.js";

/**
 * `--method polynomial`: the exact split of a 1-D parent at m = c_in = c_out with k1 + k2 - 1 = k
 * by factorising the matrix polynomial T(z) = F2(z) F1(z) (geometry/polynomial-axis.ts). There the
 * parameter count m (c_in k1 + c_out k2) - m^2 equals the equation count c_out c_in k, and ALS and
 * LM stall near 1e-2 while a direct factorisation is exact:
 *  1. change variable (mobius.ts) so that the leading coefficient is invertible: z itself, then
 *     w = 1/z (the other end), then rotations z = (cos t w - sin t) / (sin t w + cos t);
 *  2. eigenpairs of the block companion matrix (right-divisor.ts), c (k1 - 1) of them given to
 *     F1 (conjugate pairs together, dealt alternately by modulus, several such deals);
 *  3. F1 the monic right divisor through them, changed back to z, its rows orthonormalised
 *     (f1 -> L^-1 f1 with L L^T = F F^T, F = f1 unfolded to c x c k1; the gauge f1 -> A f1,
 *     f2 -> f2 A^-1 leaves the composition free, and this choice conditions the f2 step);
 *  4. f2 by the exact structured least-squares half-step given f1 (als/methods/structured.ts);
 *  5. the best deal polished by structured sweeps from its f1 (ridge 1e-14, to 1e-12 or --tol).
 * When no deal reaches EXACT_RESIDUAL (every eigenvalue complex and c (k1 - 1) odd, which proves
 * that no exact real split exists; or every leading coefficient singular), structured ALS runs from the spectral
 * start with the user's budget and the better of the two is returned; `construction` says which.
 */
export const EXACT_RESIDUAL = 1e-10;
/** Stop trying deals once one is this close (before polishing). */
const GOOD_ENOUGH = 1e-11;
const POLISH_TOL = 1e-12;
const POLISH_SWEEPS = 10;
/** A ridge of 1e-14 mean(diag(G)): only a guard against exactly singular normal matrices. */
const LS_RIDGE = 1e-14;
const DEAL_BIASES = [0, 0.5, -0.5];
/** A computed pair with |im| below this (relative) may be a real double eigenvalue split by rounding. */
const NEAR_REAL = 1e-6;
const CHANGES: readonly { readonly name: string; readonly mobius: Mobius }[] = [
  { name: "z", mobius: IDENTITY_MOBIUS },
  { name: "1/z", mobius: REVERSAL_MOBIUS },
  ...[0.4, 1.3, 2.5].map((t) => ({ name: `rotation ${t}`, mobius: rotationMobius(t) })),
];

export function matrixPolynomialUnavailable(g: SplitGeometry): string | undefined {
  return polynomialUnavailable(g);
}

interface Candidate {
  readonly f1: Tensor4;
  readonly f2: Tensor4;
  readonly rel: number;
  readonly how: string;
}

export function matrixPolynomial(T: Tensor4, g: SplitGeometry, opts: AlsOptions): AlsResult {
  const why = polynomialUnavailable(g);
  const axis = polynomialAxis(g);
  if (why !== undefined || axis === null) throw new DecomposeError("E_OPTION", `--method polynomial: ${why ?? "not a 1-D split"}`);
  const c = g.m;
  const d1 = (axis === "w" ? g.k1.w : g.k1.h) - 1;
  const tNorm = frobeniusNorm(T.data) || 1;
  const Tswap = swapChannels(T);
  const P = polynomialCoefficients(T, axis);
  let flops = 0;
  let best: Candidate | undefined;
  const failures: string[] = [];
  let impossible = false;
  search: for (const change of CHANGES) {
    const eig = polynomialEigenpairs(mobiusTransform(P, change.mobius), c);
    flops += eig.flops;
    if (!eig.ok) {
      failures.push(`in ${change.name}: ${eig.why}`);
      continue;
    }
    const deals = distinct([...DEAL_BIASES.map((b) => balancedAssignment(eig.value, c * d1, b)), ...extremeAssignments(eig.value, c * d1)]);
    if (deals.length === 0) {
      // Every eigenvalue is complex and c (k1 - 1) is odd. With an invertible leading coefficient,
      // det T has degree c (k - 1) = deg det F1 + deg det F2 with deg det Fi <= c (ki - 1), so any real
      // exact split has det F1 real of odd degree c (k1 - 1): it has a real root, an eigenvalue of
      // T, and there is none. So no exact real split exists. (Claimed only when no computed pair
      // is near the real axis, where rounding could have split a real double eigenvalue.)
      impossible = eig.value.every((u) => u.im > NEAR_REAL * Math.max(u.modulus, 1));
      failures.push(`no conjugate-closed choice of c (k1 - 1) = ${c * d1} eigenvalues (all ${c * (P.length - 1)} are complex)${impossible ? ": no exact real split exists" : ""}`);
      break;
    }
    for (const [q, deal] of deals.entries()) {
      const F1 = monicRightDivisor(eig.value, deal, c, d1);
      flops += F1.flops;
      if (!F1.ok) {
        failures.push(`in ${change.name}, deal ${q + 1}: ${F1.why}`);
        continue;
      }
      const f1 = orthonormalRows(kernelFromCoefficients(inverseMobiusTransform(F1.value, change.mobius), c, c, axis));
      const s2 = halfStep(swapChannels(f1), Tswap, g.k2, LS_RIDGE, 1);
      const f2 = f2FromSolution(s2.X, g.m, g.k2, g.cOut);
      const rel = diffNorm(compose(f1, f2).data, T.data) / tNorm;
      flops += s2.flops + composeFlops(f1, f2);
      if (Number.isFinite(rel) && (best === undefined || rel < best.rel)) best = { f1, f2, rel, how: `variable ${change.name}, deal ${q + 1} of ${deals.length}` };
      if (best !== undefined && best.rel <= GOOD_ENOUGH) break search;
    }
  }
  let result: AlsResult | undefined;
  if (best !== undefined) result = polish(T, g, opts, best, flops);
  const constructed = result?.trace[result.trace.length - 1] ?? Infinity;
  if (result !== undefined && best !== undefined && constructed <= EXACT_RESIDUAL) {
    return { ...result, construction: { exact: true, impossible: false, residualRel: constructed, description: `T(z) = F2(z) F1(z) factorised (${best.how}): relative residual ${constructed.toExponential(1)}` } };
  }
  // No exact construction: structured ALS from the spectral start, and the better of the two.
  const als = structuredAls(T, g, { ...opts, init: opts.init ?? "spectral" });
  const alsRel = als.trace[als.trace.length - 1] ?? Infinity;
  const tried = best === undefined ? `no factorisation (${[...new Set(failures)].slice(0, 3).join("; ")})` : `the best factorisation reached ${constructed.toExponential(1)} only`;
  const useAls = result === undefined || alsRel < constructed;
  const construction: Construction = {
    exact: false,
    impossible,
    residualRel: constructed,
    description: `${tried}; returned ${useAls ? "structured ALS from the spectral start" : "the factorisation, which beat structured ALS"} (${(useAls ? alsRel : constructed).toExponential(1)})`,
  };
  const chosen = useAls || result === undefined ? als : result;
  const polishFlops = result === undefined ? 0 : result.flops - flops;
  return { ...chosen, flops: flops + polishFlops + als.flops, construction };
}

/** Structured sweeps from the constructed f1 until POLISH_TOL (or --tol if smaller); the trace starts with the construction. */
function polish(T: Tensor4, g: SplitGeometry, opts: AlsOptions, best: Candidate, flops: number): AlsResult {
  const tol = Math.min(opts.tol, POLISH_TOL);
  const finish = (trace: number[], iterations: number, f1: Tensor4, f2: Tensor4, extra: number, why?: StopReason): AlsResult => {
    const last = trace[trace.length - 1]!;
    return { f1, f2, trace, iterations, stopReason: last <= opts.tol ? "tolerance" : (why ?? "stalled"), flops: flops + extra };
  };
  opts.onIteration?.(1, best.rel);
  if (best.rel <= tol) return finish([best.rel], 1, best.f1, best.f2, 0);
  const sweeps = structuredAls(T, g, { ...opts, lambda: LS_RIDGE, lambdaMin: LS_RIDGE, tol, maxIter: Math.min(POLISH_SWEEPS, opts.maxIter), onIteration: (k, rel) => opts.onIteration?.(k + 1, rel) }, best.f1);
  const last = sweeps.trace[sweeps.trace.length - 1] ?? Infinity;
  if (!(last < best.rel)) return finish([best.rel], 1, best.f1, best.f2, sweeps.flops);
  return finish([best.rel, ...sweeps.trace], 1 + sweeps.iterations, sweeps.f1, sweeps.f2, sweeps.flops, sweeps.stopReason);
}

/**
 * f1 -> L^-1 f1 with L L^T = F F^T, F the c x (c_in k1h k1w) unfolding of f1 (rows = middle
 * channels): the rows of the result are orthonormal. The composition is unchanged once f2 is
 * re-solved (the gauge f2 -> f2 L). A rank-deficient F is returned as it is.
 */
function orthonormalRows(f1: Tensor4): Tensor4 {
  const [m, cIn, kh, kw] = f1.shape;
  const w = cIn * kh * kw;
  const F = f1.data.slice();
  const S = new Float64Array(m * m);
  for (let p = 0; p < m; p++) {
    for (let q = 0; q <= p; q++) {
      let s = 0;
      for (let t = 0; t < w; t++) s += F[p * w + t]! * F[q * w + t]!;
      S[p * m + q] = s;
      S[q * m + p] = s;
    }
  }
  if (!cholesky(m, S, m).ok) return f1;
  trsmLowerLeft(m, w, S, m, F, w);
  return { shape: f1.shape, data: F };
}

function distinct(deals: readonly (boolean[] | undefined)[]): boolean[][] {
  const seen = new Set<string>();
  const out: boolean[][] = [];
  for (const d of deals) {
    if (d === undefined) continue;
    const key = d.map((x) => (x ? "1" : "0")).join("");
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
