/**
 * The end-to-end check on real inputs: the parent and the decomposed model run in ONNX Runtime on
 * the held-out calibration samples (the last max(1, floor(N / 4)), which no layer was fitted to),
 * and each graph output, concatenated over the samples, is compared as verify.ts does
 * (max |dev|, max |dev| / max |parent output|, cosine).
 */
import { float16BitsToNumber } from "../io/npy.js";
import { heldOutCount, type CalibrationInputs } from "./calibration-inputs.js";
import { inputElemTypes, sampleFeeds } from "./capture.js";
import { onnx } from "./onnx.js";
import { loadRuntime } from "./runtime.js";
import { deviation, type OutputDeviation } from "./verify.js";

export interface SampleDeviation {
  readonly samples: number;
  readonly outputs: readonly OutputDeviation[];
}

/** null when the runtime is absent or either model cannot run (verify.ts reports why). */
export async function verifyOnSamples(parent: Uint8Array, child: Uint8Array, c: CalibrationInputs): Promise<SampleDeviation | null> {
  const rt = await loadRuntime();
  if (!rt.ok) return null;
  const types = inputElemTypes(onnx.ModelProto.decode(parent));
  const options = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  const held = heldOutCount(c.samples);
  try {
    const a = await rt.ort.InferenceSession.create(parent, options);
    const b = await rt.ort.InferenceSession.create(child, options);
    const ya = new Map<string, number[]>(), yb = new Map<string, number[]>();
    const dims = new Map<string, readonly number[]>();
    for (let j = c.samples - held; j < c.samples; j++) {
      const feeds = sampleFeeds(rt.ort, c, j, types);
      const ra = await a.run(feeds);
      const rb = await b.run(feeds);
      for (const name of a.outputNames) {
        dims.set(name, ra[name]!.dims);
        ya.set(name, [...(ya.get(name) ?? []), ...numbers(ra[name]!.type, ra[name]!.data)]);
        yb.set(name, [...(yb.get(name) ?? []), ...numbers(rb[name]!.type, rb[name]!.data)]);
      }
    }
    await a.release();
    await b.release();
    const outputs = a.outputNames.map((name) => ({ name, dims: [held, ...dims.get(name)!.slice(1)], ...deviation(Float64Array.from(ya.get(name)!), Float64Array.from(yb.get(name)!)) }));
    return { samples: held, outputs };
  } catch {
    return null;
  }
}

function numbers(type: string, data: unknown): number[] {
  if (type === "float16") return Array.from(data as Uint16Array, float16BitsToNumber);
  return Array.from(data as ArrayLike<number | bigint>, Number);
}
