/**
 * `--budget` and `--calibration-data` for ONNX models through the built binary: the plan comes
 * first (table, or NDJSON plan lines), the model is written and checked; every refusal is one
 * stderr line naming the file, exit 2, before any work and with nothing written. "ONNX Runtime
 * absent" is simulated with a module-resolution hook (node --import) that refuses to resolve
 * `onnxruntime-node`, as an install with --omit=optional would.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serializeNpy } from "../../src/io/npy.js";
import { serializeNpz } from "../../src/io/npz.js";
import { onnx } from "../../src/model/onnx.js";
import { loadRuntime } from "../../src/model/runtime.js";
import { Rng } from "../../src/random.js";
import { BIN, cleanEnv, cleanup, cli, listDir, requireBuild, STACK_LINE, tempDir } from "../cli/helpers.js";
import { buildModel } from "./build.js";

beforeAll(requireBuild);
afterAll(cleanup);

const runtime = await loadRuntime();
const model = (): Uint8Array =>
  buildModel({ input: [1, 3, 10, 10], relu: true, convs: [{ cIn: 3, cOut: 8, k: [3, 3], pads: [1, 1, 1, 1], bias: true }, { cIn: 8, cOut: 8, k: [3, 3], group: 8, pads: [1, 1, 1, 1] }, { cIn: 8, cOut: 12, k: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, { cIn: 12, cOut: 12, k: [1, 1] }] });
const samples = (n: number, shape: readonly number[] = [3, 10, 10]): Uint8Array => {
  const per = shape.reduce((a, b) => a * b, 1);
  return serializeNpy([n, ...shape], new Rng(7).normals(n * per), "float32");
};

function setUp(files: Record<string, Uint8Array>): string {
  const dir = tempDir("onnx-budget");
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return dir;
}

function refused(files: Record<string, Uint8Array>, args: readonly string[], pattern: RegExp, where = /^decompose-filter: (m\.onnx|x\.npy|x\.npz|m\.npz): /, env?: NodeJS.ProcessEnv): string {
  const dir = setUp(files);
  const r = env ? spawnSync(process.execPath, args, { cwd: dir, env, encoding: "utf8" }) : cli(args, { cwd: dir });
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(where);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(listDir(dir)).toEqual(Object.keys(files).sort());
  return lines[0]!;
}

describe("--budget on an ONNX model", () => {
  it.skipIf(!runtime.ok)("when a model is planned at 0.5 of its FLOPs then the plan lines come first, the depthwise conv stays, and the model is written and checked", () => {
    const dir = setUp({ "m.onnx": model() });
    const r = cli(["m.onnx", "--budget", "0.5", "--budget-of", "flops", "--json", "-j", "1"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });
    expect(lines.map((l) => l.type)).toEqual(["plan", "plan", "plan", "plan", "plan-summary", "layer", "layer", "layer", "layer", "summary"]);
    const plan = lines.slice(0, 4) as unknown as { name: string; geometry: string; flops: { parent: number; children: number } }[];
    expect(plan[1]).toMatchObject({ name: "conv1", geometry: "unsplit" });
    const ps = lines[4] as unknown as { cost: { ratio: number }; flops: { parent: number; planned: number } };
    expect(ps.cost.ratio).toBeLessThanOrEqual(0.5);
    const summary = lines[9] as unknown as { verify: { status: string }; model: { shapes: { sources: { graph: number; inferred: number } }; before: { convMacs: number }; after: { convMacs: number } } };
    expect(summary.verify.status).toBe("ok");
    expect(summary.model.shapes.sources).toMatchObject({ graph: 1, inferred: 3 });
    // The report's MACs (from the same shapes) are the plan's FLOPs / 2.
    expect(2 * summary.model.before.convMacs).toBe(ps.flops.parent);
    expect(2 * summary.model.after.convMacs).toBe(ps.flops.planned);
    const skipped = lines.slice(5, 9).filter((l) => l["status"] === "skipped") as unknown as { name: string; reason: string }[];
    expect(skipped.map((s) => s.name)).toContain("conv1");
    expect(listDir(dir)).toEqual(["m.decomposed.onnx", "m.decomposed.onnx.manifest.json", "m.onnx"]);
  });

  it.skipIf(!runtime.ok)("when the text report is asked for then the plan table comes before the batch table and the shapes' source is named", () => {
    const dir = setUp({ "m.onnx": model() });
    const r = cli(["m.onnx", "--budget", "0.6", "-j", "1"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^budget plan: 0\.6 of the parents' params, objective total\n/);
    expect(r.stdout).toMatch(/Conv input shapes: 1 stated in the graph, 3 propagated from the graph's shapes/);
  });

  it("when --budget-of flops meets a Conv whose input shape is known from nowhere then it is refused naming the Conv", () => {
    const sym = buildModel({ input: [1, 3, 8, 8], symbolicBatch: true, convs: [{ cIn: 3, cOut: 4, k: [3, 3], pads: [1, 1, 1, 1] }] });
    refused({ "m.onnx": sym }, ["m.onnx", "--budget", "0.5", "--budget-of", "flops", "--no-verify"], /--budget-of flops needs the input shape of Conv 'conv0'/);
  });

  it("when the budget is below what the smallest splits reach then it is refused with the minimum", () => {
    refused({ "m.onnx": model() }, ["m.onnx", "--budget", "0.001", "--no-verify"], /the minimum is [\d.]+ of the parents' params/);
  });
});

describe("--calibration-data on an ONNX model", () => {
  it.skipIf(!runtime.ok)("when real inputs are given with a budget then the split layers are fitted to their captured inputs and checked on the held-out ones", () => {
    const dir = setUp({ "m.onnx": model(), "x.npy": samples(8) });
    const r = cli(["m.onnx", "--budget", "0.6", "--calibration-data", "x.npy", "--json", "-j", "1"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });
    const layers = lines.filter((l) => l.type === "layer") as unknown as { name: string; status: string; calibration: { mode: string; samples: { fit: number; heldOut: number } } | null }[];
    const ok = layers.filter((l) => l.status === "ok");
    expect(ok.length).toBeGreaterThan(0);
    for (const l of ok) expect(l.calibration).toMatchObject({ samples: { fit: 6, heldOut: 2 } });
    const summary = lines.at(-1) as unknown as { calibration: { samples: number; calibrated: number; heldOut: { samples: number; outputs: { name: string; cosine: number }[] } } };
    expect(summary.calibration.samples).toBe(8);
    expect(summary.calibration.calibrated).toBe(ok.length);
    expect(summary.calibration.heldOut.samples).toBe(2);
    expect(summary.calibration.heldOut.outputs[0]!.name).toBe("y");
  });

  it("when the samples have another channel count than the model input then it is refused", () => {
    refused({ "m.onnx": model(), "x.npy": samples(4, [4, 10, 10]) }, ["m.onnx", "--filters", "1x", "--calibration-data", "x.npy"], /x\.npy: .*the model input 'x' is 1x3x10x10 \(channels: 3, got 4\)/);
  });

  it("when the samples have another spatial size than the model input then it is refused", () => {
    refused({ "m.onnx": model(), "x.npy": samples(4, [3, 12, 10]) }, ["m.onnx", "--filters", "1x", "--calibration-data", "x.npy"], /dimension 2: 10, got 12/);
  });

  it("when the samples have another rank than the model input then it is refused", () => {
    refused({ "m.onnx": model(), "x.npy": samples(4, [3, 10]) }, ["m.onnx", "--filters", "1x", "--calibration-data", "x.npy"], /has shape \[4, 3, 10\]; the model input 'x' has 4 dimensions/);
  });

  it("when the samples hold a NaN then it is refused", () => {
    const data = new Rng(1).normals(2 * 300);
    data[17] = NaN;
    refused({ "m.onnx": model(), "x.npy": serializeNpy([2, 3, 10, 10], data, "float64") }, ["m.onnx", "--filters", "1x", "--calibration-data", "x.npy"], /non-finite|NaN/);
  });

  it("when there is one sample then it is refused (one is held out)", () => {
    refused({ "m.onnx": model(), "x.npy": samples(1) }, ["m.onnx", "--filters", "1x", "--calibration-data", "x.npy"], /has 1 sample; at least 2 are needed/);
  });

  it("when the samples are integers then it is refused", () => {
    const npz = serializeNpz([{ name: "x", npy: intNpy([2, 3, 10, 10]) }], false);
    refused({ "m.onnx": model(), "x.npz": npz }, ["m.onnx", "--filters", "1x", "--calibration-data", "x.npz"], /must be float32 or float64, got/);
  });

  it("when the activations would exceed the memory limit then it is refused with what they need", () => {
    // conv0 reads 3 x 64 x 64 and conv1 256 x 64 x 64 cells per sample, 1,060,864 together: 33 samples are above 2^25.
    const big = buildModel({ input: [1, 3, 64, 64], convs: [{ cIn: 3, cOut: 256, k: [1, 1] }, { cIn: 256, cOut: 4, k: [3, 3], pads: [1, 1, 1, 1] }] });
    refused({ "m.onnx": big, "x.npy": samples(33, [3, 64, 64]) }, ["m.onnx", "--filters", "1", "--k1", "1", "--k2", "1", "--calibration-data", "x.npy", "--no-verify"], /need 35008512 float64 cells .* above the limit of 33554432 \(256 MiB\): give at most 31 samples/);
  });

  it("when the model has two inputs and a .npy is given then it is refused (an .npz keyed by input name is needed)", () => {
    const m = onnx.ModelProto.decode(model());
    m.graph!.input!.push(onnx.ValueInfoProto.create({ name: "x2", type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }] } } } }));
    refused({ "m.onnx": onnx.ModelProto.encode(m).finish(), "x.npy": samples(4) }, ["m.onnx", "--filters", "1x", "--calibration-data", "x.npy", "--no-verify"], /the model has 2 inputs \('x', 'x2'\): give --calibration-data as an \.npz with one array per input/);
  });

  it("when ONNX Runtime is absent then it is refused: the capture needs it", () => {
    const dir = tempDir("no-ort");
    writeFileSync(join(dir, "hooks.mjs"), `export async function resolve(s, c, next) { if (s === "onnxruntime-node") throw new Error("Cannot find package 'onnxruntime-node'"); return next(s, c); }\n`);
    writeFileSync(join(dir, "register.mjs"), `import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n`);
    const env = cleanEnv();
    refused({ "m.onnx": model(), "x.npy": samples(4) }, ["--import", join(dir, "register.mjs"), BIN, "m.onnx", "--filters", "1x", "--calibration-data", "x.npy"], /--calibration-data needs onnxruntime-node .*could not be loaded/, /^decompose-filter: x\.npy: /, env);
  });

  it("when --calibration (dump activations) is given for an ONNX model, or --calibration-data for a dump, then it is refused with the other option named", () => {
    refused({ "m.onnx": model(), "x.npz": serializeNpz([{ name: "a", npy: samples(2) }], false) }, ["m.onnx", "--filters", "1x", "--calibration", "x.npz"], /for an ONNX model give --calibration-data/);
    refused({ "m.npz": serializeNpz([{ name: "w", npy: serializeNpy([4, 3, 3, 3], new Rng(2).normals(108), "float32") }], false), "x.npy": samples(2) }, ["m.npz", "--filters", "1", "--calibration-data", "x.npy"], /for dumps give --calibration acts\.npz/);
  });
});

/** A little-endian int32 .npy (header written by hand: serializeNpy writes floats only). */
function intNpy(shape: readonly number[]): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  let header = `{'descr': '<i4', 'fortran_order': False, 'shape': (${shape.join(", ")}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += " ";
  header += "\n";
  const out = new Uint8Array(10 + header.length + 4 * n);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  return out;
}
