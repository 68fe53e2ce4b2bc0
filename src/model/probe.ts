/**
 * Tensor shapes measured by ONNX Runtime: a copy of the model lists the wanted tensors as graph
 * outputs (name and element type only; the runtime infers the shape) and runs once on the
 * check's seeded inputs. `convOutputElements` (every Conv output's element count, for counts.ts's
 * MAC count) is built on it; shapes.ts asks it for the Conv inputs the graph does not state.
 */
import type { GraphInput } from "./inputs.js";
import { onnx, type ModelProto } from "./onnx.js";
import { loadRuntime } from "./runtime.js";
import { feedsFor } from "./verify.js";

/** The dims of `names` (graph inputs among them come from `inputs`), or why they cannot be measured. */
export async function runtimeTensorDims(proto: ModelProto, names: readonly string[], inputs: readonly GraphInput[], seed: number): Promise<Map<string, number[]> | string> {
  const rt = await loadRuntime();
  if (!rt.ok) return rt.reason;
  const fed = new Map(inputs.map((i) => [i.name, [...i.dims]]));
  const wanted = [...new Set(names)].filter((n) => n !== "" && !fed.has(n));
  const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(proto).finish());
  const g = copy.graph!;
  const listed = new Set((g.output ?? []).map((o) => o.name ?? ""));
  const elem = g.input?.find((i) => i.type?.tensorType)?.type?.tensorType?.elemType ?? onnx.TensorProto.DataType.FLOAT;
  for (const n of wanted) if (!listed.has(n)) g.output!.push(onnx.ValueInfoProto.create({ name: n, type: { tensorType: { elemType: elem } } }));
  const feeds = feedsFor(rt.ort, inputs, seed);
  if (typeof feeds === "string") return feeds;
  try {
    const s = await rt.ort.InferenceSession.create(onnx.ModelProto.encode(copy).finish(), { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const out = wanted.length > 0 ? await s.run(feeds, wanted) : {};
    await s.release();
    const dims = new Map(wanted.map((n) => [n, [...out[n]!.dims]]));
    for (const n of names) if (fed.has(n)) dims.set(n, fed.get(n)!);
    return dims;
  } catch (e) {
    return `ONNX Runtime cannot run the model to measure shapes (${(e instanceof Error ? e.message : String(e)).split("\n")[0]})`;
  }
}

export async function convOutputElements(proto: ModelProto, inputs: readonly GraphInput[], seed: number): Promise<Map<string, number> | null> {
  const names = (proto.graph?.node ?? []).filter((n) => n.opType === "Conv").map((n) => n.output?.[0] ?? "").filter((n) => n !== "");
  const dims = await runtimeTensorDims(proto, names, inputs, seed);
  if (typeof dims === "string") return null;
  return new Map(names.map((n) => [n, dims.get(n)!.reduce((a, b) => a * b, 1)]));
}
