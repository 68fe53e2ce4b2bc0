/**
 * Conv -> two Convs, in a copy of the model. Each split node `<name>` becomes, at its place,
 *   `<name>/f1`: Conv(X, W1) -> `<name>/f1:out`   kernel k1, stride 1, the parent's dilations and
 *                group, pads from `exactChildPads` (all the padding);
 *   `<name>/f2`: Conv(`<name>/f1:out`, W2, B) -> the parent's output   kernel k2, the parent's
 *                stride, dilations and group, no padding; the parent's bias B moves here.
 * Every other node, initializer, input, output, opset import, metadata and value_info is kept as
 * it was, except the parent's weight: dropped (initializer or Constant node) once nothing reads
 * it any more. The factors are new initializers `<weight>/f1`, `<weight>/f2` in the parent
 * weight's type; a weight shared by several nodes gives one pair read by all of them. Names that
 * would collide with an existing tensor or node name get a numeric suffix.
 */
import type { Tensor4 } from "../geometry/tensor.js";
import { padsList, type Pads4 } from "./conv-node.js";
import { makeTensor, onnx, toInt, type AttributeProto, type ModelProto, type NodeProto, type OnnxFloat, type ValueInfoProto } from "./onnx.js";
import { consumerCounts } from "./weights.js";

export interface NodeSplit {
  readonly nodeIndex: number;
  readonly name: string;
  readonly weight: string;
  readonly dtype: OnnxFloat;
  /** (m, c_in / g, k1h, k1w) and (c_out, m / g, k2h, k2w), PyTorch's grouped layout. */
  readonly f1: Tensor4;
  readonly f2: Tensor4;
  readonly pads: { readonly f1: Pads4; readonly f2: Pads4 };
}

export interface SurgeryResult {
  readonly proto: ModelProto;
  /** Per split node: the names it got in the new graph. */
  readonly names: ReadonlyMap<number, { readonly f1: string; readonly f2: string; readonly mid: string; readonly w1: string; readonly w2: string }>;
  readonly removed: readonly string[];
}

const REPLACED = new Set(["kernel_shape", "pads", "auto_pad", "strides"]);

export function splitConvNodes(parent: ModelProto, splits: readonly NodeSplit[]): SurgeryResult {
  // A deep copy through the codec: the parent stays untouched (the runtime check needs it).
  const proto = onnx.ModelProto.decode(onnx.ModelProto.encode(parent).finish());
  const g = proto.graph!;
  const taken = usedNames(proto);
  const fresh = (base: string): string => {
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };
  const byNode = new Map(splits.map((s) => [s.nodeIndex, s]));
  const factorNames = new Map<string, { w1: string; w2: string }>();
  const names = new Map<number, { f1: string; f2: string; mid: string; w1: string; w2: string }>();
  const irVersion = toInt(proto.irVersion);
  const nodes: NodeProto[] = [];
  (g.node ?? []).forEach((node, index) => {
    const s = byNode.get(index);
    if (s === undefined) return void nodes.push(node);
    let w = factorNames.get(s.weight);
    if (w === undefined) {
      w = { w1: fresh(`${s.weight}/f1`), w2: fresh(`${s.weight}/f2`) };
      factorNames.set(s.weight, w);
      for (const [n, t] of [[w.w1, s.f1], [w.w2, s.f2]] as const) {
        g.initializer!.push(makeTensor(n, t.shape, t.data, s.dtype));
        // IR versions before 4 require every initializer to be a graph input too.
        if (irVersion < 4) g.input!.push(tensorValueInfo(n, s.dtype, t.shape));
      }
    }
    const f1Name = fresh(`${s.name}/f1`);
    const f2Name = fresh(`${s.name}/f2`);
    const mid = fresh(`${s.name}/f1:out`);
    const kept = (node.attribute ?? []).filter((a) => !REPLACED.has(a.name ?? ""));
    const attrs = (k: readonly number[], pads: Pads4, strides: readonly number[]): AttributeProto[] => [
      ...kept.map((a) => onnx.AttributeProto.create(a)),
      intsAttribute("kernel_shape", k),
      intsAttribute("pads", padsList(pads)),
      intsAttribute("strides", strides),
    ];
    const parentStrides = (node.attribute ?? []).find((a) => a.name === "strides")?.ints?.map(toInt) ?? [1, 1];
    const bias = node.input?.[2];
    nodes.push(
      onnx.NodeProto.create({
        name: f1Name,
        opType: "Conv",
        domain: node.domain ?? "",
        input: [node.input![0]!, w.w1],
        output: [mid],
        attribute: attrs([s.f1.shape[2], s.f1.shape[3]], s.pads.f1, [1, 1]),
        docString: `decompose-filter: first of two convs replacing '${s.name}'`,
      }),
      onnx.NodeProto.create({
        name: f2Name,
        opType: "Conv",
        domain: node.domain ?? "",
        input: bias === undefined || bias === "" ? [mid, w.w2] : [mid, w.w2, bias],
        output: [...(node.output ?? [])],
        attribute: attrs([s.f2.shape[2], s.f2.shape[3]], s.pads.f2, parentStrides),
        docString: `decompose-filter: second of two convs replacing '${s.name}'`,
      }),
    );
    names.set(index, { f1: f1Name, f2: f2Name, mid, ...w });
  });
  g.node = nodes;
  const removed = dropUnread(proto, new Set(factorNames.keys()));
  return { proto, names, removed };
}

/** Remove the parents' weights that nothing reads any more (initializers, Constant nodes, IR<4 inputs). */
function dropUnread(proto: ModelProto, weights: ReadonlySet<string>): string[] {
  const g = proto.graph!;
  const readers = consumerCounts(g);
  const gone = new Set([...weights].filter((w) => (readers.get(w) ?? 0) === 0));
  g.initializer = (g.initializer ?? []).filter((t) => !gone.has(t.name ?? ""));
  g.node = (g.node ?? []).filter((n) => !(n.opType === "Constant" && (n.output ?? []).length === 1 && gone.has(n.output![0]!)));
  g.input = (g.input ?? []).filter((v) => !gone.has(v.name ?? ""));
  g.valueInfo = (g.valueInfo ?? []).filter((v) => !gone.has(v.name ?? ""));
  return [...gone];
}

function intsAttribute(name: string, ints: readonly number[]): AttributeProto {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...ints] });
}

function tensorValueInfo(name: string, type: OnnxFloat, dims: readonly number[]): ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType[type], shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  });
}

/** Every tensor and node name of the graph, so new names never collide. */
function usedNames(proto: ModelProto): Set<string> {
  const g = proto.graph!;
  const s = new Set<string>();
  const add = (x: string | null | undefined): void => void (x ? s.add(x) : undefined);
  for (const n of g.node ?? []) {
    add(n.name);
    for (const x of n.input ?? []) add(x);
    for (const x of n.output ?? []) add(x);
  }
  for (const t of g.initializer ?? []) add(t.name);
  for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) add(v.name);
  return s;
}
