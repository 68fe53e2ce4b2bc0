/**
 * Where the graph's constant tensors live: initializers, and the `value` of `Constant` nodes
 * (PyTorch's exporter uses the first, converters such as PP-OCR's the second). A tensor name
 * produced by any other node, or a graph input that is not an initializer, is computed at run time.
 */
import type { GraphProto, NodeProto, TensorProto } from "./onnx.js";

export type ConstantSource =
  | { readonly kind: "initializer"; readonly tensor: TensorProto }
  | { readonly kind: "constant"; readonly tensor: TensorProto; readonly node: NodeProto };

export function constantTensors(g: GraphProto): Map<string, ConstantSource> {
  const out = new Map<string, ConstantSource>();
  for (const t of g.initializer ?? []) if (t.name) out.set(t.name, { kind: "initializer", tensor: t });
  for (const n of g.node ?? []) {
    if (n.opType !== "Constant" || (n.output ?? []).length !== 1) continue;
    const value = (n.attribute ?? []).find((a) => a.name === "value" && a.t);
    if (value?.t) out.set(n.output![0]!, { kind: "constant", tensor: value.t, node: n });
  }
  return out;
}

/** How many nodes of the graph (and of its subgraphs) read each tensor name. */
export function consumerCounts(g: GraphProto, into = new Map<string, number>()): Map<string, number> {
  for (const n of g.node ?? []) {
    for (const i of n.input ?? []) if (i !== "") into.set(i, (into.get(i) ?? 0) + 1);
    for (const a of n.attribute ?? []) {
      if (a.g) consumerCounts(a.g, into);
      for (const sub of a.graphs ?? []) consumerCounts(sub, into);
    }
  }
  for (const o of g.output ?? []) if (o.name) into.set(o.name, (into.get(o.name) ?? 0) + 1);
  return into;
}
