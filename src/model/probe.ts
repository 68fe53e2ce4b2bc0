/**
 * The number of elements of every Conv output, measured by ONNX Runtime: a copy of the model
 * lists each Conv output as a graph output (name and element type only; the runtime infers the
 * shape) and runs once on the check's inputs. Feeds counts.ts's MAC count; null when the runtime
 * is absent or cannot run the model.
 */
import type { GraphInput } from "./inputs.js";
import { onnx, type ModelProto } from "./onnx.js";
import { loadRuntime } from "./runtime.js";
import { feedsFor } from "./verify.js";

export async function convOutputElements(proto: ModelProto, inputs: readonly GraphInput[], seed: number): Promise<Map<string, number> | null> {
  const rt = await loadRuntime();
  if (!rt.ok) return null;
  const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(proto).finish());
  const g = copy.graph!;
  const listed = new Set((g.output ?? []).map((o) => o.name ?? ""));
  const elem = g.input?.find((i) => i.type?.tensorType)?.type?.tensorType?.elemType ?? onnx.TensorProto.DataType.FLOAT;
  const names = (g.node ?? []).filter((n) => n.opType === "Conv").map((n) => n.output?.[0] ?? "").filter((n) => n !== "");
  for (const n of names) if (!listed.has(n)) g.output!.push(onnx.ValueInfoProto.create({ name: n, type: { tensorType: { elemType: elem } } }));
  const feeds = feedsFor(rt.ort, inputs, seed);
  if (typeof feeds === "string") return null;
  try {
    const s = await rt.ort.InferenceSession.create(onnx.ModelProto.encode(copy).finish(), { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const out = await s.run(feeds, names);
    await s.release();
    return new Map(names.map((n) => [n, out[n]!.dims.reduce((a, b) => a * b, 1)]));
  } catch {
    return null;
  }
}
