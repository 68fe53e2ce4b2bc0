/**
 * Real weights, real inputs, measured end to end: MobileFaceNet (fr_feature.onnx, MIT) compressed
 * to the same parameter count four ways (the uniform `--filters 0.5x --k1 1 --k2 1` on its 32
 * pointwise convs, and the `--budget` plan at no more parameters), each fitted in kernel space and
 * to real inputs (`--calibration-data`: 16 crops of the upscaler package's photographs,
 * test/helpers/face-inputs.ts; 12 fitted, 4 held out). The oracle is ONNX Runtime itself,
 * running the parent and each rewritten model on the 4 held-out crops: deviation of the 512-d
 * embedding (max |dev| / max |output|, cosine). Per layer, the held-out output-space residual
 * of the same split geometry, kernel fit against calibrated, by direct convolution
 * (src/calibration/output-error.ts) on the activations ONNX Runtime captured. Skipped with a
 * notice when the model or onnxruntime-node is absent. The figures are printed (README,
 * "Whole models (ONNX)").
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LayerSettings } from "../../src/batch/layer.js";
import { outputResidual } from "../../src/calibration/output-error.js";
import { captureActivations } from "../../src/model/capture.js";
import { heldOutCount, type CalibrationInputs } from "../../src/model/calibration-inputs.js";
import { decomposeOnnx, type OnnxDecomposition } from "../../src/model/decompose-onnx.js";
import { graphInputs } from "../../src/model/inputs.js";
import { readOnnx, writeOnnx } from "../../src/model/onnx.js";
import { loadRuntime } from "../../src/model/runtime.js";
import { deviation } from "../../src/model/verify.js";
import { faceInputs } from "../helpers/face-inputs.js";
import { ROOT } from "../cli/helpers.js";

const FILE = join(ROOT, "node_modules", "faceplugin-face-recognition-js", "model", "fr_feature.onnx");
const runtime = await loadRuntime();
if (!runtime.ok) console.warn(`mobilefacenet-calibration: skipped: ${runtime.reason}`);
if (!existsSync(FILE)) console.warn("mobilefacenet-calibration: skipped: faceplugin-face-recognition-js is not installed");

const base: LayerSettings = { filters: { kind: "ratio", ratio: 0.5 }, method: "auto", lambda: 1e-4, maxIter: 30, tol: 1e-7, seed: 0, padding: "same", extra: { init: "auto" } };

/** The embedding of parent and child on the held-out crops, concatenated, compared. */
async function heldOutDeviation(parent: Uint8Array, child: Uint8Array, x: { shape: number[]; data: Float64Array }): Promise<{ rel: number; cosine: number }> {
  if (!runtime.ok) throw new Error("no runtime");
  const { ort } = runtime;
  const a = await ort.InferenceSession.create(parent);
  const b = await ort.InferenceSession.create(child);
  const per = 3 * 112 * 112;
  const ya: number[] = [], yb: number[] = [];
  for (let j = x.shape[0]! - heldOutCount(x.shape[0]!); j < x.shape[0]!; j++) {
    const feeds = { input: new ort.Tensor("float32", Float32Array.from(x.data.subarray(j * per, (j + 1) * per)), [1, 3, 112, 112]) };
    ya.push(...((await a.run(feeds))["output"]!.data as Float32Array));
    yb.push(...((await b.run(feeds))["output"]!.data as Float32Array));
  }
  const d = deviation(Float64Array.from(ya), Float64Array.from(yb));
  return { rel: d.rel, cosine: d.cosine };
}

