/**
 * `--budget` on ONNX models (src/model/budget-onnx.ts through decomposeOnnx), against independent
 * oracles: the rewritten model's Conv weights counted from its initializers (params), and
 * 2 x sum over its Conv nodes of |output| (c_in / g) kh kw with |output| measured by ONNX Runtime
 * running it (FLOPs); ONNX Runtime also runs the rewritten model against the parent. Models: a
 * chain with a stride, a dilation, asymmetric pads and a depthwise conv (which stays unsplit and
 * counts at full size), and a weight read by two nodes at different strides (one plan layer, its
 * params once, its FLOPs summed).
 */
import { describe, expect, it } from "vitest";
import type { BudgetOptions } from "../../src/batch/budget.js";
import type { LayerSettings } from "../../src/batch/layer.js";
import { decomposeOnnx } from "../../src/model/decompose-onnx.js";
import { graphInputs } from "../../src/model/inputs.js";
import { makeTensor, onnx, readOnnx, writeOnnx, type ModelProto } from "../../src/model/onnx.js";
import { convOutputElements } from "../../src/model/probe.js";
import { loadRuntime } from "../../src/model/runtime.js";
import { verifyModels } from "../../src/model/verify.js";
import { Rng } from "../../src/random.js";
import { buildModel, graphModel } from "./build.js";

const runtime = await loadRuntime();
const settings: LayerSettings = { filters: { kind: "count", m: 1 }, method: "auto", lambda: 1e-4, maxIter: 15, tol: 1e-7, seed: 0, padding: "same", extra: { init: "auto" } };
const budget = (ratio: number, of: "params" | "flops"): BudgetOptions => ({ ratio, of, objective: "total", inputSizes: [] });

const chain = () =>
  buildModel({
    input: [1, 6, 16, 16],
    relu: true,
    convs: [
      { cIn: 6, cOut: 12, k: [3, 3], pads: [1, 1, 1, 1], bias: true },
      { cIn: 12, cOut: 12, k: [3, 3], group: 12, pads: [1, 1, 1, 1] },
      { cIn: 12, cOut: 16, k: [3, 3], strides: [2, 2], pads: [0, 1, 1, 0] },
      { cIn: 16, cOut: 16, k: [3, 3], dilations: [2, 2], pads: [2, 2, 2, 2] },
      { cIn: 16, cOut: 24, k: [1, 1] },
    ],
  });

/** Conv weights of a model, each distinct initializer once. */
function convParams(p: ModelProto): number {
  const init = new Map((p.graph!.initializer ?? []).map((t) => [t.name!, (t.dims ?? []).reduce((a: number, b) => a * Number(b), 1)]));
  return [...new Set(p.graph!.node!.filter((n) => n.opType === "Conv").map((n) => n.input![1]!))].reduce((s, w) => s + init.get(w)!, 0);
}

/** 2 x sum |output| (c_in / g) kh kw, |output| measured by the runtime. */
async function convFlops(p: ModelProto, inputs: ReturnType<typeof graphInputs>): Promise<number> {
  const out = await convOutputElements(p, inputs, 0);
  if (out === null) throw new Error("runtime could not measure");
  const init = new Map((p.graph!.initializer ?? []).map((t) => [t.name!, (t.dims ?? []).map(Number)]));
  return p.graph!.node!.filter((n) => n.opType === "Conv").reduce((s, n) => s + 2 * out.get(n.output![0]!)! * init.get(n.input![1]!)!.slice(1).reduce((a, b) => a * b, 1), 0);
}

