/**
 * The calibration activations of an ONNX model's Convs: a copy of the model (in memory) lists
 * every wanted Conv input as an extra graph output, and ONNX Runtime runs it on each calibration
 * sample in turn (batch 1); sample j's (1, c_in, H, W) map goes to row j of that Conv's
 * (N, c_in, H, W) array, float64. Memory is bounded before anything runs: the arrays need
 * N x sum(c_in H W) float64 cells, refused above MAX_CAPTURE_CELLS (2^25 cells, 256 MiB) with
 * what they would need.
 */
import { DecomposeError } from "../errors.js";
import type { Tensor4 } from "../geometry/tensor.js";
import { float16BitsToNumber, numberToFloat16Bits } from "../io/npy.js";
import { quoted } from "../io/quote.js";
import type { CalibrationInputs } from "./calibration-inputs.js";
import { onnx, type ModelProto } from "./onnx.js";
import { loadRuntime } from "./runtime.js";

export const MAX_CAPTURE_CELLS = 2 ** 25;

type Ort = Extract<Awaited<ReturnType<typeof loadRuntime>>, { ok: true }>["ort"];
export type OrtFeeds = Record<string, InstanceType<Ort["Tensor"]>>;

/** Refuse before running when the activations of `perSample` (tensor -> (1, c, h, w)) would not fit. */
export function checkCaptureSize(perSample: ReadonlyMap<string, readonly number[]>, samples: number, file: string): void {
  let cells = 0;
  for (const d of perSample.values()) cells += d.reduce((a, b) => a * b, 1);
  const need = cells * samples;
  if (need > MAX_CAPTURE_CELLS) {
    const fit = Math.floor(MAX_CAPTURE_CELLS / cells);
    throw new DecomposeError(
      "E_OPTION",
      `the calibration activations of ${perSample.size} Convs on ${samples} samples need ${need} float64 cells (${(need / 2 ** 27).toFixed(2)} GiB), above the limit of ${MAX_CAPTURE_CELLS} (256 MiB): give at most ${fit} samples, or fewer Convs with --select/--exclude`,
      file,
    );
  }
}

/** Feeds for sample j of the calibration inputs, in each input's element type. */
export function sampleFeeds(ort: Ort, c: CalibrationInputs, j: number, elemTypes: ReadonlyMap<string, number>): OrtFeeds {
  const feeds: OrtFeeds = {};
  for (const i of c.inputs) {
    const per = i.dims.reduce((a, b) => a * b, 1);
    const x = i.data.subarray(j * per, (j + 1) * per);
    const t = elemTypes.get(i.name) ?? onnx.TensorProto.DataType.FLOAT;
    if (t === onnx.TensorProto.DataType.DOUBLE) feeds[i.name] = new ort.Tensor("float64", Float64Array.from(x), [...i.dims]);
    else if (t === onnx.TensorProto.DataType.FLOAT16) feeds[i.name] = new ort.Tensor("float16", Uint16Array.from(x, numberToFloat16Bits), [...i.dims]);
    else feeds[i.name] = new ort.Tensor("float32", Float32Array.from(x), [...i.dims]);
  }
  return feeds;
}

export function inputElemTypes(proto: ModelProto): Map<string, number> {
  return new Map((proto.graph?.input ?? []).map((v) => [v.name ?? "", v.type?.tensorType?.elemType ?? onnx.TensorProto.DataType.FLOAT]));
}

/**
 * Run every sample; returns each named tensor as (N, c, h, w). `perSample` gives the expected
 * per-sample dims (checked: a Conv input that is not 4-D with batch 1 is a bug in the caller).
 */
export async function captureActivations(proto: ModelProto, perSample: ReadonlyMap<string, readonly number[]>, c: CalibrationInputs): Promise<Map<string, Tensor4>> {
  checkCaptureSize(perSample, c.samples, c.file);
  const rt = await loadRuntime();
  if (!rt.ok) throw new DecomposeError("E_OPTION", `--calibration-data needs onnxruntime-node to run the model: ${rt.reason}`, c.file);
  const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(proto).finish());
  const g = copy.graph!;
  const fed = new Set(c.inputs.map((i) => i.name));
  const listed = new Set((g.output ?? []).map((o) => o.name ?? ""));
  const elem = g.input?.find((i) => i.type?.tensorType)?.type?.tensorType?.elemType ?? onnx.TensorProto.DataType.FLOAT;
  const names = [...perSample.keys()];
  const run = names.filter((n) => !fed.has(n));
  for (const n of run) if (!listed.has(n)) g.output!.push(onnx.ValueInfoProto.create({ name: n, type: { tensorType: { elemType: elem } } }));
  const out = new Map<string, Tensor4>();
  for (const n of names) {
    const d = perSample.get(n)!;
    out.set(n, { shape: [c.samples, d[1]!, d[2]!, d[3]!], data: new Float64Array(c.samples * d[1]! * d[2]! * d[3]!) });
  }
  const types = inputElemTypes(proto);
  let session: Awaited<ReturnType<typeof rt.ort.InferenceSession.create>>;
  try {
    session = await rt.ort.InferenceSession.create(onnx.ModelProto.encode(copy).finish(), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (e) {
    throw new DecomposeError("E_ONNX", `ONNX Runtime cannot load the model to capture activations (${firstLine(e)})`, c.file);
  }
  try {
    for (let j = 0; j < c.samples; j++) {
      const feeds = sampleFeeds(rt.ort, c, j, types);
      let res: Awaited<ReturnType<typeof session.run>>;
      try {
        res = run.length > 0 ? await session.run(feeds, run) : {};
      } catch (e) {
        throw new DecomposeError("E_ONNX", `ONNX Runtime cannot run the model on calibration sample ${j} (${firstLine(e)})`, c.file);
      }
      for (const n of names) {
        const t = out.get(n)!;
        const per = t.data.length / c.samples;
        const src = fed.has(n) ? c.inputs.find((i) => i.name === n)!.data.subarray(j * per, (j + 1) * per) : values(res[n]!.type, res[n]!.data);
        if (src.length !== per) throw new DecomposeError("E_ONNX", `tensor ${quoted(n)} has ${src.length} values per sample at run time, its shape says ${per}`, c.file);
        t.data.set(src, j * per);
      }
    }
  } finally {
    await session.release();
  }
  return out;
}

function values(type: string, data: unknown): Float64Array {
  if (type === "float16") return Float64Array.from(data as Uint16Array, float16BitsToNumber);
  return Float64Array.from(data as ArrayLike<number>);
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
}
