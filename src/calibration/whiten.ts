/**
 * Data-aware fitting (issue 12): minimise E ||conv(x, W) - conv(conv(x, f1), f2)||^2 over
 * calibration inputs x instead of the kernel residual. With G = L L^T the activations' second
 * moment (covariance.ts), the objective is ||(C - T) L||_F^2 over the kernels' flattened input
 * index, so the kernel problem is solved for the whitened target T L and f1 mapped back by
 * L^{-1} (composition is linear in f1's input index), as activation-aware SVD does for linear
 * layers. Two cases:
 * - `im2col` (f2 is 1x1, so f1 spans the whole composed window ke): G is the full
 *   spatial-channel autocovariance of the window ke with padding P; T L and f1 L^{-1} act on the
 *   flattened (i, u) index, which is still a kxk conv: the objective is EXACT.
 * - `channel` (every other geometry): f1's window is smaller than ke, so only the input-channel
 *   covariance (1x1 window) whitens (T L over i at every tap); this drops the correlations between
 *   taps: an approximation of the objective, exact for spatially uncorrelated inputs.
 * G gets a scale-free ridge of 1e-6 mean(diag(G)) so that L is invertible on rank-deficient data.
 */
import { decompose, type DecomposeOptions, type Decomposition } from "../decompose.js";
import { DecomposeError } from "../errors.js";
import { compose } from "../geometry/compose.js";
import { pad2d } from "../geometry/pad.js";
import { resolveGeometry, samePadding } from "../geometry/shapes.js";
import { diffNorm, frobeniusNorm, type Size2, type Tensor4 } from "../geometry/tensor.js";
import { cholesky } from "../linalg/cholesky.js";
import { invertLower } from "../linalg/trsm.js";
import { activationGram } from "./covariance.js";
import { outputResidual } from "./output-error.js";

export type WhiteningMode = "channel" | "im2col";

export interface CalibrationSet {
  /** Samples the fit uses (N, c_in, H, W). */
  readonly fit: Tensor4;
  /** Samples held out for the output-space residual. */
  readonly heldOut: Tensor4;
}

export interface CalibratedSplit {
  readonly f1: Tensor4;
  readonly f2: Tensor4;
  readonly mode: WhiteningMode;
  /** ||compose(f1, f2) - T|| / ||T|| of the factors returned. */
  readonly kernelRel: number;
  /** Output-space residual (output-error.ts) on the held-out and on the fit samples. */
  readonly outputRel: { readonly heldOut: number; readonly fit: number };
  /** The decomposition of the whitened problem (its residual is the whitened one). */
  readonly whitened: Decomposition;
}

export const WHITENING_RIDGE = 1e-6;

export function calibratedDecompose(parent: Tensor4, acts: CalibrationSet, options: DecomposeOptions): CalibratedSplit {
  const [cOut, cIn, kh, kw] = parent.shape;
  for (const t of [acts.fit, acts.heldOut]) {
    if (t.shape[1] !== cIn) throw new DecomposeError("E_SHAPE", `calibration activations have ${t.shape[1]} channels, the layer reads ${cIn}`, options.file);
  }
  const g = resolveGeometry(parent.shape, options.filters, options.k1, options.k2, options.file);
  const pp = options.parentPadding ?? samePadding(g.k);
  const mode: WhiteningMode = g.k2.h === 1 && g.k2.w === 1 ? "im2col" : "channel";
  const P: Size2 = { h: pp.h + g.targetPad.h, w: pp.w + g.targetPad.w };
  const window: Size2 = mode === "im2col" ? g.ke : { h: 1, w: 1 };
  const G = activationGram(acts.fit, window, mode === "im2col" ? P : { h: 0, w: 0 });
  const n = Math.round(Math.sqrt(G.length));
  let mean = 0;
  for (let i = 0; i < n; i++) mean += G[i * n + i]! / n;
  if (!(mean > 0)) throw new DecomposeError("E_NUMERIC", "calibration activations are all zero", options.file);
  for (let i = 0; i < n; i++) G[i * n + i] = G[i * n + i]! + WHITENING_RIDGE * mean;
  const chol = cholesky(n, G);
  if (!chol.ok) throw new DecomposeError("E_NUMERIC", `calibration covariance is not positive definite (column ${chol.failedAt})`, options.file);
  const L = G; // lower triangle holds L; zero the rest for the products below
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) L[i * n + j] = 0;
  const Linv = invertLower(n, L, n);

  let whitened: Decomposition;
  let f1: Tensor4;
  if (mode === "im2col") {
    // T padded to ke, each output channel's (i, u) row times L; split with f1 = ke, f2 = 1x1.
    const T = pad2d(parent, g.targetPad);
    const Tw = rowsTimes(T.data, cOut, n, L);
    whitened = decompose({ shape: T.shape, data: Tw }, { ...options, k1: g.ke, k2: { h: 1, w: 1 }, parentPadding: P });
    f1 = { shape: whitened.f1.shape, data: rowsTimes(whitened.f1.data, whitened.f1.shape[0], n, Linv) };
  } else {
    const taps = kh * kw;
    const Ww = channelTimes(parent.data, cOut, cIn, taps, L);
    whitened = decompose({ shape: parent.shape, data: Ww }, { ...options, parentPadding: pp });
    const f = whitened.f1;
    f1 = { shape: f.shape, data: channelTimes(f.data, f.shape[0], cIn, f.shape[2] * f.shape[3], Linv) };
  }
  const f2 = whitened.f2;
  const T = pad2d(parent, g.targetPad);
  const C = compose(f1, f2);
  const tn = frobeniusNorm(T.data);
  return {
    f1,
    f2,
    mode,
    kernelRel: tn > 0 ? diffNorm(C.data, T.data) / tn : 0,
    outputRel: { heldOut: outputResidual(acts.heldOut, parent, f1, f2, pp), fit: outputResidual(acts.fit, parent, f1, f2, pp) },
    whitened,
  };
}

/** Each of `rows` rows of A (rows x n) times M (n x n). */
function rowsTimes(A: Float64Array, rows: number, n: number, M: Float64Array): Float64Array {
  const out = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < n; k++) {
      const a = A[r * n + k]!;
      if (a === 0) continue;
      for (let j = 0; j < n; j++) out[r * n + j] += a * M[k * n + j]!;
    }
  }
  return out;
}

/** K (a, c, taps): out[a, j, t] = sum_i K[a, i, t] M[i, j]. */
function channelTimes(K: Float64Array, a: number, c: number, taps: number, M: Float64Array): Float64Array {
  const out = new Float64Array(a * c * taps);
  for (let o = 0; o < a; o++) {
    for (let i = 0; i < c; i++) {
      for (let j = 0; j < c; j++) {
        const m = M[i * c + j]!;
        if (m === 0) continue;
        for (let t = 0; t < taps; t++) out[(o * c + j) * taps + t] += K[(o * c + i) * taps + t]! * m;
      }
    }
  }
  return out;
}
