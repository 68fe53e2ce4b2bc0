/**
 * Which `Conv` nodes of a model's main graph are layers to split, as batch tasks
 * (src/batch/layer.ts), and why the others are left alone.
 *
 * - `--select` / `--exclude` (regular expressions) are searched in the node's name and in its
 *   weight's name: a node is a candidate when select matches either (or is absent) and exclude
 *   matches neither.
 * - The weight must be a constant (initializer or Constant node) of type FLOAT, FLOAT16 or
 *   DOUBLE; a selected Conv whose weight is computed at run time is refused (E_ONNX, exit 2).
 * - `ConvTranspose`, `QLinearConv` and `ConvInteger` are listed as skipped with the reason.
 * - A weight read by several Conv nodes is split once; every node using it gets the same factors
 *   (with its own pads and strides), provided they agree on `group`.
 * - 1x1 kernels are skipped unless --k1/--k2 are given, as for dumps.
 */
import { DecomposeError } from "../errors.js";
import { quoted } from "../io/quote.js";
import type { Shape4 } from "../geometry/tensor.js";
import { convAttributes, explicitPads, padsList, symmetric, type ConvAttributes, type Pads4 } from "./conv-node.js";
import { floatTypeOf, dataTypeName, tensorDims, tensorValues, type NodeProto, type OnnxFloat, type OnnxModel } from "./onnx.js";
import { constantTensors } from "./weights.js";

export interface ConvPlanOptions {
  readonly select?: RegExp;
  readonly exclude?: RegExp;
  readonly explicitSizes: boolean;
  /** Spatial sizes (h, w) of tensors, where known: for auto_pad SAME with a stride above 1. */
  readonly spatial: ReadonlyMap<string, readonly [number, number]>;
  /** The stacking layout (default exact); `same` needs symmetric pads. */
  readonly layout?: "exact" | "same";
}

export interface PlannedConv {
  readonly status: "planned";
  /** Position of the node in graph.node. */
  readonly nodeIndex: number;
  readonly node: NodeProto;
  readonly name: string;
  readonly opType: string;
  readonly weight: string;
  readonly shape: Shape4;
  readonly dtype: OnnxFloat;
  readonly data: Float64Array;
  readonly bias: Float64Array | null;
  readonly attributes: ConvAttributes;
  /** The parent's explicit pads (auto_pad translated). */
  readonly pads: Pads4;
  /** Index of the first planned node with the same weight (its factors are reused), or null. */
  readonly sharesWith: number | null;
}

export interface SkippedConv {
  readonly status: "skipped";
  readonly nodeIndex: number;
  readonly node: NodeProto;
  readonly name: string;
  readonly opType: string;
  readonly weight: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly reason: string;
}

export type ConvEntry = PlannedConv | SkippedConv;

/** Convolution-like ops reported as skipped, by op_type (a Map: op_type comes from the file). */
const SKIPPED_OPS: ReadonlyMap<string, string> = new Map([
  ["ConvTranspose", "ConvTranspose is a transposed convolution: this tool splits Conv nodes only (it counts at full size in a --budget plan)"],
  ["QLinearConv", "QLinearConv is quantised (integer weights): only float Conv is split"],
  ["ConvInteger", "ConvInteger has integer weights: only float Conv is split"],
]);

/** A node's name for outputs and reports; unnamed nodes are `<opType>_<index>`. */
export function nodeName(n: NodeProto, index: number): string {
  return n.name !== undefined && n.name !== null && n.name !== "" ? n.name : `${n.opType ?? "node"}_${index}`;
}

