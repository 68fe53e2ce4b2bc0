/**
 * The whitening identities (src/calibration/), checked by direct convolution (the brute-force
 * conv of test/helpers/oracles.ts):
 * - covariance: (1/rows) sum ||conv(x, D, P)||^2 = vec(D_o)^T G vec(D_o) summed over o;
 * - im2col mode is exact: the whitened problem's residual^2 equals the fit samples' mean squared
 *   output error (up to the 1e-6 ridge), so the returned factors minimise what the data sees;
 * - bad calibration input: a channel count that is not the layer's is one clear error.
 */
import { describe, expect, it } from "vitest";
import { activationGram } from "../../src/calibration/covariance.js";
import { calibratedDecompose } from "../../src/calibration/whiten.js";
import { compose } from "../../src/geometry/compose.js";
import { conv2d } from "../../src/geometry/conv2d.js";
import type { Tensor4 } from "../../src/geometry/tensor.js";
import { bruteConv2d } from "../helpers/oracles.js";
import { TestRng } from "../helpers/random.js";

/** Correlated test activations: a smooth random field mixed across channels. */
function activations(n: number, c: number, s: number, seed: number): Tensor4 {
  const rng = new TestRng(seed);
  const base = rng.normals(n * c * s * s);
  const mix = rng.normals(c * c);
  const out = new Float64Array(base.length);
  for (let q = 0; q < n; q++) for (let i = 0; i < c; i++) for (let j = 0; j < c; j++) for (let p = 0; p < s * s; p++) {
    const y = Math.floor(p / s), x = p % s;
    const nb = base[(q * c + j) * s * s + p]! + (x > 0 ? base[(q * c + j) * s * s + p - 1]! : 0) + (y > 0 ? base[(q * c + j) * s * s + p - s]! : 0);
    out[(q * c + i) * s * s + p] += mix[i * c + j]! * nb;
  }
  return { shape: [n, c, s, s], data: out };
}

describe("activationGram", () => {
  it("when a kernel is convolved with the activations then its energy is the Gram's quadratic form", () => {
    const x = activations(2, 3, 7, 1);
    const D: Tensor4 = { shape: [4, 3, 3, 3], data: new TestRng(2).normals(4 * 27) };
    const pad = { h: 1, w: 1 };
    const G = activationGram(x, { h: 3, w: 3 }, pad);
    const y = bruteConv2d(x, D, pad);
    const rows = 2 * 7 * 7;
    const energy = y.data.reduce((a, v) => a + v * v, 0) / rows;
    let q = 0;
    const n = 27;
    for (let o = 0; o < 4; o++) for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) q += D.data[o * n + a]! * G[a * n + b]! * D.data[o * n + b]!;
    expect(Math.abs(q - energy)).toBeLessThan(1e-10 * energy);
  });
});

describe("calibratedDecompose", () => {
  it("when f2 is 1x1 then the whitened residual is the mean squared output error on the fit samples", () => {
    const W: Tensor4 = { shape: [5, 4, 3, 3], data: new TestRng(3).normals(5 * 36) };
    const fit = activations(3, 4, 8, 4);
    const r = calibratedDecompose(W, { fit, heldOut: activations(1, 4, 8, 5) }, { filters: 2, k1: { h: 3, w: 3 }, k2: { h: 1, w: 1 }, maxIter: 50, floor: false, functional: false });
    expect(r.mode).toBe("im2col");
    const D = compose(r.f1, r.f2);
    for (let q = 0; q < D.data.length; q++) D.data[q] = D.data[q]! - W.data[q]!;
    const e = conv2d(fit, D, { h: 1, w: 1 });
    const mse = e.data.reduce((a, v) => a + v * v, 0) / (3 * 64);
    const whitenedSq = r.whitened.report.residual.abs ** 2;
    expect(Math.abs(whitenedSq - mse)).toBeLessThan(1e-4 * mse);
  });
  it("when the activations have another channel count then one clear error", () => {
    const W: Tensor4 = { shape: [5, 4, 3, 3], data: new TestRng(3).normals(5 * 36) };
    const bad = activations(2, 3, 6, 1);
    expect(() => calibratedDecompose(W, { fit: bad, heldOut: bad }, { filters: 2 })).toThrow(/3 channels, the layer reads 4/);
  });
});
