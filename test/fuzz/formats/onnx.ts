/**
 * `.onnx` under fuzzing: seeds are small models built with the official schema (initializer and
 * Constant weights, FLOAT/FLOAT16/DOUBLE, bias, groups, auto_pad) plus the real MobileFaceNet
 * when its devDependency is installed; the parse is what a run does before any computation
 * (readOnnx, then planning every Conv, which decodes the weights and translates the attributes).
 * Structural mutations decode the model, edit one field the reader trusts least (a weight's dims,
 * data type, raw bytes or storage location, a Conv attribute, a node's op type or names) and
 * encode it again, so the mutant is a well-formed protobuf that lies.
 */
import { planConvs } from "../../../src/model/conv-plan.js";
import { onnx, readOnnx, type NodeProto } from "../../../src/model/onnx.js";
import { buildModel } from "../../model/build.js";
import { pick } from "../mutations.js";
import type { FuzzFormat } from "./format.js";

const DIMS: readonly number[] = [0, 1, 2, 3, -1, 2 ** 31 - 1, 2 ** 31, 2 ** 40, 2 ** 53, 7];
const TYPES: readonly number[] = [0, 1, 2, 6, 7, 9, 10, 11, 16, 99, -1];
const INTS: readonly number[] = [0, 1, 2, -1, -3, 2 ** 31, 2 ** 53, 1000];
const NAMES: readonly string[] = ["", "__proto__", "toString", "a\nb", "\u0000", "x".repeat(5000), "\u2028", "w0"];
const OPS: readonly string[] = ["Conv", "ConvTranspose", "QLinearConv", "ConvInteger", "Relu", ""];
const AUTO: readonly string[] = ["SAME_UPPER", "SAME_LOWER", "VALID", "NOTSET", "same", "\n"];

export const onnxFormat: FuzzFormat = {
  name: "onnx",
  file: "fuzz.onnx",
  seeds() {
    return [
      buildModel({ input: [1, 3, 8, 8], relu: true, convs: [{ cIn: 3, cOut: 4, k: [3, 3], pads: [1, 1, 1, 1], bias: true }, { cIn: 4, cOut: 2, k: [3, 3], strides: [2, 2] }] }),
      buildModel({ input: [1, 4, 8, 8], constants: true, dtype: "FLOAT16", convs: [{ cIn: 4, cOut: 4, k: [3, 3], group: 4, autoPad: "SAME_UPPER", bias: true }] }),
      buildModel({ input: [1, 2, 9, 9], dtype: "DOUBLE", convs: [{ cIn: 2, cOut: 2, k: [3, 1], strides: [2, 2], autoPad: "SAME_LOWER", dilations: [2, 1] }] }),
    ];
  },
  parse(bytes, file) {
    const model = readOnnx(bytes, file);
    return planConvs(model, { explicitSizes: true, spatial: new Map([["x", [8, 8]]]) }).length;
  },
  kinds: ["onnx-dims", "onnx-type", "onnx-raw", "onnx-location", "onnx-attr", "onnx-op", "onnx-name", "onnx-typed"],
  mutate(bytes, m) {
    let model: ReturnType<typeof onnx.ModelProto.decode>;
    try {
      model = onnx.ModelProto.decode(bytes);
    } catch {
      return bytes.slice();
    }
    const g = model.graph;
    if (!g) return bytes.slice();
    const tensors = [...(g.initializer ?? []), ...(g.node ?? []).flatMap((n) => (n.attribute ?? []).flatMap((a) => (a.t ? [a.t] : [])))];
    const t = tensors.length > 0 ? pick(tensors, m.a) : undefined;
    const nodes = g.node ?? [];
    const node: NodeProto | undefined = nodes.length > 0 ? pick(nodes, m.a) : undefined;
    switch (m.kind) {
      case "onnx-dims":
        if (t && (t.dims ?? []).length > 0) t.dims![m.c % t.dims!.length] = pick(DIMS, m.b);
        else if (t) t.dims = [pick(DIMS, m.b)];
        break;
      case "onnx-type":
        if (t) t.dataType = pick(TYPES, m.b);
        break;
      case "onnx-raw":
        if (t?.rawData) t.rawData = t.rawData.subarray(0, m.b % (t.rawData.length + 1));
        break;
      case "onnx-location":
        if (t) t.dataLocation = m.b % 3;
        break;
      case "onnx-typed":
        // The same values moved from raw_data into the typed field (or left empty).
        if (t) {
          t.rawData = new Uint8Array(0);
          t.floatData = Array.from({ length: m.b % 64 }, (_, i) => i - 3.5);
          t.int32Data = Array.from({ length: m.c % 64 }, (_, i) => i * 4099);
        }
        break;
      case "onnx-attr": {
        const a = node && (node.attribute ?? []).length > 0 ? pick(node.attribute!, m.b) : undefined;
        if (a?.ints && a.ints.length > 0) a.ints[m.c % a.ints.length] = pick(INTS, m.c);
        else if (a && a.name === "auto_pad") a.s = new TextEncoder().encode(pick(AUTO, m.c));
        else if (a) a.i = pick(INTS, m.c);
        break;
      }
      case "onnx-op":
        if (node) node.opType = pick(OPS, m.b);
        break;
      case "onnx-name":
        if (node && (node.input ?? []).length > 0) node.input![m.c % node.input!.length] = pick(NAMES, m.b);
        else if (node) node.name = pick(NAMES, m.b);
        break;
      default:
        throw new Error(`onnx: unknown mutation ${m.kind}`);
    }
    return onnx.ModelProto.encode(model).finish();
  },
};
