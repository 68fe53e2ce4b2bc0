/**
 * Data-aware fitting on real weights with real activations: `@upscalerjs/default-model`'s RDN run
 * on the package's own fixture image by a forward pass built on the repository's conv2d
 * (test/helpers/upscaler.ts), checked first against the package's expected output (its oracle).
 * Each conv's input is cut into 32x32 tiles; the fit uses 6, two others are held out. At the same
 * geometry and m (the same weights), the calibrated split must have a lower output-space residual
 * on the held-out tiles than the kernel-space fit. The figures are printed for the README.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { calibratedDecompose, type CalibrationSet } from "../../src/calibration/whiten.js";
import { outputResidual } from "../../src/calibration/output-error.js";
import { decompose } from "../../src/decompose.js";
import type { Size2, Tensor4 } from "../../src/geometry/tensor.js";
import { loadUpscaler, pngToTensor, readPng, UPSCALER_DIR, type Upscaler } from "../helpers/upscaler.js";

let up: Upscaler;
let inputs: Map<string, Tensor4>;
let output: Tensor4;

/** Tiles (t, c, s, s) at the given tile origins of a (1, c, H, W) map. */
function tiles(x: Tensor4, s: number, origins: readonly [number, number][]): Tensor4 {
  const [, c, H, W] = x.shape;
  const out = new Float64Array(origins.length * c * s * s);
  origins.forEach(([oy, ox], t) => {
    for (let ch = 0; ch < c; ch++) for (let y = 0; y < s; y++) for (let xx = 0; xx < s; xx++)
      out[((t * c + ch) * s + y) * s + xx] = x.data[(ch * H + oy + y) * W + ox + xx]!;
  });
  return { shape: [origins.length, c, s, s], data: out };
}

const FIT: [number, number][] = [[0, 0], [0, 64], [32, 32], [64, 0], [64, 96], [96, 32]];
const HELD: [number, number][] = [[32, 96], [96, 96]];

beforeAll(() => {
  up = loadUpscaler();
  const r = up.forward(pngToTensor(readPng(join(UPSCALER_DIR, "assets", "fixture.png"))));
  inputs = r.inputs;
  output = r.output;
}, 120_000);

describe("the upscaler forward pass", () => {
  it("when run on the package's fixture then it reproduces the package's expected 2x output", () => {
    const want = readPng(join(UPSCALER_DIR, "assets", "samples", "2x", "result.png"));
    const [, , H, W] = output.shape;
    expect([want.height, want.width]).toEqual([H, W]);
    let sum = 0, max = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) {
      const got = Math.round(Math.min(255, Math.max(0, output.data[(c * H + y) * W + x]!)));
      const d = Math.abs(got - want.data[(y * W + x) * want.channels + c]!);
      sum += d;
      max = Math.max(max, d);
    }
    expect(max).toBeLessThanOrEqual(1); // 8-bit rounding of float32 vs float64 arithmetic
    expect(sum / (H * W * 3)).toBeLessThan(1e-3);
  });
});

describe("calibrated splits on real activations", () => {
  const cases: { layer: string; k1: Size2; k2: Size2; m: number; mode: string }[] = [
    { layer: "F_0", k1: { h: 3, w: 3 }, k2: { h: 1, w: 1 }, m: 16, mode: "im2col" },
    { layer: "GFF_2", k1: { h: 3, w: 3 }, k2: { h: 1, w: 1 }, m: 16, mode: "im2col" },
    { layer: "UPN2", k1: { h: 3, w: 3 }, k2: { h: 1, w: 1 }, m: 8, mode: "im2col" },
    { layer: "F_0", k1: { h: 2, w: 2 }, k2: { h: 2, w: 2 }, m: 16, mode: "channel" },
    { layer: "UPN1", k1: { h: 3, w: 3 }, k2: { h: 3, w: 3 }, m: 16, mode: "channel" },
    { layer: "UPN2", k1: { h: 3, w: 1 }, k2: { h: 1, w: 3 }, m: 8, mode: "channel" },
  ];
  for (const c of cases) {
    it(`when ${c.layer} is split ${c.k1.h}x${c.k1.w} + ${c.k2.h}x${c.k2.w} at m = ${c.m} then the held-out output error is below the kernel fit's`, () => {
      const W = up.convs.get(c.layer)!.weight;
      const x = inputs.get(c.layer)!;
      const acts: CalibrationSet = { fit: tiles(x, 32, FIT), heldOut: tiles(x, 32, HELD) };
      const opts = { filters: c.m, k1: c.k1, k2: c.k2, maxIter: 30, floor: false, functional: false } as const;
      const pad = { h: (W.shape[2] - 1) / 2, w: (W.shape[3] - 1) / 2 };
      const plain = decompose(W, opts);
      const plainHeld = outputResidual(acts.heldOut, W, plain.f1, plain.f2, pad);
      const cal = calibratedDecompose(W, acts, opts);
      expect(cal.mode).toBe(c.mode);
      console.log(
        `calibration ${c.layer} ${JSON.stringify(W.shape)} ${c.k1.h}x${c.k1.w}+${c.k2.h}x${c.k2.w} m=${c.m} (${c.mode}): ` +
          `kernel ${plain.report.residual.rel.toFixed(4)} -> ${cal.kernelRel.toFixed(4)}, held-out output ${plainHeld.toFixed(4)} -> ${cal.outputRel.heldOut.toFixed(4)} ` +
          `(${((1 - cal.outputRel.heldOut / plainHeld) * 100).toFixed(1)}% lower)`,
      );
      expect(cal.kernelRel).toBeGreaterThanOrEqual(plain.report.residual.rel * 0.999); // the kernel fit is the kernel-space optimum here
      expect(cal.outputRel.heldOut).toBeLessThan(plainHeld);
    }, 60_000);
  }
});
