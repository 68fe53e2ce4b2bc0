/**
 * Static tensor shapes of a model's main graph, without running it: first what the graph states
 * (graph inputs with `--input-shape` applied, value_info, graph outputs, constants), then a small
 * forward propagation in node order (ONNX requires graph.node to be topologically sorted) for the
 * ops convolutional networks are made of:
 * - Conv, MaxPool, AveragePool, LpPool: out = floor((in + pad - (k - 1) d - 1) / s) + 1 per
 *   axis (ceil with ceil_mode = 1), channels c_out (Conv: the weight's dims[0]; pools keep them);
 * - GlobalAveragePool, GlobalMaxPool: spatial axes 1;
 * - element-wise unary ops (Relu, PRelu, BatchNormalization, Clip, ...): the input's shape;
 * - element-wise binary ops (Add, Mul, ...): NumPy broadcasting of both shapes;
 * - Concat: the inputs' shapes with the `axis` sizes summed.
 * A tensor is known only when every dimension is a positive integer; anything else stays unknown
 * (the caller may ask the runtime, runtime-shapes.ts).
 */
import { convAttributes, explicitPads } from "./conv-node.js";
import type { GraphInput } from "./inputs.js";
import { tensorDims, toInt, type AttributeProto, type ModelProto, type NodeProto, type ValueInfoProto } from "./onnx.js";
import { constantTensors } from "./weights.js";

/** Where a tensor's shape came from. */
export type ShapeSource = "graph" | "inferred" | "runtime";

export interface KnownShape {
  readonly dims: readonly number[];
  readonly source: ShapeSource;
}

const UNARY = new Set([
  "Relu", "PRelu", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Clip", "Elu", "Selu", "Celu", "Softplus", "Softsign",
  "Mish", "Gelu", "Erf", "Neg", "Abs", "Exp", "Log", "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Cast", "Identity", "Dropout",
  "BatchNormalization", "InstanceNormalization", "LRN", "ThresholdedRelu", "Shrink", "Sign",
]);
const BINARY = new Set(["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean"]);
const POOLS = new Set(["MaxPool", "AveragePool", "LpPool"]);

const known = (d: readonly number[] | null): d is readonly number[] => d !== null && d.every((x) => Number.isSafeInteger(x) && x > 0);

function declared(v: ValueInfoProto): number[] | null {
  const dims = v.type?.tensorType?.shape?.dim;
  if (!dims) return null;
  const out = dims.map((d) => (d.dimValue !== null && d.dimValue !== undefined ? toInt(d.dimValue) : 0));
  return known(out) ? out : null;
}

/**
 * Every tensor shape that can be known statically. `seed` adds shapes known from elsewhere (the
 * runtime, or the parent model of a rewritten one); the graph's own statements win over it.
 */
export function staticShapes(proto: ModelProto, inputs: readonly GraphInput[], seed: ReadonlyMap<string, KnownShape> = new Map()): Map<string, KnownShape> {
  const g = proto.graph!;
  const shapes = new Map<string, KnownShape>(seed);
  const state = (name: string | null | undefined, dims: readonly number[] | null): void => {
    if (name && known(dims)) shapes.set(name, { dims, source: "graph" });
  };
  for (const [name, c] of constantTensors(g)) shapes.set(name, { dims: tensorDims(c.tensor), source: "graph" });
  for (const v of [...(g.input ?? []), ...(g.valueInfo ?? []), ...(g.output ?? [])]) state(v.name, declared(v));
  for (const i of inputs) state(i.name, i.dims);
  const get = (name: string | undefined): readonly number[] | null => (name ? (shapes.get(name)?.dims ?? null) : null);
  for (const n of g.node ?? []) {
    const out = n.output?.[0];
    if (!out || shapes.has(out)) continue;
    const dims = inferNode(n, get);
    if (known(dims)) shapes.set(out, { dims, source: "inferred" });
  }
  return shapes;
}

function inferNode(n: NodeProto, get: (name: string | undefined) => readonly number[] | null): readonly number[] | null {
  const op = n.opType ?? "";
  const x = get(n.input?.[0]);
  if (UNARY.has(op)) return x;
  if (BINARY.has(op)) return (n.input ?? []).map((i) => get(i)).reduce<readonly number[] | null>((a, b) => (a === null || b === null ? null : broadcast(a, b)), x);
  if (x === null || x.length !== 4) return op === "Concat" ? concat(n, get) : null;
  if (op === "Conv") {
    const w = get(n.input?.[1]);
    if (w === null || w.length !== 4) return null;
    return windowed(n, x, [w[2]!, w[3]!], w[0]!, false);
  }
  if (POOLS.has(op)) {
    const k = ints(n, "kernel_shape");
    if (k === null || k.length !== 2) return null;
    return windowed(n, x, [k[0]!, k[1]!], x[1]!, toInt(attr(n, "ceil_mode")?.i ?? 0) === 1);
  }
  if (op === "GlobalAveragePool" || op === "GlobalMaxPool") return [x[0]!, x[1]!, 1, 1];
  if (op === "Concat") return concat(n, get);
  return null;
}

/** Conv/pool arithmetic on an (N, C, H, W) input with `channels` outputs. */
function windowed(n: NodeProto, x: readonly number[], k: readonly [number, number], channels: number, ceil: boolean): readonly number[] | null {
  const a = convAttributes(n);
  if (typeof a === "string") return null;
  const pads = explicitPads(a, k, [x[2]!, x[3]!]);
  if (typeof pads === "string") return null;
  const round = ceil ? Math.ceil : Math.floor;
  const axis = (size: number, p: number, kk: number, d: number, s: number): number => round((size + p - (kk - 1) * d - 1) / s) + 1;
  return [
    x[0]!,
    channels,
    axis(x[2]!, pads.top + pads.bottom, k[0], a.dilations[0], a.strides[0]),
    axis(x[3]!, pads.left + pads.right, k[1], a.dilations[1], a.strides[1]),
  ];
}

/** NumPy broadcasting: align trailing axes; sizes must agree or one of them be 1. */
function broadcast(a: readonly number[], b: readonly number[]): readonly number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let j = 0; j < n; j++) {
    const x = a[a.length - n + j] ?? 1, y = b[b.length - n + j] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(Math.max(x, y));
  }
  return out;
}

function concat(n: NodeProto, get: (name: string | undefined) => readonly number[] | null): readonly number[] | null {
  const parts = (n.input ?? []).map((i) => get(i));
  if (parts.length === 0 || parts.some((p) => p === null)) return null;
  const first = parts[0]!;
  const axis = toInt(attr(n, "axis")?.i ?? 0);
  const ax = axis < 0 ? axis + first.length : axis;
  if (ax < 0 || ax >= first.length || parts.some((p) => p!.length !== first.length || p!.some((d, j) => j !== ax && d !== first[j]))) return null;
  return first.map((d, j) => (j === ax ? parts.reduce((s, p) => s + p![j]!, 0) : d));
}

function attr(n: NodeProto, name: string): AttributeProto | undefined {
  return (n.attribute ?? []).find((a) => a.name === name);
}

function ints(n: NodeProto, name: string): number[] | null {
  const a = attr(n, name);
  return a ? (a.ints ?? []).map(toInt) : null;
}
