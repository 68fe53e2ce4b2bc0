/**
 * Issue 9: Object.prototype keys (`__proto__`, `constructor`, `toString`, `hasOwnProperty`,
 * `valueOf`) as user-supplied names that the code looks up in a table: every option that takes a
 * choice (and DECOMPOSE_FILTER_BLAS), the dtype of a `.npy` header (alone and as an `.npz`
 * member), the dtype of a safetensors tensor, and an ONNX node's op_type. Each option or dtype
 * must be refused with the normal exit-2 line, never accepted as a table entry or met with a
 * stack trace; an op_type is an unknown op (not a convolution), so the node is left alone.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { onnx } from "../../src/model/onnx.js";
import { serializeNpy } from "../../src/io/npy.js";
import { serializeNpz } from "../../src/io/npz.js";
import { cli, pseudoRandom, tempDir } from "../batch/helpers.js";
import { cleanEnv, cli as spawnCli, STACK_LINE } from "../cli/helpers.js";
import { buildModel } from "../model/build.js";

const NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"] as const;

const t = tempDir("decompose-filter-proto-choices-");
afterAll(() => t.remove());
const parent = join(t.dir, "w.npy");
writeFileSync(parent, serializeNpy([4, 4, 3, 3], pseudoRandom(144, 3), "float32"));

function oneLine(r: { code: number | null; stderr: string; stdout?: string }): string {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0]!;
}

/** Each option that takes a name: the arguments that give it `name`, and the start of its refusal. */
const CHOICE_OPTIONS: readonly [string, (name: string) => string[], RegExp][] = [
  ["--method", (n) => ["-f", "2", "--method", n], /^decompose-filter: (?:.+: )?--method must be one of auto, /],
  ["--layout", (n) => ["-f", "2", "--layout", n], /^decompose-filter: (?:.+: )?--layout must be one of exact, same, got /],
  ["--init", (n) => ["-f", "2", "--init", n], /^decompose-filter: (?:.+: )?--init must be one of auto, /],
  ["--dtype", (n) => ["-f", "2", "--dtype", n], /^decompose-filter: (?:.+: )?--dtype must be one of float16, float32, float64, got /],
  ["--budget-of", (n) => ["--budget", "0.5", "--budget-of", n], /^decompose-filter: (?:.+: )?--budget-of must be one of params, flops, got /],
  ["--budget-objective", (n) => ["--budget", "0.5", "--budget-objective", n], /^decompose-filter: (?:.+: )?--budget-objective must be one of total, max, got /],
  ["--blas", (n) => ["-f", "2", "--blas", n], /^decompose-filter: (?:.+: )?--blas must be one of /],
  ["--filters", (n) => ["-f", n], /^decompose-filter: (?:.+: )?--filters /],
  ["--padding", (n) => ["-f", "2", "--padding", n], /^decompose-filter: (?:.+: )?--padding must be 'same', N or HxW, got /],
  ["--groups", (n) => ["-f", "2", "--groups", n], /^decompose-filter: (?:.+: )?--groups must be a positive integer, got /],
  ["--k1", (n) => ["-f", "2", "--k1", n], /^decompose-filter: (?:.+: )?--k1 must be N or HxW/],
];

describe.each(NAMES.map((n) => [n]))("name %s", (name) => {
  it.each(CHOICE_OPTIONS.map(([o, args, says]) => [o, args, says] as const))("when %s is given it then the run is refused with one line", async (_, args, says) => {
    const line = oneLine(await cli([parent, ...args(name)]));
    expect(line).toMatch(says);
    expect(line).toContain(name);
  });

  it("when DECOMPOSE_FILTER_BLAS is it then the run is refused with one line naming the variable", () => {
    const r = spawnCli([parent, "-f", "2", "-q"], { cwd: t.dir, env: cleanEnv({ DECOMPOSE_FILTER_BLAS: name }) });
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(oneLine({ code: r.status, stderr: r.stderr })).toMatch(new RegExp(`^decompose-filter: (?:.+: )?DECOMPOSE_FILTER_BLAS must be one of .*, got '${name.replace(/\$/g, "\\$")}'$`));
  });

  it("when a .npy header's descr is it then the file is refused as an unsupported dtype, and as an .npz member it is skipped (refused with --strict)", async () => {
    const npy = npyWithDescr(name);
    const file = join(t.dir, `d-${name}.npy`);
    writeFileSync(file, npy);
    expect(oneLine(await cli([file, "-f", "2"]))).toBe(`decompose-filter: ${file}: dtype '${name}' is not supported; expected float16, float32 or float64`);
    const npz = join(t.dir, `d-${name}.npz`);
    writeFileSync(npz, serializeNpz([{ name: "conv.weight", npy }], false));
    // In a dump such a member is not a float layer: skipped with the reason, or refused with --strict.
    const rz = await cli([npz, "-f", "2", "-o", t.dir, "--json", "--force"]);
    expect(rz.code, rz.stderr).toBe(0);
    expect(JSON.parse(rz.stdout.split("\n")[0]!)).toMatchObject({ name: "conv.weight", status: "skipped", reason: `dtype ${name} is not a float type` });
    const line = oneLine(await cli([npz, "-f", "2", "-o", t.dir, "--strict", "--force"]));
    expect(line).toBe(`decompose-filter: ${npz}: layer 'conv.weight' cannot be split (--strict): dtype ${name} is not a float type`);
  });

  it("when a safetensors tensor's dtype is it then the file is refused naming the tensor and the dtype", async () => {
    const file = join(t.dir, `st-${name}.safetensors`);
    const header = new TextEncoder().encode(JSON.stringify({ w: { dtype: name, shape: [4, 4, 3, 3], data_offsets: [0, 576] } }));
    const b = new Uint8Array(8 + header.length + 576);
    new DataView(b.buffer).setUint32(0, header.length, true);
    b.set(header, 8);
    writeFileSync(file, b);
    const line = oneLine(await cli([file, "-f", "2", "-o", t.dir]));
    expect(line).toBe(`decompose-filter: ${file}: tensor 'w' has unknown dtype "${name}"`);
  });

  it("when an ONNX node's op_type is it then the node is not a convolution: left out of the records, the Conv beside it split", async () => {
    const model = onnx.ModelProto.decode(buildModel({ input: [1, 3, 6, 6], convs: [{ cIn: 3, cOut: 4, k: [3, 3] }] }));
    model.graph!.node!.push(onnx.NodeProto.create({ name: "odd", opType: name, input: ["y"], output: ["z"] }));
    const file = join(t.dir, `op-${name}.onnx`);
    writeFileSync(file, onnx.ModelProto.encode(model).finish());
    const r = await cli([file, "-f", "1", "--no-verify", "--json", "--force", "-o", t.dir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const layers = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; name?: string; status?: string }).filter((l) => l.type === "layer");
    expect(layers.map((l) => [l.name, l.status])).toEqual([["conv0", "ok"]]);
  });
});

/** A version 1.0 .npy file whose header dict has `descr` = `descr` (float32 payload of shape 4x4x3x3). */
function npyWithDescr(descr: string): Uint8Array {
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (4, 4, 3, 3), }`;
  const total = 10 + dict.length + 1;
  dict += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const out = new Uint8Array(10 + dict.length + 576);
  out.set([0x93, ...new TextEncoder().encode("NUMPY"), 1, 0], 0);
  new DataView(out.buffer).setUint16(8, dict.length, true);
  out.set(new TextEncoder().encode(dict), 10);
  return out;
}
