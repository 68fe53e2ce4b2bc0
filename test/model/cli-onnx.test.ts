/**
 * ONNX models through the built binary: a small model is split and checked end to end; hostile
 * models (truncated, corrupt, not ONNX, external data, a weight computed at run time) are refused
 * with exit 2, one stderr line naming the file, and nothing written.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onnx } from "../../src/model/onnx.js";
import { loadRuntime } from "../../src/model/runtime.js";
import { BIN, cleanEnv, cleanup, cli, listDir, requireBuild, STACK_LINE, tempDir } from "../cli/helpers.js";
import { buildModel } from "./build.js";

beforeAll(requireBuild);
afterAll(cleanup);

const runtime = await loadRuntime();
const small = (): Uint8Array =>
  buildModel({ input: [1, 3, 8, 8], relu: true, convs: [{ cIn: 3, cOut: 4, k: [3, 3], pads: [1, 1, 1, 1], bias: true }, { cIn: 4, cOut: 2, k: [3, 3], strides: [2, 2] }] });

function refused(bytes: Uint8Array, pattern: RegExp, args: readonly string[] = []): string {
  const dir = tempDir("onnx-bad");
  writeFileSync(join(dir, "m.onnx"), bytes);
  const r = cli(["m.onnx", "--filters", "1x", ...args], { cwd: dir });
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^decompose-filter: m\.onnx: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(listDir(dir)).toEqual(["m.onnx"]);
  return lines[0]!;
}

describe("ONNX models on the command line", () => {
  it.skipIf(!runtime.ok)("when a model is split then <stem>.decomposed.onnx is written and the summary carries the end-to-end figures", () => {
    const dir = tempDir("onnx");
    writeFileSync(join(dir, "m.onnx"), small());
    const r = cli(["m.onnx", "--filters", "1x", "--json", "-j", "1"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    const summary = lines[2] as { type: string; verify: { status: string; outputs: { name: string; rel: number; cosine: number }[] }; model: { before: { convNodes: number }; after: { convNodes: number } } };
    expect(summary.type).toBe("summary");
    expect(summary.verify.status).toBe("ok");
    expect(summary.verify.outputs[0]!.rel).toBeLessThan(2e-6);
    expect(summary.model.before.convNodes).toBe(2);
    expect(summary.model.after.convNodes).toBe(4);
    expect(listDir(dir)).toEqual(["m.decomposed.onnx", "m.decomposed.onnx.manifest.json", "m.onnx"]);
    const out = onnx.ModelProto.decode(readFileSync(join(dir, "m.decomposed.onnx")));
    expect(out.graph!.node!.map((n) => n.name)).toEqual(["conv0/f1", "conv0/f2", "relu0", "conv1/f1", "conv1/f2"]);
    expect(out.metadataProps).toEqual([expect.objectContaining({ key: "note" })]);
  });

  it.skipIf(!runtime.ok)("when a graph output deviates by more than --max-deviation then the exit code is 1 and stderr says which", () => {
    const dir = tempDir("onnx");
    writeFileSync(join(dir, "m.onnx"), small());
    const r = cli(["m.onnx", "--filters", "1", "--max-deviation", "1e-6", "-q"], { cwd: dir });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/output 'y' deviates by .* above --max-deviation (1e-6|0\.000001)/);
  });

  it.skipIf(!runtime.ok)("when the model comes on stdin (-) then it is recognised by its first bytes and written as stdin.decomposed.onnx", () => {
    const dir = tempDir("onnx");
    const r = spawnSync(process.execPath, [BIN, "-", "--filters", "1x", "-q"], { cwd: dir, input: small(), env: cleanEnv(), encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(listDir(dir)).toEqual(["stdin.decomposed.onnx", "stdin.decomposed.onnx.manifest.json"]);
  });

  it("when --no-verify is given then no runtime check is reported", () => {
    const dir = tempDir("onnx");
    writeFileSync(join(dir, "m.onnx"), small());
    const r = cli(["m.onnx", "--filters", "1x", "--no-verify"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/runtime check off \(--no-verify\)/);
  });

  it("when an input has a symbolic dimension and no --input-shape then it is refused before any work", () => {
    refused(buildModel({ input: [1, 3, 8, 8], symbolicBatch: true, convs: [{ cIn: 3, cOut: 4, k: [3, 3] }] }), /symbolic dimension .*--input-shape x=/);
  });

  it.skipIf(!runtime.ok)("when --input-shape fixes the symbolic dimension then the model is checked", () => {
    const dir = tempDir("onnx");
    writeFileSync(join(dir, "m.onnx"), buildModel({ input: [1, 3, 8, 8], symbolicBatch: true, convs: [{ cIn: 3, cOut: 4, k: [3, 3] }] }));
    const r = cli(["m.onnx", "--filters", "1x", "--input-shape", "x=2x3x8x8"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/x=2x3x8x8/);
  });
});

describe("hostile ONNX files", () => {
  it("when the protobuf is truncated then it is refused", () => {
    const b = small();
    refused(b.subarray(0, Math.floor(b.length / 2)), /truncated or corrupt/);
  });

  it("when the bytes are garbage then it is refused", () => {
    const b = Uint8Array.from({ length: 400 }, (_, i) => (i * 7919 + 13) & 0xff);
    refused(b, /not an ONNX model/);
  });

  it.skipIf(!runtime.ok)("when a wire type is corrupted inside the graph then it is refused (by the runtime's parser where protobufjs is lenient)", () => {
    const b = small().slice();
    // Field 7 (graph) is length-delimited: change its tag's wire type to 7 (invalid).
    const at = b.indexOf(0x3a);
    b[at] = 0x3f;
    refused(b, /not an ONNX model|truncated or corrupt/);
  });

  it("when the file is text then it is refused", () => {
    refused(new TextEncoder().encode("this is not a model\n"), /not an ONNX model/);
  });

  it("when the file is empty then it is refused", () => {
    refused(new Uint8Array(0), /not an ONNX model/);
  });

  it("when a weight lives in an external data file then it is refused", () => {
    const m = onnx.ModelProto.decode(small());
    const w = m.graph!.initializer![0]!;
    w.rawData = new Uint8Array(0);
    w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    w.externalData = [{ key: "location", value: "weights.bin" }, { key: "offset", value: "0" }];
    refused(onnx.ModelProto.encode(m).finish(), /external data file.*not supported/);
  });

  it("when a Conv weight is computed at run time then it is refused, and --exclude leaves the node out", () => {
    const m = onnx.ModelProto.decode(small());
    const g = m.graph!;
    // w0 now comes out of an Identity of a renamed initializer: computed at run time.
    g.initializer![0]!.name = "w0_source";
    g.node!.unshift(onnx.NodeProto.create({ name: "identity", opType: "Identity", input: ["w0_source"], output: ["w0"] }));
    const bytes = onnx.ModelProto.encode(m).finish();
    refused(bytes, /Conv node 'conv0': its weight 'w0' is computed at run time/);
    const dir = tempDir("onnx");
    writeFileSync(join(dir, "m.onnx"), bytes);
    const r = cli(["m.onnx", "--filters", "1x", "--exclude", "^conv0$", "-q", "--no-verify"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
  });

  it("when the model has a ConvTranspose then it is listed as skipped with the reason", () => {
    const m = onnx.ModelProto.decode(small());
    m.graph!.node![0]!.opType = "ConvTranspose";
    const dir = tempDir("onnx");
    writeFileSync(join(dir, "m.onnx"), onnx.ModelProto.encode(m).finish());
    const r = cli(["m.onnx", "--filters", "1x", "--no-verify", "--json"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const first = JSON.parse(r.stdout.split("\n")[0]!) as { status: string; reason: string };
    expect(first.status).toBe("skipped");
    expect(first.reason).toMatch(/ConvTranspose/);
  });
});
