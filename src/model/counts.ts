/**
 * A model's size: parameters = elements of every float constant (initializers and Constant
 * nodes), and Conv weights among them; Conv multiply-accumulates when the Conv output shapes are
 * known (probe.ts measures them in the runtime): per Conv node
 *   MACs = |output| * (c_in / group) * kh * kw   (bias adds are not counted).
 */
import { floatTypeOf, tensorDims, type ModelProto } from "./onnx.js";
import { constantTensors } from "./weights.js";

export interface ModelCounts {
  readonly parameters: number;
  readonly convParameters: number;
  readonly convNodes: number;
  /** null when the Conv output shapes are unknown (no runtime). */
  readonly convMacs: number | null;
}

const numel = (d: readonly number[]): number => d.reduce((a, b) => a * b, 1);

/** `outputElements`: number of elements of each tensor name, where known. */
export function modelCounts(proto: ModelProto, outputElements: ReadonlyMap<string, number> | null): ModelCounts {
  const g = proto.graph!;
  const constants = constantTensors(g);
  let parameters = 0;
  for (const c of constants.values()) if (floatTypeOf(c.tensor) !== null) parameters += numel(tensorDims(c.tensor));
  let convParameters = 0, convNodes = 0;
  let macs: number | null = outputElements === null ? null : 0;
  const counted = new Set<string>();
  for (const n of g.node ?? []) {
    if (n.opType !== "Conv") continue;
    convNodes++;
    const w = constants.get(n.input?.[1] ?? "");
    if (w === undefined) continue;
    const dims = tensorDims(w.tensor);
    if (!counted.has(n.input![1]!)) {
      counted.add(n.input![1]!);
      convParameters += numel(dims);
    }
    if (macs !== null) {
      const out = outputElements?.get(n.output?.[0] ?? "");
      macs = out === undefined ? null : macs + out * numel(dims.slice(1));
    }
  }
  return { parameters, convParameters, convNodes, convMacs: macs };
}
