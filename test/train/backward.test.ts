import { describe, expect, it } from "vitest";
import type { Tensor4 } from "../../src/geometry/tensor.js";
import { Rng } from "../../src/random.js";
import { Adam } from "../../src/train/adam.js";
import { conv2dBackward, conv2dForward } from "../../src/train/conv2d-backward.js";
import { depthwiseBackward, depthwiseForward } from "../../src/train/depthwise-backward.js";
import { maxPoolBackward, maxPoolForward } from "../../src/train/maxpool-backward.js";

/** Central finite differences of L = <y(p), r> (r a fixed random cotangent) at every entry of p. */
function fdGrad(p: Float64Array, loss: () => number, h = 1e-6): Float64Array {
  const g = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    p[i] = v + h;
    const up = loss();
    p[i] = v - h;
    const down = loss();
    p[i] = v;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function expectClose(a: Float64Array, b: Float64Array, tol = 1e-6): void {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  expect(err).toBeLessThanOrEqual(tol * Math.max(1, scale));
}

const rng = new Rng(7);
const t4 = (shape: Tensor4["shape"]): Tensor4 => ({ shape, data: rng.normals(shape[0] * shape[1] * shape[2] * shape[3]) });

describe("conv2d backward (im2col / col2im)", () => {
  for (const pad of [{ h: 0, w: 0 }, { h: 1, w: 2 }]) {
    it(`when padding is ${pad.h}x${pad.w}, then dx, dw, db match finite differences`, () => {
      const x = t4([2, 3, 5, 6]);
      const w = t4([4, 3, 3, 2]);
      const b = rng.normals(4);
      const yShape = conv2dForward(x, w, pad, b).y;
      const r = rng.normals(yShape.data.length);
      const loss = (): number => dot(conv2dForward(x, w, pad, b).y.data, r);
      const { cache } = conv2dForward(x, w, pad, b);
      const g = conv2dBackward(cache, { shape: yShape.shape, data: r });
      expectClose(g.dx.data, fdGrad(x.data, loss));
      expectClose(g.dw.data, fdGrad(w.data, loss));
      expectClose(g.db, fdGrad(b, loss));
    });
  }
});

describe("depthwise conv backward", () => {
  it("when checked against finite differences, then dx, dw, db agree", () => {
    const x = t4([2, 3, 5, 4]);
    const w = t4([3, 1, 3, 3]);
    const b = rng.normals(3);
    const pad = { h: 1, w: 1 };
    const y = depthwiseForward(x, w, pad, b);
    const r = rng.normals(y.data.length);
    const loss = (): number => dot(depthwiseForward(x, w, pad, b).data, r);
    const g = depthwiseBackward(x, w, pad, { shape: y.shape, data: r });
    expectClose(g.dx.data, fdGrad(x.data, loss));
    expectClose(g.dw.data, fdGrad(w.data, loss));
    expectClose(g.db, fdGrad(b, loss));
  });
});

describe("max-pool backward", () => {
  it("when windows overlap (3x3, stride 2), then dx matches finite differences", () => {
    const x = t4([2, 2, 7, 6]);
    const size = { h: 3, w: 3 };
    const stride = { h: 2, w: 2 };
    const { y, argmax } = maxPoolForward(x, size, stride);
    const r = rng.normals(y.data.length);
    const loss = (): number => dot(maxPoolForward(x, size, stride).y.data, r);
    const dx = maxPoolBackward(x.shape, argmax, { shape: y.shape, data: r });
    expectClose(dx.data, fdGrad(x.data, loss, 1e-7));
  });
});

describe("Adam", () => {
  it("when minimising a convex quadratic, then it reaches the minimiser", () => {
    const p = new Float64Array([3, -2]);
    const opt = new Adam(2, 0.05);
    for (let t = 0; t < 2000; t++) opt.step(p, new Float64Array([2 * (p[0]! - 1), 20 * (p[1]! + 0.5)]), 0.05 * (1 - t / 2000));
    expect(Math.abs(p[0]! - 1)).toBeLessThan(1e-3);
    expect(Math.abs(p[1]! + 0.5)).toBeLessThan(1e-3);
  });
});
