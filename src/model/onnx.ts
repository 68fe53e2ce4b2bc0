/**
 * ONNX models in and out, through the official `onnx.proto` compiled for JavaScript by protobufjs
 * (the `onnx-proto` package): nothing of the wire format is written by hand here.
 *
 * `readOnnx` validates once, at the edge: the bytes must decode as a `ModelProto` that has a graph
 * and at least one opset import (a decodable protobuf that is not a model, such as an `.npy` or a
 * text file, fails there), and no tensor may live in an external data file. Errors are one
 * `E_ONNX` line naming the file.
 */
import onnxProto from "onnx-proto";
import { DecomposeError } from "../errors.js";
import { float16BitsToNumber, numberToFloat16Bits } from "../io/npy.js";
import { printable, quoted } from "../io/quote.js";

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** The floating types a Conv weight may have and keep through the split. */
export type OnnxFloat = "FLOAT" | "FLOAT16" | "DOUBLE";

const DataType = onnx.TensorProto.DataType;

export interface OnnxModel {
  /** The input as given (`-` for stdin); errors name it. */
  readonly file: string;
  readonly proto: ModelProto;
}

/** protobufjs hands 64-bit integers back as `Long` objects (or numbers): one safe integer. */
export function toInt(x: number | { toNumber(): number } | null | undefined): number {
  if (x === null || x === undefined) return 0;
  return typeof x === "number" ? x : x.toNumber();
}

export function readOnnx(bytes: Uint8Array, file: string): OnnxModel {
  let proto: ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const why = printable(e instanceof Error ? e.message : String(e));
    throw new DecomposeError("E_ONNX", `not an ONNX model, or a truncated or corrupt one (protobuf: ${why})`, file);
  }
  const graph = proto.graph;
  if (graph === null || graph === undefined || proto.opsetImport.length === 0 || toInt(proto.irVersion) <= 0) {
    throw new DecomposeError("E_ONNX", "not an ONNX model: no graph, IR version or opset import", file);
  }
  for (const t of graphTensors(graph)) {
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData?.length ?? 0) > 0) {
      throw new DecomposeError(
        "E_ONNX",
        `tensor ${quoted(t.name ?? "")} is stored in an external data file; external data is not supported (save the model with its weights inside, e.g. onnx.save(model, path, save_as_external_data=False))`,
        file,
      );
    }
  }
  return { file, proto };
}

/** Every tensor the graph holds: initializers and the values of Constant nodes (subgraphs included). */
function* graphTensors(g: GraphProto): Generator<TensorProto> {
  yield* g.initializer ?? [];
  for (const n of g.node ?? []) {
    for (const a of n.attribute ?? []) {
      if (a.t) yield a.t;
      yield* a.tensors ?? [];
      if (a.g) yield* graphTensors(a.g);
      for (const sub of a.graphs ?? []) yield* graphTensors(sub);
    }
  }
}

export function writeOnnx(model: OnnxModel | ModelProto): Uint8Array {
  const proto = "proto" in model ? model.proto : model;
  return onnx.ModelProto.encode(proto).finish();
}

export function floatTypeOf(t: TensorProto): OnnxFloat | null {
  switch (t.dataType) {
    case DataType.FLOAT:
      return "FLOAT";
    case DataType.FLOAT16:
      return "FLOAT16";
    case DataType.DOUBLE:
      return "DOUBLE";
    default:
      return null;
  }
}

export function dataTypeName(code: number | null | undefined): string {
  return (code !== null && code !== undefined ? DataType[code] : undefined) ?? `data type ${code ?? "unset"}`;
}

export function tensorDims(t: TensorProto): number[] {
  return (t.dims ?? []).map(toInt);
}

/**
 * A float tensor's values as float64 in C order. ONNX stores them either in `raw_data` (little
 * endian) or in the typed field: `float_data`, `double_data`, or for FLOAT16 `int32_data` holding
 * the 16-bit patterns. A length that disagrees with `dims` is a corrupt model (E_ONNX).
 */
export function tensorValues(t: TensorProto, file: string): Float64Array {
  const type = floatTypeOf(t);
  if (type === null) throw new DecomposeError("E_ONNX", `tensor ${quoted(t.name ?? "")} is ${dataTypeName(t.dataType)}, not FLOAT, FLOAT16 or DOUBLE`, file);
  const dims = tensorDims(t);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new DecomposeError("E_ONNX", `tensor ${quoted(t.name ?? "")} has dims [${dims.join(", ")}]`, file);
  const n = dims.reduce((a, b) => a * b, 1);
  const raw = t.rawData;
  const width = type === "DOUBLE" ? 8 : type === "FLOAT" ? 4 : 2;
  const bad = (have: number): DecomposeError =>
    new DecomposeError("E_ONNX", `tensor ${quoted(t.name ?? "")} has ${have} values, its dims [${dims.join(", ")}] need ${n}`, file);
  // The stored length is checked against the dims before anything of size n is allocated.
  if (raw && raw.length > 0) {
    if (raw.length !== n * width) throw bad(raw.length / width);
    const out = new Float64Array(n);
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) {
      out[i] = type === "DOUBLE" ? v.getFloat64(8 * i, true) : type === "FLOAT" ? v.getFloat32(4 * i, true) : float16BitsToNumber(v.getUint16(2 * i, true));
    }
    return out;
  }
  const typed = type === "DOUBLE" ? (t.doubleData ?? []) : type === "FLOAT" ? (t.floatData ?? []) : (t.int32Data ?? []);
  if (typed.length !== n) throw bad(typed.length);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = type === "FLOAT16" ? float16BitsToNumber(typed[i]! & 0xffff) : typed[i]!;
  return out;
}

/** A new initializer of `type` holding `data` (rounded to the type), in `raw_data`. */
export function makeTensor(name: string, dims: readonly number[], data: Float64Array, type: OnnxFloat): TensorProto {
  const width = type === "DOUBLE" ? 8 : type === "FLOAT" ? 4 : 2;
  const raw = new Uint8Array(data.length * width);
  const v = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) {
    if (type === "DOUBLE") v.setFloat64(8 * i, data[i]!, true);
    else if (type === "FLOAT") v.setFloat32(4 * i, data[i]!, true);
    else v.setUint16(2 * i, numberToFloat16Bits(data[i]!), true);
  }
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: DataType[type], rawData: raw });
}