describe.skipIf(!runtime.ok)("--budget on ONNX models, counted by the runtime", () => {
  for (const of of ["params", "flops"] as const) {
    it(`when a chain is planned at 0.5 of its ${of} then the rewritten model keeps at most that, the depthwise conv is untouched, and it runs`, async () => {
      const bytes = chain();
      const model = readOnnx(bytes, "chain.onnx");
      const inputs = graphInputs(model, new Map());
      const d = await decomposeOnnx(model, { settings, inputs, budget: budget(0.5, of) });
      const plan = d.plan!;
      expect(plan.records).toHaveLength(5);
      const dw = plan.records[1]!;
      expect(dw).toMatchObject({ name: "conv1", geometry: "unsplit", m: null });
      expect(d.unsplit.has(1)).toBe(true);
      // The oracle counts on the rewritten model.
      const params = convParams(d.model.proto);
      const flops = await convFlops(d.model.proto, inputs);
      expect(plan.summary.params.parent).toBe(convParams(model.proto));
      expect(plan.summary.flops!.parent).toBe(await convFlops(model.proto, inputs));
      expect(plan.summary.params.planned).toBe(params);
      expect(plan.summary.flops!.planned).toBe(flops);
      const cost = of === "params" ? params : flops;
      const parent = of === "params" ? plan.summary.params.parent : plan.summary.flops!.parent;
      expect(cost).toBeLessThanOrEqual(0.5 * parent);
      expect(plan.summary.cost.planned).toBe(cost);
      // The depthwise weight is still there, unchanged.
      expect(d.model.proto.graph!.node!.filter((n) => n.input?.[1] === "w1")).toHaveLength(1);
      const v = await verifyModels(bytes, writeOnnx(d.model), { inputs, seed: 0 });
      expect(v.status).toBe("ok");
    });
  }

  it("when a weight is read by two nodes then it is one plan layer: params once, FLOPs summed over both nodes, both rewritten", async () => {
    const rng = new Rng(5);
    const conv = (name: string, x: string, y: string, strides: number[]) =>
      onnx.NodeProto.create({ name, opType: "Conv", input: [x, "w"], output: [y], attribute: [onnx.AttributeProto.create({ name: "pads", type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1, 1, 1] }), onnx.AttributeProto.create({ name: "strides", type: onnx.AttributeProto.AttributeType.INTS, ints: strides })] });
    const bytes = graphModel({
      name: "shared",
      node: [conv("a", "x", "h", [1, 1]), conv("b", "h", "y", [2, 2])],
      initializer: [makeTensor("w", [8, 8, 3, 3], rng.normals(576, 0.2), "FLOAT")],
      inputDims: [1, 8, 12, 12].map((d) => ({ dimValue: d })),
    });
    const model = readOnnx(bytes, "shared.onnx");
    const inputs = graphInputs(model, new Map());
    const d = await decomposeOnnx(model, { settings, inputs, budget: budget(0.6, "flops") });
    expect(d.plan!.records).toHaveLength(1);
    const flops = await convFlops(d.model.proto, inputs);
    expect(d.plan!.summary.flops!.parent).toBe(await convFlops(model.proto, inputs));
    expect(d.plan!.summary.flops!.planned).toBe(flops);
    expect(d.plan!.summary.params.planned).toBe(convParams(d.model.proto));
    expect(flops).toBeLessThanOrEqual(0.6 * d.plan!.summary.flops!.parent);
    expect(d.splits.map((s) => s.name)).toEqual(["a", "b"]);
    expect((await verifyModels(bytes, writeOnnx(d.model), { inputs, seed: 0 })).status).toBe("ok");
  });

  it("when the model has a ConvTranspose then it is a plan layer at full size (params, and 2 c_in (c_out / g) kh kw in_h in_w FLOPs) and stays as it was", async () => {
    const rng = new Rng(9);
    const ints = (name: string, v: number[]) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v });
    const bytes = graphModel({
      name: "up",
      node: [
        onnx.NodeProto.create({ name: "up", opType: "ConvTranspose", input: ["x", "wt"], output: ["u"], attribute: [ints("strides", [2, 2])] }),
        onnx.NodeProto.create({ name: "conv", opType: "Conv", input: ["u", "w"], output: ["y"], attribute: [ints("pads", [1, 1, 1, 1])] }),
      ],
      initializer: [makeTensor("wt", [4, 6, 3, 3], rng.normals(216, 0.2), "FLOAT"), makeTensor("w", [8, 6, 3, 3], rng.normals(432, 0.2), "FLOAT")],
      inputDims: [1, 4, 6, 6].map((d) => ({ dimValue: d })),
    });
    const model = readOnnx(bytes, "up.onnx");
    const inputs = graphInputs(model, new Map());
    const d = await decomposeOnnx(model, { settings, inputs, budget: budget(0.8, "flops") });
    const [up, conv] = d.plan!.records;
    if (up === undefined || conv === undefined) throw new Error("two plan records expected");
    expect(up).toMatchObject({ name: "up", geometry: "unsplit", m: null, params: { parent: 216, children: 216 } });
    expect(up.flops!.parent).toBe(2 * 4 * 6 * 9 * 6 * 6);
    // The Conv after it reads the runtime-measured 13x13 map: its FLOPs from the shapes agree with the runtime.
    const measured = await convFlops(model.proto, inputs);
    expect(conv.flops!.parent).toBe(measured);
    expect(d.plan!.summary.flops!.parent).toBe(measured + up.flops!.parent);
    expect(d.model.proto.graph!.node!.find((n) => n.opType === "ConvTranspose")!.input).toEqual(["x", "wt"]);
    expect((await verifyModels(bytes, writeOnnx(d.model), { inputs, seed: 0 })).status).toBe("ok");
  });

  it("when --input-size names a node then its FLOPs use that size instead of the graph's", async () => {
    const model = readOnnx(chain(), "chain.onnx");
    const inputs = graphInputs(model, new Map());
    const graph = await decomposeOnnx(model, { settings, inputs, budget: budget(0.5, "flops") });
    const over = await decomposeOnnx(model, { settings, inputs, budget: { ...budget(0.5, "flops"), inputSizes: [{ pattern: /^conv0$/, size: { h: 32, w: 32 } }] } });
    // conv0 (12, 6, 3, 3), "same" at stride 1: 2 * 12 * 54 * 32 * 32 instead of 16 * 16.
    expect(graph.plan!.records[0]!.flops!.parent).toBe(2 * 12 * 54 * 16 * 16);
    expect(over.plan!.records[0]!.flops!.parent).toBe(2 * 12 * 54 * 32 * 32);
  });
});

describe("--budget-of flops without shapes", () => {
  it("when a Conv's input shape is known from nowhere then flops are refused naming it, and params still plan", async () => {
    const model = readOnnx(buildModel({ input: [1, 3, 8, 8], symbolicBatch: true, convs: [{ cIn: 3, cOut: 4, k: [3, 3], pads: [1, 1, 1, 1] }] }), "sym.onnx");
    await expect(decomposeOnnx(model, { settings, budget: budget(0.5, "flops") })).rejects.toThrow(/--budget-of flops needs the input shape of Conv 'conv0'/);
    const d = await decomposeOnnx(model, { settings, budget: budget(0.9, "params") });
    expect(d.plan!.summary.flops).toBeNull();
    const sized = await decomposeOnnx(model, { settings, budget: { ...budget(0.9, "flops"), inputSizes: [{ pattern: null, size: { h: 8, w: 8 } }] } });
    expect(sized.plan!.records[0]!.flops!.parent).toBe(2 * 4 * 27 * 64);
  });
});
