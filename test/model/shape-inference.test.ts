/**
 * The static shape propagation (src/model/shape-inference.ts) against ONNX Runtime, the oracle:
 * every tensor the propagation claims to know has the dims the runtime measures when it runs the
 * model. Models: small ones built here (strides, dilations, asymmetric pads, auto_pad with a
 * stride, groups, MaxPool with ceil_mode, Concat, a broadcast Add, GlobalAveragePool), and the real
 * MobileFaceNet (50 Convs, PRelu, residual Adds), where every Conv input must be known without
 * running anything.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { graphInputs } from "../../src/model/inputs.js";
import { modelShapes } from "../../src/model/model-shapes.js";
import { makeTensor, onnx, readOnnx, type ModelProto, type NodeProto } from "../../src/model/onnx.js";
import { runtimeTensorDims } from "../../src/model/probe.js";
import { loadRuntime } from "../../src/model/runtime.js";
import { staticShapes } from "../../src/model/shape-inference.js";
import { Rng } from "../../src/random.js";
import { ROOT } from "../cli/helpers.js";
import { buildModel } from "./build.js";

const runtime = await loadRuntime();
const FACE = join(ROOT, "node_modules", "faceplugin-face-recognition-js", "model", "fr_feature.onnx");

const ints = (name: string, v: readonly number[]) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...v] });
const int = (name: string, i: number) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i });

/** x (1, 4, 13, 11) -> conv a (stride 2, asymmetric pads) -> maxpool (ceil_mode) ; conv b (dilation 2) -> GAP-broadcast Add ; concat. */
function mixedModel(): ModelProto {
  const rng = new Rng(3);
  const w = (name: string, dims: number[]) => makeTensor(name, dims, rng.normals(dims.reduce((a, b) => a * b, 1)), "FLOAT");
  const nodes: NodeProto[] = [
    onnx.NodeProto.create({ name: "a", opType: "Conv", input: ["x", "wa"], output: ["ya"], attribute: [ints("strides", [2, 2]), ints("pads", [0, 1, 2, 1])] }),
    onnx.NodeProto.create({ name: "pool", opType: "MaxPool", input: ["ya"], output: ["pa"], attribute: [ints("kernel_shape", [2, 2]), ints("strides", [2, 2]), int("ceil_mode", 1)] }),
    onnx.NodeProto.create({ name: "b", opType: "Conv", input: ["x", "wb"], output: ["yb"], attribute: [ints("dilations", [2, 2]), ints("pads", [2, 2, 2, 2]), int("group", 2)] }),
    onnx.NodeProto.create({ name: "gap", opType: "GlobalAveragePool", input: ["yb"], output: ["gb"] }),
    onnx.NodeProto.create({ name: "add", opType: "Add", input: ["yb", "gb"], output: ["sb"] }),
    onnx.NodeProto.create({ name: "c", opType: "Conv", input: ["sb", "wc"], output: ["yc"], attribute: [ints("strides", [3, 3]), onnx.AttributeProto.create({ name: "auto_pad", type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode("SAME_LOWER") })] }),
    onnx.NodeProto.create({ name: "relu", opType: "Relu", input: ["yc"], output: ["rc"] }),
    onnx.NodeProto.create({ name: "cat", opType: "Concat", input: ["pa", "pa"], output: ["y"], attribute: [int("axis", 1)] }),
  ];
  return onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 13 }],
    graph: {
      name: "mixed",
      node: nodes,
      initializer: [w("wa", [6, 4, 3, 3]), w("wb", [8, 2, 3, 3]), w("wc", [5, 8, 3, 3])],
      input: [{ name: "x", type: { tensorType: { elemType: 1, shape: { dim: [1, 4, 13, 11].map((d) => ({ dimValue: d })) } } } }],
      output: [{ name: "y", type: { tensorType: { elemType: 1 } } }, { name: "rc", type: { tensorType: { elemType: 1 } } }],
    },
  });
}

