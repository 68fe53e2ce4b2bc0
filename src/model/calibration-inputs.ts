/**
 * `--calibration-data inputs.npy` for an ONNX model: N real model inputs, read and validated once
 * here, before any work. A `.npy` (or an `.npz` with one array) holds the samples of a model with
 * one graph input; an `.npz` keyed by input name holds them for several. Each array is
 * (N, d1, d2, ...) with the input's rank: sample j is fed as (1, d1, d2, ...), so the model's
 * batch dimension must be 1 or symbolic, and every other fixed dimension must match. Float
 * dtypes only, finite values, N >= 2 (the last max(1, floor(N / 4)) are held out), the same N
 * for every input. Refusals are one E_OPTION/E_SHAPE line naming the file.
 */
import { decodeArray, loadDump } from "../batch/dump.js";
import { DecomposeError } from "../errors.js";
import { quoted } from "../io/quote.js";
import { dataTypeName, toInt, type OnnxModel } from "./onnx.js";

export interface CalibrationInputs {
  readonly file: string;
  /** Samples N. */
  readonly samples: number;
  /** Per graph input: its per-sample dims (1, d1, ...) and the N samples, C order. */
  readonly inputs: readonly { readonly name: string; readonly dims: readonly number[]; readonly data: Float64Array }[];
}

/** How many samples are held out of N (the rest are fitted). */
export function heldOutCount(n: number): number {
  return Math.max(1, Math.floor(n / 4));
}

export function readCalibrationInputs(file: string, model: OnnxModel, readStdin: () => Uint8Array): CalibrationInputs {
  const g = model.proto.graph!;
  const init = new Set((g.initializer ?? []).map((t) => t.name ?? ""));
  const graphInputs = (g.input ?? []).filter((v) => !init.has(v.name ?? ""));
  const d = loadDump(file, readStdin);
  const byName = (name: string) => d.arrays.find((a) => a.name === name);
  const names = graphInputs.map((v) => v.name ?? "");
  if (graphInputs.length !== 1 && (d.format !== "npz" || names.some((n) => byName(n) === undefined))) {
    throw new DecomposeError("E_OPTION", `the model has ${graphInputs.length} inputs (${names.map((n) => quoted(n)).join(", ")}): give --calibration-data as an .npz with one array per input, named like it`, file);
  }
  if (graphInputs.length === 1 && d.arrays.length !== 1 && byName(names[0]!) === undefined) {
    throw new DecomposeError("E_OPTION", `${d.arrays.length} arrays, none named like the model input ${quoted(names[0]!)}: give one array (N, ...) of model inputs`, file);
  }
  let samples = -1;
  const inputs = graphInputs.map((v) => {
    const name = v.name ?? "";
    const a = byName(name) ?? d.arrays[0]!;
    const tt = v.type?.tensorType;
    const elem = dataTypeName(tt?.elemType);
    if (elem !== "FLOAT" && elem !== "FLOAT16" && elem !== "DOUBLE") throw new DecomposeError("E_OPTION", `model input ${quoted(name)} is ${elem}: calibration feeds FLOAT, FLOAT16 or DOUBLE inputs`, file);
    const model = (tt?.shape?.dim ?? []).map((x) => (x.dimValue !== null && x.dimValue !== undefined && toInt(x.dimValue) > 0 ? toInt(x.dimValue) : null));
    if (!a.float) throw new DecomposeError("E_SHAPE", `calibration array ${quoted(a.name)} must be float32 or float64, got ${a.dtype}`, file);
    if (tt?.shape && a.shape.length !== model.length) {
      throw new DecomposeError("E_SHAPE", `calibration array ${quoted(a.name)} has shape [${a.shape.join(", ")}]; the model input ${quoted(name)} has ${model.length} dimensions (${model.map((x) => x ?? "?").join("x")})`, file);
    }
    if (model[0] !== undefined && model[0] !== null && model[0] !== 1) {
      throw new DecomposeError("E_SHAPE", `the model input ${quoted(name)} has a fixed batch of ${model[0]}: calibration feeds one sample at a time (batch 1 or symbolic)`, file);
    }
    a.shape.forEach((n, j) => {
      const want = model[j];
      if (j > 0 && want !== undefined && want !== null && want !== n) {
        const what = j === 1 ? "channels" : `dimension ${j}`;
        throw new DecomposeError("E_SHAPE", `calibration array ${quoted(a.name)} has shape [${a.shape.join(", ")}]; the model input ${quoted(name)} is ${model.map((x) => x ?? "N").join("x")} (${what}: ${want}, got ${n})`, file);
      }
    });
    const n = a.shape[0] ?? 0;
    if (n < 2) throw new DecomposeError("E_SHAPE", `calibration array ${quoted(a.name)} has ${n} sample${n === 1 ? "" : "s"}; at least 2 are needed (one is held out)`, file);
    if (samples >= 0 && n !== samples) throw new DecomposeError("E_SHAPE", `calibration arrays have different sample counts (${samples} and ${n})`, file);
    samples = n;
    const data = decodeArray(a, file); // NaN/Inf refused, naming the first
    const bad = data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new DecomposeError("E_SHAPE", `calibration array ${quoted(a.name)} has a non-finite value at index ${bad}`, file);
    return { name, dims: [1, ...a.shape.slice(1)], data };
  });
  return { file, samples, inputs };
}
