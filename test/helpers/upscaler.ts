/**
 * A forward pass of `@upscalerjs/default-model@1.0.0` (MIT; devDependency): the Keras RDN
 * ("generator", 2x super-resolution, input and output in [0, 255]) whose topology is in its
 * models/model.json and whose HWIO float32 kernels are in group1-shard1of1.bin. Every conv runs
 * through the repository's conv2d (src/geometry/conv2d.ts) on OIHW kernels (HWIO transposed, no
 * flip: Keras and torch both cross-correlate), "same" padding; ReLU, channel Concatenate, Add and
 * nearest UpSampling2D are written out below. The package ships its own oracle: assets/fixture.png
 * upscaled is assets/samples/2x/result.png. `forward` also returns every conv's input, the
 * calibration activations of that layer.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { conv2d } from "../../src/geometry/conv2d.js";
import type { Tensor4 } from "../../src/geometry/tensor.js";
import { decodePng, type Png } from "./png.js";
import { REPO_ROOT } from "./fixtures.js";

export const UPSCALER_DIR = join(REPO_ROOT, "node_modules", "@upscalerjs", "default-model");

interface KerasLayer {
  class_name: string;
  name: string;
  config: { kernel_size?: number[]; padding?: string; size?: number[]; axis?: number };
  inbound_nodes: [string, number, number, unknown][][];
}

export interface UpscalerConv {
  readonly name: string;
  readonly weight: Tensor4; // OIHW
  readonly bias: Float64Array;
}

export interface Upscaler {
  readonly convs: ReadonlyMap<string, UpscalerConv>;
  /** x: (1, 3, H, W) in [0, 255] -> the output (1, 3, 2H, 2W), unclipped, and each conv's input. */
  forward(x: Tensor4, replace?: ReadonlyMap<string, (x: Tensor4) => Tensor4>): { output: Tensor4; inputs: Map<string, Tensor4> };
}

export function loadUpscaler(): Upscaler {
  const model = JSON.parse(readFileSync(join(UPSCALER_DIR, "models", "model.json"), "utf8")) as {
    modelTopology: { model_config: { config: { layers: KerasLayer[] } } };
    weightsManifest: { paths: string[]; weights: { name: string; shape: number[] }[] }[];
  };
  const manifest = model.weightsManifest[0]!;
  const bin = readFileSync(join(UPSCALER_DIR, "models", manifest.paths[0]!));
  const f32 = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const raw = new Map<string, { shape: number[]; data: Float32Array }>();
  let at = 0;
  for (const w of manifest.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    raw.set(w.name, { shape: w.shape, data: f32.subarray(at, at + n) });
    at += n;
  }
  if (at !== f32.length) throw new Error(`weights: ${f32.length} floats, manifest uses ${at}`);
  const convs = new Map<string, UpscalerConv>();
  const layers = model.modelTopology.model_config.config.layers;
  for (const l of layers) {
    if (l.class_name !== "Conv2D") continue;
    const k = raw.get(`${l.name}/kernel`)!;
    const [kh, kw, ci, co] = k.shape as [number, number, number, number];
    const data = new Float64Array(co * ci * kh * kw);
    for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++)
      data[((o * ci + i) * kh + y) * kw + x] = k.data[((y * kw + x) * ci + i) * co + o]!;
    convs.set(l.name, { name: l.name, weight: { shape: [co, ci, kh, kw], data }, bias: Float64Array.from(raw.get(`${l.name}/bias`)!.data) });
  }
  const forward: Upscaler["forward"] = (x, replace) => {
    const values = new Map<string, Tensor4>();
    const inputs = new Map<string, Tensor4>();
    let last: Tensor4 = x;
    for (const l of layers) {
      const ins = (l.inbound_nodes[0] ?? []).map((n) => values.get(n[0])!);
      let y: Tensor4;
      switch (l.class_name) {
        case "InputLayer":
          y = x;
          break;
        case "Conv2D": {
          const c = convs.get(l.name)!;
          inputs.set(l.name, ins[0]!);
          const [, , kh, kw] = c.weight.shape;
          const f = replace?.get(l.name);
          y = f ? f(ins[0]!) : conv2d(ins[0]!, c.weight, { h: (kh - 1) / 2, w: (kw - 1) / 2 }, c.bias);
          break;
        }
        case "Activation":
          y = { shape: ins[0]!.shape, data: ins[0]!.data.map((v) => Math.max(0, v)) };
          break;
        case "Concatenate":
          y = concatChannels(ins);
          break;
        case "Add":
          y = { shape: ins[0]!.shape, data: ins[0]!.data.map((v, q) => v + ins[1]!.data[q]!) };
          break;
        case "UpSampling2D":
          y = upsampleNearest(ins[0]!, l.config.size![0]!, l.config.size![1]!);
          break;
        default:
          throw new Error(`unsupported layer ${l.class_name}`);
      }
      values.set(l.name, y);
      last = y;
    }
    return { output: last, inputs };
  };
  return { convs, forward };
}

function concatChannels(ts: readonly Tensor4[]): Tensor4 {
  const [, , h, w] = ts[0]!.shape;
  const c = ts.reduce((s, t) => s + t.shape[1], 0);
  const out = new Float64Array(c * h * w);
  let off = 0;
  for (const t of ts) {
    out.set(t.data, off);
    off += t.data.length;
  }
  return { shape: [1, c, h, w], data: out };
}

function upsampleNearest(t: Tensor4, sh: number, sw: number): Tensor4 {
  const [n, c, h, w] = t.shape;
  const H = h * sh, W = w * sw;
  const out = new Float64Array(n * c * H * W);
  for (let q = 0; q < n * c; q++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++)
    out[(q * H + y) * W + x] = t.data[(q * h + Math.floor(y / sh)) * w + Math.floor(x / sw)]!;
  return { shape: [n, c, H, W], data: out };
}

/** RGB(A) PNG -> (1, 3, H, W) in [0, 255] (alpha dropped). */
export function pngToTensor(p: Png): Tensor4 {
  const { width: w, height: h, channels } = p;
  const data = new Float64Array(3 * h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[(c * h + y) * w + x] = p.data[(y * w + x) * channels + c]!;
  return { shape: [1, 3, h, w], data };
}

export function readPng(path: string): Png {
  return decodePng(readFileSync(path));
}
