/**
 * `--calibration` end to end: real weights (two convs of `@upscalerjs/default-model`) and their
 * real input activations (the model run on a 48x48 crop of the package's fixture image by
 * test/helpers/upscaler.ts), written as a dump and an activations file. The calibrated split must
 * lower the held-out output error against the kernel fit of the same geometry and m (computed here
 * by direct convolution of the held-out samples); bad calibration files get one line and exit 2.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conv2d } from "../../src/geometry/conv2d.js";
import type { Tensor4 } from "../../src/geometry/tensor.js";
import { parseNpz } from "../../src/io/npz.js";
import { serializeNpy } from "../../src/io/npy.js";
import { serializeNpz, decodeNpzArray } from "../../src/io/npz.js";
import { cli, tempDir } from "../batch/helpers.js";
import { loadUpscaler, pngToTensor, readPng, UPSCALER_DIR } from "../helpers/upscaler.js";

const out = tempDir("calibration-cli-");
afterAll(() => out.remove());
const LAYERS = ["F_0", "UPN2"];
let model: string, actsFile: string;
const held = new Map<string, Tensor4>();

/** (1, c, H, W) -> (t, c, s, s) tiles on a grid. */
function grid(x: Tensor4, s: number): Tensor4 {
  const [, c, H, W] = x.shape;
  const ny = Math.floor(H / s), nx = Math.floor(W / s);
  const out = new Float64Array(ny * nx * c * s * s);
  for (let ty = 0; ty < ny; ty++) for (let tx = 0; tx < nx; tx++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < s; y++) for (let xx = 0; xx < s; xx++)
    out[((((ty * nx + tx) * c + ch) * s + y) * s) + xx] = x.data[(ch * H + ty * s + y) * W + tx * s + xx]!;
  return { shape: [ny * nx, c, s, s], data: out };
}

beforeAll(() => {
  const up = loadUpscaler();
  const img = pngToTensor(readPng(join(UPSCALER_DIR, "assets", "fixture.png")));
  const [, , H, W] = img.shape;
  const crop: Tensor4 = { shape: [1, 3, 48, 48], data: new Float64Array(3 * 48 * 48) };
  for (let c = 0; c < 3; c++) for (let y = 0; y < 48; y++) for (let x = 0; x < 48; x++) crop.data[(c * 48 + y) * 48 + x] = img.data[(c * H + 40 + y) * W + 40 + x]!;
  const { inputs } = up.forward(crop);
  const weights: { name: string; npy: Uint8Array }[] = [];
  const acts: { name: string; npy: Uint8Array }[] = [];
  for (const l of LAYERS) {
    const c = up.convs.get(l)!;
    weights.push({ name: `${l}.weight`, npy: serializeNpy([...c.weight.shape], c.weight.data, "float32") });
    weights.push({ name: `${l}.bias`, npy: serializeNpy([c.bias.length], c.bias, "float32") });
    const t = grid(inputs.get(l)!, 16); // 9 tiles of 16x16: 7 fit, 2 held out
    acts.push({ name: `${l}.weight`, npy: serializeNpy([...t.shape], t.data, "float32") });
  }
  model = join(out.dir, "upscaler.npz");
  actsFile = join(out.dir, "acts.npz");
  writeFileSync(model, serializeNpz(weights, false));
  writeFileSync(actsFile, serializeNpz(acts, false));
  for (const a of parseNpz(readFileSync(actsFile), actsFile)) {
    const d = decodeNpzArray(a, actsFile);
    const [N, C, h, w] = a.shape as [number, number, number, number];
    held.set(a.name, { shape: [2, C, h, w], data: d.slice((N - 2) * C * h * w) });
  }
}, 60_000);

function heldOutError(name: string, file: string, weights: Tensor4): number {
  const z = parseNpz(readFileSync(file), file);
  const get = (n: string): Tensor4 => {
    const a = z.find((x) => x.name === n)!;
    return { shape: a.shape as [number, number, number, number], data: decodeNpzArray(a, file) };
  };
  const L = name.replace(/\.weight$/, "");
  const f1 = get(`${L}.f1`), f2 = get(`${L}.f2`);
  const x = held.get(name)!;
  const y = conv2d(x, weights, { h: 1, w: 1 });
  const zz = conv2d(conv2d(x, f1, { h: 1, w: 1 }), f2, { h: 0, w: 0 });
  let e = 0, n = 0;
  for (let q = 0; q < y.data.length; q++) {
    e += (y.data[q]! - zz.data[q]!) ** 2;
    n += y.data[q]! ** 2;
  }
  return Math.sqrt(e / n);
}

describe("--calibration", () => {
  it("when real activations are given then the held-out output error is below the kernel fit's", async () => {
    const args = [model, "--filters", "8", "--k1", "3", "--k2", "1", "--max-iter", "30", "--json", "-j", "1", "--only-decomposed"];
    const plain = await cli([...args, "-o", join(out.dir, "plain")]);
    const cal = await cli([...args, "--calibration", actsFile, "-o", join(out.dir, "cal")]);
    expect(cal.stderr).toBe("");
    expect(cal.code).toBe(0);
    const recs = cal.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; name: string; calibration?: { mode: string; outputRel: { heldOut: number }; samples: { heldOut: number } } });
    const up = loadUpscaler();
    for (const r of recs.filter((x) => x.type === "layer")) {
      expect(r.calibration?.mode).toBe("im2col");
      expect(r.calibration?.samples.heldOut).toBe(2);
      const W = up.convs.get(r.name.replace(/\.weight$/, ""))!.weight;
      const before = heldOutError(r.name, join(out.dir, "plain", "upscaler.decomposed.npz"), W);
      const after = heldOutError(r.name, join(out.dir, "cal", "upscaler.decomposed.npz"), W);
      expect(after).toBeCloseTo(r.calibration!.outputRel.heldOut, 6);
      expect(after).toBeLessThan(0.8 * before);
    }
    expect(plain.code).toBe(0);
  }, 120_000);

  it("when the calibration file names no layer, has the wrong channels or non-finite values then one line and exit 2", async () => {
    const bad = (name: string, shape: number[], fill: number): string => {
      const n = shape.reduce((a, b) => a * b, 1);
      const f = join(out.dir, `bad-${name}-${shape[1]}-${fill}.npz`);
      const data = new Float64Array(n).fill(1);
      data[3] = fill;
      writeFileSync(f, serializeNpz([{ name, npy: serializeNpy(shape, data, "float32") }], false));
      return f;
    };
    for (const [file, msg] of [
      [bad("nope.weight", [2, 64, 4, 4], 1), /calibration array 'nope.weight' matches no layer/],
      [bad("F_0.weight", [2, 12, 4, 4], 1), /calibration array 'F_0.weight' has 12 channels, layer 'F_0.weight' reads 64/],
      [bad("F_0.weight", [2, 64, 4, 4], NaN), /member F_0.weight.npy: 1 non-finite value \(first NaN at \[0, 0, 0, 3\]\)/],
      [bad("F_0.weight", [1, 64, 4, 4], 1), /at least 2 are needed/],
    ] as const) {
      const r = await cli([model, "--filters", "4", "--calibration", file, "-o", join(out.dir, "bad")]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
  });
});
