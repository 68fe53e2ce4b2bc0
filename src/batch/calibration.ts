/**
 * `--calibration acts.npz`: one array of input activations (N, c_in, H, W) per layer, named like
 * the layer's weight (in a dump: the weight's array name; for `.npy` inputs: the file stem). Read
 * and validated once here: every array must name a candidate layer and have its input channel
 * count, N >= 2 samples, finite values. The last max(1, floor(N / 4)) samples are held out for the
 * output-space residual; the fit uses the rest.
 */
import { DecomposeError } from "../errors.js";
import type { CalibrationSet } from "../calibration/whiten.js";
import { quoted } from "../io/quote.js";
import { decodeArray, loadDump } from "./dump.js";
import type { PlannedLayer } from "./select.js";

export function loadCalibration(file: string, layers: readonly PlannedLayer[], readStdin: () => Uint8Array): Map<PlannedLayer, CalibrationSet> {
  const d = loadDump(file, readStdin);
  const out = new Map<PlannedLayer, CalibrationSet>();
  for (const a of d.arrays) {
    const layer = layers.find((l) => l.array.name === a.name);
    if (layer === undefined) {
      const names = layers.map((l) => l.array.name);
      throw new DecomposeError("E_OPTION", `calibration array ${quoted(a.name)} matches no layer (layers: ${names.slice(0, 8).map((n) => quoted(n, 40)).join(", ")}${names.length > 8 ? ", ..." : ""})`, file);
    }
    if (a.shape.length !== 4 || !a.float) throw new DecomposeError("E_SHAPE", `calibration array ${quoted(a.name)} must be float (N, c_in, H, W), got ${a.dtype} [${a.shape.join(", ")}]`, file);
    const [N, C, H, W] = a.shape as [number, number, number, number];
    if (C !== layer.shape[1]) throw new DecomposeError("E_SHAPE", `calibration array ${quoted(a.name)} has ${C} channels, layer ${quoted(layer.array.name)} reads ${layer.shape[1]}`, file);
    if (N < 2) throw new DecomposeError("E_SHAPE", `calibration array ${quoted(a.name)} has ${N} sample; at least 2 are needed (one is held out)`, file);
    if (layer.groups !== 1) throw new DecomposeError("E_OPTION", `calibration for grouped layer ${quoted(a.name)} is not supported`, file);
    const data = decodeArray(a, file); // rejects non-finite values, naming the first
    const held = Math.max(1, Math.floor(N / 4));
    const per = C * H * W;
    out.set(layer, {
      fit: { shape: [N - held, C, H, W], data: data.slice(0, (N - held) * per) },
      heldOut: { shape: [held, C, H, W], data: data.slice((N - held) * per) },
    });
  }
  return out;
}
