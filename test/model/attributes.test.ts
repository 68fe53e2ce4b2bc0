/**
 * Conv attributes through the split, each case checked by ONNX Runtime against the parent on
 * seeded random inputs: the exact stacking layout must preserve the function everywhere (borders
 * included), so an exact regime (--filters 1x: a delta factor exists) reproduces the parent at
 * float32 rounding whatever the stride, groups, dilation, pads or auto_pad.
 */
import { describe, expect, it } from "vitest";
import type { LayerSettings } from "../../src/batch/layer.js";
import { decomposeOnnx } from "../../src/model/decompose-onnx.js";
import { graphInputs } from "../../src/model/inputs.js";
import { readOnnx, writeOnnx } from "../../src/model/onnx.js";
import { loadRuntime } from "../../src/model/runtime.js";
import { verifyModels } from "../../src/model/verify.js";
import { buildModel, type ModelSpec } from "./build.js";

export const exactSettings: LayerSettings = {
  filters: { kind: "ratio", ratio: 1 },
  method: "structured",
  lambda: 1e-4,
  maxIter: 30,
  tol: 1e-7,
  seed: 0,
  padding: "same",
  extra: { init: "auto" },
};

export async function splitAndCheck(spec: ModelSpec, settings: LayerSettings = exactSettings) {
  const bytes = buildModel(spec);
  const model = readOnnx(bytes, "test.onnx");
  const inputs = graphInputs(model, new Map());
  const d = await decomposeOnnx(model, { settings, inputs });
  const out = writeOnnx(d.model);
  const v = await verifyModels(bytes, out, { inputs, seed: 3 });
  return { d, v, out };
}

const runtime = await loadRuntime();

const CASES: [string, ModelSpec][] = [
  ["plain 3x3, bias", { input: [1, 4, 9, 9], convs: [{ cIn: 4, cOut: 6, k: [3, 3], pads: [1, 1, 1, 1], bias: true }] }],
  ["no padding", { input: [1, 3, 8, 8], convs: [{ cIn: 3, cOut: 5, k: [3, 3] }] }],
  ["stride 2", { input: [1, 3, 11, 10], convs: [{ cIn: 3, cOut: 4, k: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }] }],
  ["stride 2x3, 5x3 kernel", { input: [1, 2, 13, 12], convs: [{ cIn: 2, cOut: 3, k: [5, 3], strides: [2, 3], pads: [2, 1, 2, 1] }] }],
  ["groups 2", { input: [1, 4, 8, 8], convs: [{ cIn: 4, cOut: 6, k: [3, 3], group: 2, pads: [1, 1, 1, 1], bias: true }] }],
  ["depthwise", { input: [1, 5, 8, 8], convs: [{ cIn: 5, cOut: 5, k: [3, 3], group: 5, pads: [1, 1, 1, 1] }] }],
  ["dilation 2", { input: [1, 3, 12, 12], convs: [{ cIn: 3, cOut: 4, k: [3, 3], dilations: [2, 2], pads: [2, 2, 2, 2] }] }],
  ["dilation 2x3 with stride 2", { input: [1, 2, 15, 15], convs: [{ cIn: 2, cOut: 3, k: [3, 3], dilations: [2, 3], strides: [2, 2], pads: [1, 3, 2, 0] }] }],
  ["asymmetric pads", { input: [1, 3, 9, 7], convs: [{ cIn: 3, cOut: 4, k: [3, 3], pads: [0, 2, 1, 0] }] }],
  ["auto_pad SAME_UPPER", { input: [1, 3, 8, 8], convs: [{ cIn: 3, cOut: 4, k: [3, 3], autoPad: "SAME_UPPER" }] }],
  ["auto_pad SAME_LOWER, stride 2 (odd total: the extra pixel at the start)", { input: [1, 3, 8, 8], convs: [{ cIn: 3, cOut: 4, k: [3, 3], strides: [2, 2], autoPad: "SAME_LOWER" }] }],
  ["auto_pad SAME_UPPER, stride 2 (input size known)", { input: [1, 3, 9, 10], convs: [{ cIn: 3, cOut: 4, k: [3, 3], strides: [2, 2], autoPad: "SAME_UPPER" }] }],
  ["auto_pad VALID", { input: [1, 3, 8, 8], convs: [{ cIn: 3, cOut: 4, k: [3, 3], autoPad: "VALID" }] }],
  ["Constant weights, two convs with Relu", { input: [1, 3, 10, 10], constants: true, relu: true, convs: [{ cIn: 3, cOut: 6, k: [3, 3], pads: [1, 1, 1, 1], bias: true }, { cIn: 6, cOut: 4, k: [3, 3], strides: [2, 2] }] }],
  ["FLOAT16 weights", { input: [1, 3, 8, 8], dtype: "FLOAT16", convs: [{ cIn: 3, cOut: 4, k: [3, 3], pads: [1, 1, 1, 1], bias: true }] }],
];