export function planConvs(model: OnnxModel, o: ConvPlanOptions): ConvEntry[] {
  const g = model.proto.graph!;
  const constants = constantTensors(g);
  const entries: ConvEntry[] = [];
  const byWeight = new Map<string, number>();
  (g.node ?? []).forEach((node, nodeIndex) => {
    const opType = node.opType ?? "";
    const skippedOp = SKIPPED_OPS.get(opType);
    if (opType !== "Conv" && skippedOp === undefined) return;
    const name = nodeName(node, nodeIndex);
    const weight = node.input?.[opType === "QLinearConv" ? 3 : 1] ?? "";
    if (!selected(name, weight, o)) return;
    const src = constants.get(weight);
    const dims = src ? tensorDims(src.tensor) : [];
    const base = { nodeIndex, node, name, opType, weight, shape: dims, dtype: src ? dataTypeName(src.tensor.dataType) : "unknown" };
    const skip = (reason: string): void => void entries.push({ status: "skipped", ...base, reason });
    if (skippedOp !== undefined) return skip(skippedOp);
    if (src === undefined) {
      throw new DecomposeError(
        "E_ONNX",
        `Conv node ${quoted(name)}: its weight ${quoted(weight)} is computed at run time (not an initializer or Constant), so it cannot be split; leave the node out with --exclude`,
        model.file,
      );
    }
    const dtype = floatTypeOf(src.tensor);
    if (dtype === null) return skip(`weight is ${dataTypeName(src.tensor.dataType)}, not FLOAT, FLOAT16 or DOUBLE`);
    if (dims.length !== 4) return skip(`weight has ${dims.length} dimensions: only 2-D convolutions (4-D weights) are split`);
    const shape: Shape4 = [dims[0]!, dims[1]!, dims[2]!, dims[3]!];
    if (shape.some((d) => d === 0)) return skip(`weight shape [${shape.join(", ")}] has a zero-size axis`);
    const attributes = convAttributes(node);
    if (typeof attributes === "string") return skip(attributes);
    if (attributes.kernelShape && (attributes.kernelShape[0] !== shape[2] || attributes.kernelShape[1] !== shape[3])) {
      return skip(`kernel_shape [${attributes.kernelShape.join(", ")}] disagrees with the weight's ${shape[2]}x${shape[3]}`);
    }
    if (shape[0] % attributes.group !== 0) return skip(`group=${attributes.group} does not divide the ${shape[0]} output channels`);
    if (shape[2] === 1 && shape[3] === 1 && !o.explicitSizes) {
      return skip("1x1 kernel: nothing spatial to split with the default sizes (give --k1/--k2 to split it anyway)");
    }
    const pads = explicitPads(attributes, [shape[2], shape[3]], o.spatial.get(node.input?.[0] ?? "") ?? null);
    if (typeof pads === "string") return skip(pads);
    if (o.layout === "same" && !symmetric(pads)) {
      return skip(`--layout same needs symmetric pads; this node pads [${padsList(pads).join(", ")}] (the exact layout handles any pads)`);
    }
    const first = byWeight.get(weight);
    if (first !== undefined) {
      const f = entries[first] as PlannedConv;
      if (f.attributes.group !== attributes.group) return skip(`weight ${quoted(weight)} is shared with ${quoted(f.name)}, which runs it with group=${f.attributes.group}`);
      entries.push({ status: "planned", ...base, shape, dtype, data: f.data, bias: null, attributes, pads, sharesWith: first });
      return;
    }
    const biasName = node.input?.[2] ?? "";
    const biasSrc = biasName === "" ? undefined : constants.get(biasName);
    let data: Float64Array;
    let bias: Float64Array | null = null;
    data = tensorValues(src.tensor, model.file);
    if (data.some((x) => !Number.isFinite(x))) return skip("weight has non-finite values");
    if (biasSrc && floatTypeOf(biasSrc.tensor) !== null && tensorDims(biasSrc.tensor).join() === String(shape[0])) bias = tensorValues(biasSrc.tensor, model.file);
    byWeight.set(weight, entries.length);
    entries.push({ status: "planned", ...base, shape, dtype, data, bias, attributes, pads, sharesWith: null });
  });
  return entries;
}

function selected(name: string, weight: string, o: ConvPlanOptions): boolean {
  if (o.select && !o.select.test(name) && !o.select.test(weight)) return false;
  if (o.exclude && (o.exclude.test(name) || o.exclude.test(weight))) return false;
  return true;
}
