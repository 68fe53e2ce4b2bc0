/**
 * Small ONNX models built in the tests with the official schema (onnx-proto): one or two Conv
 * nodes with the attributes under test, random weights from a seeded generator.
 */
import { makeTensor, onnx, type NodeProto, type OnnxFloat, type TensorProto } from "../../src/model/onnx.js";
import { Rng } from "../../src/random.js";

export interface ConvSpec {
  readonly cIn: number;
  readonly cOut: number;
  readonly k: readonly [number, number];
  readonly group?: number;
  readonly strides?: readonly [number, number];
  readonly dilations?: readonly [number, number];
  /** [top, left, bottom, right] */
  readonly pads?: readonly [number, number, number, number];
  readonly autoPad?: "NOTSET" | "SAME_UPPER" | "SAME_LOWER" | "VALID";
  readonly bias?: boolean;
}

export interface ModelSpec {
  readonly input: readonly [number, number, number, number];
  readonly convs: readonly ConvSpec[];
  readonly dtype?: OnnxFloat;
  /** Weights as Constant nodes instead of initializers. */
  readonly constants?: boolean;
  /** A Relu between consecutive convs. */
  readonly relu?: boolean;
  /** Symbolic batch dimension on the input. */
  readonly symbolicBatch?: boolean;
  readonly seed?: number;
  readonly opset?: number;
}

const ints = (name: string, v: readonly number[]) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...v] });

export function buildModel(spec: ModelSpec): Uint8Array {
  const rng = new Rng(spec.seed ?? 1);
  const dtype = spec.dtype ?? "FLOAT";
  const elem = onnx.TensorProto.DataType[dtype];
  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  let x = "x";
  spec.convs.forEach((c, j) => {
    const g = c.group ?? 1;
    const dims = [c.cOut, c.cIn / g, c.k[0], c.k[1]];
    const n = dims.reduce((a, b) => a * b, 1);
    const tensors: [string, number[], Float64Array][] = [[`w${j}`, dims, rng.normals(n, 1 / Math.sqrt((n / c.cOut) || 1))]];
    if (c.bias) tensors.push([`b${j}`, [c.cOut], rng.normals(c.cOut, 0.1)]);
    for (const [name, d, data] of tensors) {
      const t = makeTensor(name, d, data, dtype);
      if (spec.constants) {
        t.name = "";
        nodes.push(onnx.NodeProto.create({ name: `const_${name}`, opType: "Constant", input: [], output: [name], attribute: [onnx.AttributeProto.create({ name: "value", type: onnx.AttributeProto.AttributeType.TENSOR, t })] }));
      } else initializers.push(t);
    }
    const attribute = [ints("kernel_shape", c.k), onnx.AttributeProto.create({ name: "group", type: onnx.AttributeProto.AttributeType.INT, i: g })];
    if (c.strides) attribute.push(ints("strides", c.strides));
    if (c.dilations) attribute.push(ints("dilations", c.dilations));
    if (c.pads) attribute.push(ints("pads", c.pads));
    if (c.autoPad) attribute.push(onnx.AttributeProto.create({ name: "auto_pad", type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(c.autoPad) }));
    const y = j === spec.convs.length - 1 ? "y" : `h${j}`;
    const conv = spec.relu && j < spec.convs.length - 1 ? `c${j}` : y;
    nodes.push(onnx.NodeProto.create({ name: `conv${j}`, opType: "Conv", input: c.bias ? [x, `w${j}`, `b${j}`] : [x, `w${j}`], output: [conv], attribute }));
    if (conv !== y) nodes.push(onnx.NodeProto.create({ name: `relu${j}`, opType: "Relu", input: [conv], output: [y] }));
    x = y;
  });
  const dim = spec.input.map((d, j) => (j === 0 && spec.symbolicBatch ? { dimParam: "N" } : { dimValue: d }));
  return graphModel({ name: "test", node: nodes, initializer: initializers, inputDims: dim, elemType: elem, opset: spec.opset });
}

/**
 * A one-input ("x"), one-output ("y") model around the given nodes and initializers, encoded: what
 * buildModel wraps its convs in, and what tests that need other nodes (ConvTranspose, a shared
 * weight) build by hand.
 */
export function graphModel(g: {
  readonly name: string;
  readonly node: NodeProto[];
  readonly initializer: TensorProto[];
  readonly inputDims: readonly ({ dimValue: number } | { dimParam: string })[];
  readonly elemType?: number;
  readonly opset?: number;
}): Uint8Array {
  const elemType = g.elemType ?? onnx.TensorProto.DataType.FLOAT;
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "decompose-filter tests",
    opsetImport: [{ domain: "", version: g.opset ?? 13 }],
    metadataProps: [{ key: "note", value: "built by test/model/build.ts" }],
    graph: {
      name: g.name,
      node: g.node,
      initializer: g.initializer,
      input: [{ name: "x", type: { tensorType: { elemType, shape: { dim: [...g.inputDims] } } } }],
      output: [{ name: "y", type: { tensorType: { elemType } } }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