describe.skipIf(!runtime.ok)("Conv attributes, checked by ONNX Runtime against the parent (--filters 1x, exact layout)", () => {
  for (const [name, spec] of CASES) {
    it(`when ${name} then the decomposed model computes the parent's function`, async () => {
      const { d, v } = await splitAndCheck(spec);
      const convs = spec.convs.length;
      expect(d.splits).toHaveLength(convs);
      expect(d.model.proto.graph!.node!.filter((n) => n.opType === "Conv")).toHaveLength(2 * convs);
      expect(v.status).toBe("ok");
      if (v.status !== "ok") return;
      // float32 rounding of the stack vs the parent (float16: the weights' and the activations' rounding).
      const tol = spec.dtype === "FLOAT16" ? 5e-3 : 2e-6;
      for (const o of v.outputs) {
        expect(o.rel).toBeLessThan(tol);
        expect(o.cosine).toBeGreaterThan(1 - tol);
      }
    });
  }

  it("when the kernel is even (4x2, SAME_UPPER) and --k1 1 --k2 4x2 then the split is exact", async () => {
    const spec: ModelSpec = { input: [1, 3, 8, 8], convs: [{ cIn: 3, cOut: 4, k: [4, 2], autoPad: "SAME_UPPER" }] };
    const { d, v } = await splitAndCheck(spec, { ...exactSettings, k1: { h: 1, w: 1 }, k2: { h: 4, w: 2 } });
    expect(d.splits).toHaveLength(1);
    expect(v.status === "ok" && v.outputs[0]!.rel).toBeLessThan(2e-6);
  });

  it("when --layout same is chosen then the pads are split p1 = (k1 - 1) / 2, p2 = the rest, and asymmetric pads are skipped", async () => {
    const spec: ModelSpec = { input: [1, 3, 10, 10], convs: [{ cIn: 3, cOut: 4, k: [3, 3], pads: [1, 1, 1, 1] }] };
    const same = { ...exactSettings, extra: { ...exactSettings.extra, layout: "same" as const } };
    const { d, v } = await splitAndCheck(spec, same);
    expect(d.model.proto.graph!.node![0]!.attribute!.find((a) => a.name === "pads")!.ints!.map(Number)).toEqual([1, 1, 1, 1]);
    expect(d.model.proto.graph!.node![1]!.attribute!.find((a) => a.name === "pads")!.ints!.map(Number)).toEqual([1, 1, 1, 1]);
    expect(v.status).toBe("ok");
    const asym = await splitAndCheck({ input: [1, 3, 9, 7], convs: [{ cIn: 3, cOut: 4, k: [3, 3], pads: [0, 2, 1, 0] }] }, same);
    expect(asym.d.entries[0]).toMatchObject({ status: "skipped", reason: expect.stringMatching(/--layout same needs symmetric pads/) });
  });

  it("when auto_pad SAME has a stride and the input size is unknown then the node is skipped with the reason", async () => {
    // A symbolic batch: the graph input's shape is not fully stated, and no inputs are given.
    const spec: ModelSpec = { input: [1, 3, 9, 9], symbolicBatch: true, convs: [{ cIn: 3, cOut: 4, k: [3, 3], strides: [2, 2], autoPad: "SAME_UPPER" }] };
    const model = readOnnx(buildModel(spec), "t.onnx");
    const d = await decomposeOnnx(model, { settings: exactSettings });
    expect(d.entries[0]).toMatchObject({ status: "skipped", reason: expect.stringMatching(/needs the input's spatial size/) });
  });

  it("when auto_pad SAME has a stride and the graph states the input's shape then the node is split", async () => {
    const spec: ModelSpec = { input: [1, 3, 9, 9], convs: [{ cIn: 3, cOut: 4, k: [3, 3], strides: [2, 2], autoPad: "SAME_UPPER" }] };
    const d = await decomposeOnnx(readOnnx(buildModel(spec), "t.onnx"), { settings: exactSettings });
    // ceil(9 / 2) = 5 outputs: total pad (5 - 1) 2 + 3 - 9 = 2, one per side.
    expect(d.entries[0]).toMatchObject({ status: "planned", pads: { top: 1, left: 1, bottom: 1, right: 1 } });
  });
});