describe.skipIf(!existsSync(FILE) || !runtime.ok)("MobileFaceNet with --calibration-data on real image crops", () => {
  it("when the same budget is fitted to real inputs then the held-out embedding deviates less than with the kernel-space fit", async () => {
    const bytes = new Uint8Array(readFileSync(FILE));
    const x = faceInputs();
    const calibration: CalibrationInputs = { file: "faces.npy", samples: x.shape[0], inputs: [{ name: "input", dims: [1, 3, 112, 112], data: x.data }] };
    const model = readOnnx(bytes, "fr_feature.onnx");
    const inputs = graphInputs(model, new Map());
    // The uniform run's Conv weights: every pointwise conv at half its smaller channel count.
    const uniform = { ...base, k1: { h: 1, w: 1 }, k2: { h: 1, w: 1 } };
    const budget = { ratio: 0.795, of: "params" as const, objective: "total" as const, inputSizes: [] };
    const runs: [string, () => Promise<OnnxDecomposition>][] = [
      ["uniform 0.5x, kernel fit", () => decomposeOnnx(model, { settings: uniform, inputs, jobs: 2 })],
      ["uniform 0.5x, calibrated", () => decomposeOnnx(model, { settings: uniform, inputs, jobs: 2, calibration })],
      ["--budget 0.795, kernel fit", () => decomposeOnnx(model, { settings: base, inputs, jobs: 2, budget })],
      ["--budget 0.795, calibrated", () => decomposeOnnx(model, { settings: base, inputs, jobs: 2, budget, calibration })],
    ];
    const rows: { name: string; params: number; rel: number; cosine: number; seconds: number; d: OnnxDecomposition }[] = [];
    for (const [name, run] of runs) {
      const t0 = performance.now();
      const d = await run();
      const seconds = (performance.now() - t0) / 1000;
      const out = writeOnnx(d.model);
      const params = d.model.proto.graph!.initializer!.reduce((s, t) => s + (t.dims ?? []).reduce((a: number, b) => a * Number(b), 1), 0);
      rows.push({ name, params, ...(await heldOutDeviation(bytes, out, x)), seconds, d });
    }
    console.log(["run | parameters | held-out embedding rel. deviation | cosine | time", ...rows.map((r) => `${r.name} | ${r.params} | ${r.rel.toExponential(3)} | ${r.cosine.toFixed(4)} | ${r.seconds.toFixed(1)} s`)].join("\n"));
    const [uk, uc, pk, pc] = rows as [typeof rows[0], typeof rows[0], typeof rows[0], typeof rows[0]];
    // Equal budget: the plan keeps no more parameters than the uniform ratio.
    expect(pk.params).toBeLessThanOrEqual(uk.params);
    expect(pc.params).toBe(pk.params);
    expect(uc.params).toBe(uk.params);
    // Fitted to real inputs, the embedding on held-out crops is closer to the parent's.
    expect(uc.rel).toBeLessThan(uk.rel);
    expect(uc.cosine).toBeGreaterThan(uk.cosine);
    expect(pc.rel).toBeLessThan(pk.rel);
    expect(pc.cosine).toBeGreaterThan(pk.cosine);

    // Per layer: the same geometry and m, kernel fit against calibrated, output residual on the held-out activations.
    const conv = pc.d.entries.flatMap((e, i) => (e.status === "planned" && pc.d.calibrated.has(i) ? [{ e, i }] : []));
    const acts = await captureActivations(model.proto, new Map(conv.map(({ e }) => [e.node.input![0]!, pc.d.shapes.shapes.get(e.node.input![0]!)!.dims])), calibration);
    const held = heldOutCount(x.shape[0]);
    let kSq = 0, cSq = 0, n = 0, better = 0;
    const lines: string[] = [];
    for (const { e, i } of conv) {
      if (e.status !== "planned") continue;
      const a = pk.d.outcomes.get(i), b = pc.d.outcomes.get(i);
      if (a?.status !== "ok" || b?.status !== "ok" || b.summary.calibration === undefined) continue;
      const t = acts.get(e.node.input![0]!)!;
      const per = t.shape[1] * t.shape[2] * t.shape[3];
      const x0 = { shape: [held, t.shape[1], t.shape[2], t.shape[3]] as [number, number, number, number], data: t.data.subarray((t.shape[0] - held) * per) };
      const parent = { shape: e.shape, data: e.data };
      const pad = { h: e.pads.top, w: e.pads.left };
      const k = outputResidual(x0, parent, a.f1, a.f2, pad);
      const c = b.summary.calibration.outputRel.heldOut;
      expect(c).toBeCloseTo(outputResidual(x0, parent, b.f1, b.f2, pad), 6);
      kSq += k * k;
      cSq += c * c;
      n++;
      if (c < k) better++;
      lines.push(`${e.name} ${e.shape.join("x")} m=${b.summary.filters}: ${k.toFixed(3)} -> ${c.toFixed(3)}`);
    }
    console.log(`per layer (held-out output residual, kernel fit -> calibrated), ${better} of ${n} lower; rms ${Math.sqrt(kSq / n).toFixed(3)} -> ${Math.sqrt(cSq / n).toFixed(3)}\n${lines.join("\n")}`);
    expect(Math.sqrt(cSq / n)).toBeLessThan(Math.sqrt(kSq / n));
  }, 600_000);
});