describe.skipIf(!runtime.ok)("static shapes agree with ONNX Runtime", () => {
  it("when a model mixes strides, dilations, pads, auto_pad, pools, broadcasting and Concat then every propagated shape is the runtime's", async () => {
    const proto = mixedModel();
    const model = { file: "m.onnx", proto };
    const inputs = graphInputs(model, new Map());
    const shapes = staticShapes(proto, inputs);
    const names = ["ya", "pa", "yb", "gb", "sb", "yc", "rc", "y"];
    for (const n of names) expect(shapes.get(n)?.source, n).toBe("inferred");
    const measured = await runtimeTensorDims(proto, names, inputs, 0);
    if (typeof measured === "string") throw new Error(measured);
    for (const n of names) expect(shapes.get(n)!.dims, n).toEqual(measured.get(n));
  });

  it("when built models have any Conv attributes then the Conv outputs agree", async () => {
    const bytes = buildModel({ input: [1, 3, 17, 9], convs: [{ cIn: 3, cOut: 4, k: [3, 3], strides: [2, 1], dilations: [1, 2], pads: [1, 0, 2, 3] }, { cIn: 4, cOut: 4, k: [5, 3], group: 4, strides: [2, 2], autoPad: "SAME_UPPER" }] });
    const model = readOnnx(bytes, "m.onnx");
    const inputs = graphInputs(model, new Map());
    const shapes = staticShapes(model.proto, inputs);
    const measured = await runtimeTensorDims(model.proto, ["h0", "y"], inputs, 0);
    if (typeof measured === "string") throw new Error(measured);
    expect(shapes.get("h0")!.dims).toEqual(measured.get("h0"));
    expect(shapes.get("y")!.dims).toEqual(measured.get("y"));
  });

  it.skipIf(!existsSync(FACE))("when MobileFaceNet has no value_info then all 50 Conv inputs come from propagation and match the runtime", async () => {
    const model = readOnnx(new Uint8Array(readFileSync(FACE)), "fr_feature.onnx");
    const inputs = graphInputs(model, new Map());
    const s = await modelShapes(model.proto, inputs);
    expect(s.sources).toEqual({ graph: 1, inferred: 49, runtime: 0 });
    expect(s.unknown).toEqual([]);
    const convs = model.proto.graph!.node!.filter((n) => n.opType === "Conv");
    const names = [...new Set(convs.flatMap((n) => [n.input![0]!, n.output![0]!]))];
    const measured = await runtimeTensorDims(model.proto, names, inputs, 0);
    if (typeof measured === "string") throw new Error(measured);
    for (const n of names) expect(s.shapes.get(n)!.dims, n).toEqual(measured.get(n));
  });
});

describe("static shapes without a runtime", () => {
  it("when the graph input has a symbolic batch and no inputs are given then the Convs are unknown, and the runtime is not asked", async () => {
    const model = readOnnx(buildModel({ input: [1, 3, 8, 8], symbolicBatch: true, convs: [{ cIn: 3, cOut: 4, k: [3, 3] }] }), "m.onnx");
    const s = await modelShapes(model.proto, []);
    expect(s.unknown).toEqual(["conv0"]);
    expect(s.runtimeNote).toMatch(/--input-shape/);
  });

  it("when the runtime is not asked then a shape the runtime would give stays unknown (a Reshape the propagation does not follow)", async () => {
    const proto = onnx.ModelProto.decode(buildModel({ input: [1, 3, 8, 8], convs: [{ cIn: 3, cOut: 4, k: [3, 3] }] }));
    const g = proto.graph!;
    g.initializer!.push(makeTensor("shape", [4], Float64Array.from([1, 3, 8, 8]), "FLOAT"));
    g.initializer![g.initializer!.length - 1]!.dataType = onnx.TensorProto.DataType.INT64;
    g.initializer![g.initializer!.length - 1]!.rawData = new Uint8Array(new BigInt64Array([1n, 3n, 8n, 8n]).buffer);
    g.node!.unshift(onnx.NodeProto.create({ name: "reshape", opType: "Reshape", input: ["x", "shape"], output: ["xr"] }));
    g.node![1]!.input![0] = "xr";
    const model = { file: "m.onnx", proto };
    const inputs = graphInputs(model, new Map());
    const off = await modelShapes(proto, inputs, { runtime: false });
    expect(off.unknown).toEqual(["conv0"]);
    if (!runtime.ok) return;
    const on = await modelShapes(proto, inputs);
    expect(on.sources.runtime).toBe(1);
    expect(on.shapes.get("xr")!.dims).toEqual([1, 3, 8, 8]);
    // What the runtime measured feeds the propagation: the Conv output is known too.
    expect(on.shapes.get("y")!.dims).toEqual([1, 4, 6, 6]); // 3x3, no pads
  });
});
