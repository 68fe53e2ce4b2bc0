/**
 * A real trained network end to end: MobileFaceNet (faceplugin-face-recognition-js, MIT, a
 * devDependency: model/fr_feature.onnx, 50 Convs of which 17 depthwise 3x3, one 7x7 depthwise,
 * PRelu, residual Adds; input 1x3x112x112, a 512-d embedding). ONNX Runtime runs the parent and
 * the decomposed model on the same seeded inputs. Skipped when the devDependency or the runtime
 * is absent. --max-iter is lowered where the regime does not need more (the settings are stated).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LayerSettings } from "../../src/batch/layer.js";
import { decomposeOnnx } from "../../src/model/decompose-onnx.js";
import { graphInputs } from "../../src/model/inputs.js";
import { modelCounts } from "../../src/model/counts.js";
import { readOnnx, writeOnnx } from "../../src/model/onnx.js";
import { convOutputElements } from "../../src/model/probe.js";
import { loadRuntime } from "../../src/model/runtime.js";
import { verifyModels } from "../../src/model/verify.js";
import { ROOT } from "../cli/helpers.js";

const FILE = join(ROOT, "node_modules", "faceplugin-face-recognition-js", "model", "fr_feature.onnx");
const runtime = await loadRuntime();
const base: LayerSettings = {
  filters: { kind: "ratio", ratio: 1 },
  method: "auto",
  lambda: 1e-4,
  maxIter: 30,
  tol: 1e-7,
  seed: 0,
  padding: "same",
  extra: { init: "auto" },
};

async function run(settings: LayerSettings, select?: RegExp) {
  const bytes = new Uint8Array(readFileSync(FILE));
  const model = readOnnx(bytes, "fr_feature.onnx");
  const inputs = graphInputs(model, new Map());
  const d = await decomposeOnnx(model, { settings, inputs, jobs: 2, ...(select ? { select } : {}) });
  const out = writeOnnx(d.model);
  const v = await verifyModels(bytes, out, { inputs, seed: 0 });
  const before = modelCounts(model.proto, await convOutputElements(model.proto, inputs, 0));
  const after = modelCounts(d.model.proto, await convOutputElements(d.model.proto, inputs, 0));
  return { d, v, before, after };
}

describe.skipIf(!existsSync(FILE) || !runtime.ok)("MobileFaceNet (fr_feature.onnx), whole network in ONNX Runtime", () => {
  it("when every spatial Conv is split at --filters 1x (exact layout) then the embedding matches at float32 rounding", async () => {
    const { d, v, before, after } = await run(base);
    // The 18 spatial convs (first 3x3, 16 depthwise 3x3, the 7x7 depthwise); the 32 1x1 are skipped.
    expect(d.splits).toHaveLength(18);
    expect(d.entries.filter((e) => e.status === "skipped")).toHaveLength(32);
    expect(v.status).toBe("ok");
    if (v.status !== "ok") return;
    const o = v.outputs[0]!;
    expect(o.dims).toEqual([1, 512]);
    // Measured: max |dev| 2.98e-7 over max |output| 0.331, relative 9.0e-7, cosine 1 - 1e-12.
    expect(o.rel).toBeLessThan(5e-6);
    expect(o.cosine).toBeGreaterThan(1 - 1e-9);
    expect(before.convNodes).toBe(50);
    expect(after.convNodes).toBe(68);
    expect(before.convMacs).toBe(221161984);
    expect(after.convMacs).toBeGreaterThan(before.convMacs!);
  });

  it("when the 1x1 convs are halved in rank (--filters 0.5x --k1 1 --k2 1) then the counts drop and the deviation is what it is without fine-tuning", async () => {
    const { d, v, before, after } = await run({ ...base, filters: { kind: "ratio", ratio: 0.5 }, k1: { h: 1, w: 1 }, k2: { h: 1, w: 1 } });
    expect(d.splits).toHaveLength(32);
    expect(after.parameters).toBeLessThan(before.parameters);
    expect(after.convMacs!).toBeLessThan(before.convMacs!);
    expect(v.status).toBe("ok");
    if (v.status !== "ok") return;
    const o = v.outputs[0]!;
    // Measured: parameters 1190336 -> 950720, relative deviation 1.17, cosine 0.18: halving the
    // rank of all 32 pointwise layers at once, with no fine-tuning, does not keep the embedding.
    expect(o.cosine).toBeGreaterThan(0);
    expect(o.cosine).toBeLessThan(0.9);
    expect(Number.isFinite(o.rel)).toBe(true);
  });
});
