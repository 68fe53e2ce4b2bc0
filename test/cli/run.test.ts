/**
 * The built `decompose-filter` binary run as a user runs it (issue 2, "The command"): outputs,
 * dtypes, --out-dir, --bias, --force, the report on stdout / in a file, exit codes, colours, help.
 * Every run works on copies of the fixtures in a temporary directory.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNpy } from "../../src/io/npy.js";
import {
  ANSI,
  at,
  bytesOf,
  cleanEnv,
  cleanup,
  cli,
  copyIn,
  listDir,
  num,
  parseJson,
  requireBuild,
  ROOT,
  STACK_LINE,
  tempDir,
  type CliRun,
  type Json,
} from "./helpers.js";

beforeAll(requireBuild);
afterAll(cleanup);

/** A user-facing failure: exit 2, one stderr line `decompose-filter: ...`, no stack, no stdout. */
function expectOneLineError(r: CliRun, code = 2): string {
  expect(r.status, `stderr: ${r.stderr}`).toBe(code);
  expect(r.stdout).toBe("");
  expect(r.stderr.endsWith("\n")).toBe(true);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]!.startsWith("decompose-filter: ")).toBe(true);
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(r.stderr).not.toMatch(/internal error/);
  return lines[0]!;
}

const FAST = ["--max-iter", "3"];

describe("happy path: decompose-filter parent.npy --filters m", () => {
  it("writes <stem>.f1.npy and <stem>.f2.npy next to the input, right shapes, parent's dtype, exit 0", () => {
    const dir = tempDir();
    copyIn("random-8x8x3.npy", dir);
    const r = cli(["random-8x8x3.npy", "--filters", "4", ...FAST], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/residual/);
    // Exactly the two outputs appear: no temporary or backup files are left behind.
    expect(listDir(dir)).toEqual(["random-8x8x3.f1.npy", "random-8x8x3.f2.npy", "random-8x8x3.manifest.json", "random-8x8x3.npy"]);
    const f1 = readNpy(join(dir, "random-8x8x3.f1.npy"));
    const f2 = readNpy(join(dir, "random-8x8x3.f2.npy"));
    expect(f1.shape).toEqual([4, 8, 3, 3]);
    expect(f2.shape).toEqual([8, 4, 3, 3]);
    expect(f1.dtype).toBe("float64");
    expect(f2.dtype).toBe("float64");
    expect(f1.data.every(Number.isFinite) && f2.data.every(Number.isFinite)).toBe(true);
  });

  it.each([
    // fixture, filters, dtype, f1 shape, f2 shape
    ["rect-4x6x3x5.npy", 2, "float32", [2, 6, 3, 5], [4, 2, 3, 5]],
    ["random-4x4x3-f16.npy", 3, "float16", [3, 4, 3, 3], [4, 3, 3, 3]],
    ["random-4x4x3-be.npy", 2, "float64", [2, 4, 3, 3], [4, 2, 3, 3]],
    ["random-4x4x3-fortran.npy", 2, "float64", [2, 4, 3, 3], [4, 2, 3, 3]],
  ] as const)("%s: outputs in the parent's dtype (%s m=%i)", (fixture, filters, dtype, s1, s2) => {
    const dir = tempDir();
    copyIn(fixture, dir);
    const stem = fixture.replace(/\.npy$/, "");
    const r = cli([fixture, "-f", String(filters), ...FAST, "--quiet"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const f1 = readNpy(join(dir, `${stem}.f1.npy`));
    const f2 = readNpy(join(dir, `${stem}.f2.npy`));
    expect([f1.dtype, f2.dtype]).toEqual([dtype, dtype]);
    expect(f1.shape).toEqual([...s1]);
    expect(f2.shape).toEqual([...s2]);
  });

  it.each(["float16", "float32", "float64"] as const)("--dtype %s overrides the parent's dtype", (dtype) => {
    const dir = tempDir();
    copyIn("rect-4x6x3x5.npy", dir);
    const r = cli(["rect-4x6x3x5.npy", "-f", "2", ...FAST, "--quiet", "--dtype", dtype], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(readNpy(join(dir, "rect-4x6x3x5.f1.npy")).dtype).toBe(dtype);
    expect(readNpy(join(dir, "rect-4x6x3x5.f2.npy")).dtype).toBe(dtype);
  });

  it("--out-dir writes there and nothing next to the input", () => {
    const dir = tempDir();
    const out = join(dir, "out");
    mkdirSync(out);
    const input = copyIn("random-8x8x3.npy", dir);
    const r = cli([input, "--filters", "2", ...FAST, "--out-dir", out, "--quiet"]);
    expect(r.status, r.stderr).toBe(0);
    expect(listDir(dir)).toEqual(["out", "random-8x8x3.npy"]);
    expect(listDir(out)).toEqual(["random-8x8x3.f1.npy", "random-8x8x3.f2.npy", "random-8x8x3.manifest.json"]);
  });

  it("--bias writes <stem>.f2.bias.npy holding the parent's bias; the report says f2 has it", () => {
    const dir = tempDir();
    copyIn("random-8x8x3.npy", dir);
    copyIn("random-8x8x3.bias.npy", dir);
    const r = cli(["random-8x8x3.npy", "-f", "4", ...FAST, "--bias", "random-8x8x3.bias.npy", "--json"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(listDir(dir)).toEqual([
      "random-8x8x3.bias.npy",
      "random-8x8x3.f1.npy",
      "random-8x8x3.f2.bias.npy",
      "random-8x8x3.f2.npy",
      "random-8x8x3.manifest.json",
      "random-8x8x3.npy",
    ]);
    const b = readNpy(join(dir, "random-8x8x3.f2.bias.npy"));
    const parent = readNpy(join(dir, "random-8x8x3.bias.npy"));
    expect(b.shape).toEqual([8]);
    expect(b.dtype).toBe("float64");
    expect(Array.from(b.data)).toEqual(Array.from(parent.data));
    expect(at(parseJson(r.stdout), "f2.bias")).toBe(true);
  });

  it("--bias of the wrong length is one clear error naming the bias file; nothing written", () => {
    const dir = tempDir();
    copyIn("random-16x8x3.npy", dir);
    copyIn("random-8x8x3.bias.npy", dir);
    const r = cli(["random-16x8x3.npy", "-f", "4", ...FAST, "--bias", "random-8x8x3.bias.npy"], { cwd: dir });
    expect(expectOneLineError(r)).toContain("random-8x8x3.bias.npy");
    expect(listDir(dir)).toEqual(["random-16x8x3.npy", "random-8x8x3.bias.npy"]);
  });
});

describe("existing outputs, --force, and the input is never overwritten", () => {
  it("an existing output without --force: exit 2, every output untouched, nothing new written", () => {
    const dir = tempDir();
    copyIn("random-8x8x3.npy", dir);
    // Only f2 exists: the run must not write f1 either (all outputs or none).
    writeFileSync(join(dir, "random-8x8x3.f2.npy"), "precious");
    const r = cli(["random-8x8x3.npy", "-f", "2", ...FAST], { cwd: dir });
    const line = expectOneLineError(r);
    expect(line).toContain("random-8x8x3.f2.npy");
    expect(line).toMatch(/--force/);
    expect(readFileSync(join(dir, "random-8x8x3.f2.npy"), "utf8")).toBe("precious");
    expect(listDir(dir)).toEqual(["random-8x8x3.f2.npy", "random-8x8x3.npy"]);
  });

  it("an existing --report file without --force is refused too", () => {
    const dir = tempDir();
    copyIn("random-8x8x3.npy", dir);
    writeFileSync(join(dir, "r.json"), "{}");
    const r = cli(["random-8x8x3.npy", "-f", "2", ...FAST, "--report", "r.json"], { cwd: dir });
    expect(expectOneLineError(r)).toContain("r.json");
    expect(readFileSync(join(dir, "r.json"), "utf8")).toBe("{}");
    expect(listDir(dir)).toEqual(["r.json", "random-8x8x3.npy"]);
  });

  it("--force replaces existing outputs with valid .npy files", () => {
    const dir = tempDir();
    copyIn("random-8x8x3.npy", dir);
    writeFileSync(join(dir, "random-8x8x3.f1.npy"), "old");
    writeFileSync(join(dir, "random-8x8x3.f2.npy"), "old");
    const r = cli(["random-8x8x3.npy", "-f", "2", ...FAST, "--force", "--quiet"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(readNpy(join(dir, "random-8x8x3.f1.npy")).shape).toEqual([2, 8, 3, 3]);
    expect(readNpy(join(dir, "random-8x8x3.f2.npy")).shape).toEqual([8, 2, 3, 3]);
    expect(listDir(dir)).toEqual(["random-8x8x3.f1.npy", "random-8x8x3.f2.npy", "random-8x8x3.manifest.json", "random-8x8x3.npy"]);
  });

  it("--report pointing at the input is refused even with --force; the input is unchanged", () => {
    const dir = tempDir();
    const input = copyIn("random-8x8x3.npy", dir);
    const before = bytesOf(input);
    const r = cli(["random-8x8x3.npy", "-f", "2", ...FAST, "--report", "random-8x8x3.npy", "--force"], { cwd: dir });
    expect(expectOneLineError(r)).toContain("random-8x8x3.npy");
    expect(bytesOf(input).equals(before)).toBe(true);
    expect(listDir(dir)).toEqual(["random-8x8x3.npy"]);
  });

  it("--out-dir where an output path IS the input (through a symlink) is refused even with --force", () => {
    const dir = tempDir();
    const a = join(dir, "a");
    const b = join(dir, "b");
    mkdirSync(a);
    mkdirSync(b);
    const input = copyIn("random-8x8x3.npy", a, "w.npy");
    // b/w.f1.npy is the input under another name: writing f1 into b would replace the input.
    symlinkSync(input, join(b, "w.f1.npy"));
    const before = bytesOf(input);
    const r = cli([input, "-f", "2", ...FAST, "--out-dir", b, "--force"]);
    expect(expectOneLineError(r)).toContain("w.f1.npy");
    expect(bytesOf(input).equals(before)).toBe(true);
    expect(listDir(a)).toEqual(["w.npy"]);
    expect(listDir(b)).toEqual(["w.f1.npy"]);
  });

  it("a --bias input that sits where <stem>.f2.bias.npy goes is refused even with --force", () => {
    const dir = tempDir();
    const out = join(dir, "out");
    mkdirSync(out);
    const input = copyIn("random-8x8x3.npy", dir);
    const bias = copyIn("random-8x8x3.bias.npy", out, "random-8x8x3.f2.bias.npy");
    const before = bytesOf(bias);
    const r = cli([input, "-f", "2", ...FAST, "--out-dir", out, "--bias", bias, "--force"]);
    expect(expectOneLineError(r)).toContain("random-8x8x3.f2.bias.npy");
    expect(bytesOf(bias).equals(before)).toBe(true);
    expect(listDir(out)).toEqual(["random-8x8x3.f2.bias.npy"]);
  });

  it("a missing --out-dir is created (mkdir -p), only once the work succeeded", () => {
    const dir = tempDir();
    copyIn("random-8x8x3.npy", dir);
    const r = cli(["random-8x8x3.npy", "-f", "2", ...FAST, "--out-dir", "new/sub"], { cwd: dir });
    expect(r.status).toBe(0);
    expect(listDir(join(dir, "new", "sub"))).toEqual(["random-8x8x3.f1.npy", "random-8x8x3.f2.npy", "random-8x8x3.manifest.json"]);
    const bad = cli(["random-8x8x3.npy", "-f", "2", "--k1", "2", ...FAST, "--out-dir", "other"], { cwd: dir });
    expect(expectOneLineError(bad)).toContain("k1");
    expect(existsSync(join(dir, "other")), "a failed run creates no directory").toBe(false);
  });
  it("an --out-dir that is a file is one clear error before any work", () => {
    const dir = tempDir();
    copyIn("random-8x8x3.npy", dir);
    writeFileSync(join(dir, "afile"), "x");
    const r = cli(["random-8x8x3.npy", "-f", "2", ...FAST, "--out-dir", "afile"], { cwd: dir });
    expect(expectOneLineError(r)).toContain("afile");
  });
});

/** Every field issue 2 and DESIGN.md ("Numbers the report always carries") promise. */
function expectReportSchema(rep: { [k: string]: Json }): void {
  expect(rep["schema"]).toMatch(/^decompose-filter\/report@\d+$/);
  for (const k of ["parent.shape", "target.shape", "f1.shape", "f2.shape"]) {
    const s = at(rep, k);
    expect(Array.isArray(s) && s.length === 4 && s.every((x) => Number.isInteger(x)), `${k}: ${JSON.stringify(s)}`).toBe(true);
  }
  for (const k of ["f1.padding", "f2.padding"]) expect(at(rep, k), k).not.toBeUndefined();
  expect(Number.isInteger(rep["filters"])).toBe(true);
  expect(["structured", "lm", "projected", "seed"]).toContain(rep["method"]);
  expect(typeof rep["lambda"]).toBe("number");
  expect(Number.isInteger(rep["iterations"])).toBe(true);
  expect(["tolerance", "max-iter", "stalled", "gain-forecast", "closed-form"]).toContain(rep["stopReason"]);
  expect(typeof at(rep, "quality.stopping.minGain")).toBe("number");
  const trace = rep["trace"];
  expect(Array.isArray(trace) && trace.every((x) => typeof x === "number")).toBe(true);
  expect((trace as number[]).length).toBe(rep["iterations"]);
  for (const k of ["residual.abs", "residual.rel", "floor.abs", "floor.rel", "time.seconds", "time.flops", "time.gflops"]) {
    expect(Number.isFinite(num(rep, k)), k).toBe(true);
    expect(num(rep, k), k).toBeGreaterThanOrEqual(0);
  }
  const unprojected = at(rep, "residual.unprojectedRel");
  expect(unprojected === null || typeof unprojected === "number").toBe(true);
  const ratio = at(rep, "floor.ratio");
  expect(ratio === null || typeof ratio === "number").toBe(true);
  expect(num(rep, "functional.interiorRelError")).toBeGreaterThanOrEqual(0);
  expect(num(rep, "functional.borderRelError")).toBeGreaterThanOrEqual(0);
  expect(typeof at(rep, "functional.summary")).toBe("string");
  expect((at(rep, "functional.summary") as string).length).toBeGreaterThan(10);
}

describe("the report", () => {
  it("--json: stdout is exactly one JSON document with the documented schema; --report writes the same", () => {
    const dir = tempDir();
    copyIn("random-16x8x3.npy", dir);
    const r = cli(["random-16x8x3.npy", "-f", "2", ...FAST, "--json", "--report", "r.json"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    // One document and nothing else: JSON.parse rejects anything before or after it.
    const rep = parseJson(r.stdout);
    expect(r.stdout.trimStart().startsWith("{")).toBe(true);
    expectReportSchema(rep);
    expect(at(rep, "parent.shape")).toEqual([16, 8, 3, 3]);
    expect(at(rep, "target.shape")).toEqual([16, 8, 5, 5]);
    expect(at(rep, "f1.shape")).toEqual([2, 8, 3, 3]);
    expect(at(rep, "f2.shape")).toEqual([16, 2, 3, 3]);
    expect(rep["filters"]).toBe(2);
    expect(rep["method"]).toBe("structured");
    expect(rep["lambda"]).toBe(1e-4);
    expect(rep["iterations"]).toBeLessThanOrEqual(3);
    expect(at(rep, "residual.unprojectedRel")).toBeNull();
    // m = 2 < min(c_in, c_out): a positive floor, and the residual cannot beat it.
    expect(num(rep, "floor.rel")).toBeGreaterThan(0);
    expect(num(rep, "residual.rel")).toBeGreaterThanOrEqual(num(rep, "floor.rel") * (1 - 1e-9));
    expect(num(rep, "floor.ratio")).toBeCloseTo(num(rep, "residual.rel") / num(rep, "floor.rel"), 9);
    expect(parseJson(readFileSync(join(dir, "r.json"), "utf8"))).toEqual(rep);
  });

  it("--report with the readable report: stdout is text, the file is the JSON document", () => {
    const dir = tempDir();
    copyIn("random-8x8x3.npy", dir);
    const r = cli(["random-8x8x3.npy", "-f", "8", ...FAST, "--report", "r.json"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(() => JSON.parse(r.stdout)).toThrow();
    const rep = parseJson(readFileSync(join(dir, "r.json"), "utf8"));
    expectReportSchema(rep);
    // m = min(c_in, c_out): an exact split exists, floor 0 and no ratio.
    expect(num(rep, "floor.rel")).toBe(0);
    expect(at(rep, "floor.ratio")).toBeNull();
    expect(r.stdout).toContain((num(rep, "residual.rel")).toExponential(3));
  });

  it("--quiet prints nothing on stdout and still writes the outputs", () => {
    const dir = tempDir();
    copyIn("random-8x8x3.npy", dir);
    const r = cli(["random-8x8x3.npy", "-f", "2", ...FAST, "--quiet"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("");
    expect(existsSync(join(dir, "random-8x8x3.f1.npy"))).toBe(true);
  });

  it("--max-residual: exit 1 with one stderr line when above it, exit 0 when below", () => {
    const dir = tempDir();
    copyIn("random-16x8x3.npy", dir);
    const base = ["random-16x8x3.npy", "-f", "2", ...FAST, "--json", "--force"];
    const ok = cli([...base, "--max-residual", "1"], { cwd: dir });
    expect(ok.status, ok.stderr).toBe(0);
    const rel = num(parseJson(ok.stdout), "residual.rel");
    expect(rel).toBeGreaterThan(0.01);
    const bad = cli([...base, "--max-residual", "0.01"], { cwd: dir });
    expect(bad.status).toBe(1);
    // The report still goes to stdout (a CI job wants to see it), the verdict to stderr.
    expect(num(parseJson(bad.stdout), "residual.rel")).toBe(rel);
    const lines = bad.stderr.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^decompose-filter: .*random-16x8x3\.npy.*--max-residual/);
    // Just above and just below the measured value.
    expect(cli([...base, "--max-residual", String(rel * 1.0001)], { cwd: dir }).status).toBe(0);
    expect(cli([...base, "--max-residual", String(rel * 0.9999)], { cwd: dir }).status).toBe(1);
  });

  it("non-TTY stdout: no ANSI escapes; with NO_COLOR neither; FORCE_COLOR shows the check can see colour", () => {
    const dir = tempDir();
    copyIn("random-8x8x3.npy", dir);
    const args = ["random-8x8x3.npy", "-f", "2", ...FAST, "--force"];
    const plain = cli(args, { cwd: dir });
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/residual/);
    expect(plain.stdout).not.toMatch(ANSI);
    const noColor = cli(args, { cwd: dir, env: cleanEnv({ NO_COLOR: "1" }) });
    expect(noColor.status).toBe(0);
    expect(noColor.stdout).not.toMatch(ANSI);
    const forced = cli(args, { cwd: dir, env: cleanEnv({ FORCE_COLOR: "1" }) });
    expect(forced.status).toBe(0);
    expect(forced.stdout).toMatch(ANSI);
    // --json is never coloured.
    const json = cli([...args, "--json"], { cwd: dir, env: cleanEnv({ FORCE_COLOR: "1" }) });
    expect(json.stdout).not.toMatch(ANSI);
  });
});

describe("methods and seeds", () => {
  it.each(["structured", "lm", "projected", "seed"] as const)("--method %s runs and says so in the report", (method) => {
    const dir = tempDir();
    copyIn("random-8x8x3.npy", dir);
    const r = cli(["random-8x8x3.npy", "-f", "4", "--method", method, ...FAST, "--json"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const rep = parseJson(r.stdout);
    expectReportSchema(rep);
    expect(rep["method"]).toBe(method);
    expect(num(rep, "residual.rel")).toBeGreaterThan(0);
    if (method === "seed") expect(typeof at(rep, "residual.unprojectedRel")).toBe("number");
    else expect(at(rep, "residual.unprojectedRel")).toBeNull();
  });

  it("--method seed: the readable report shows the residual before and after projection", () => {
    const dir = tempDir();
    copyIn("random-8x8x3.npy", dir);
    const r = cli(["random-8x8x3.npy", "-f", "8", "--method", "seed", "--max-iter", "10", "--report", "r.json"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const rep = parseJson(readFileSync(join(dir, "r.json"), "utf8"));
    const before = num(rep, "residual.unprojectedRel");
    const after = num(rep, "residual.rel");
    // The seed's signature (DESIGN.md): a tiny unstructured residual, a large one after projection.
    expect(before).toBeLessThan(1e-2);
    expect(after).toBeGreaterThan(0.5);
    expect(r.stdout).toMatch(/before projection/);
    expect(r.stdout).toContain(before.toExponential(3));
    expect(r.stdout).toContain(after.toExponential(3));
  });

  it("--seed: the same seed gives byte-identical outputs, another seed different ones", () => {
    const dir = tempDir();
    const input = copyIn("random-8x8x3.npy", dir);
    const outs = ["s1a", "s1b", "s2"].map((n) => {
      const d = join(dir, n);
      mkdirSync(d);
      return d;
    });
    const seeds = ["1", "1", "2"];
    outs.forEach((out, i) => {
      const r = cli([input, "-f", "4", "--method", "projected", ...FAST, "--seed", seeds[i]!, "--out-dir", out, "--quiet"]);
      expect(r.status, r.stderr).toBe(0);
    });
    const f = (d: string, which: string): Buffer => bytesOf(join(d, `random-8x8x3.${which}.npy`));
    for (const which of ["f1", "f2"]) {
      expect(f(outs[0]!, which).equals(f(outs[1]!, which)), `${which}: same seed`).toBe(true);
      expect(f(outs[0]!, which).equals(f(outs[2]!, which)), `${which}: other seed`).toBe(false);
    }
  });
});

describe("--help and --version", () => {
  it("--help lists every option, with the defaults, and exits 0", () => {
    const r = cli(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    const help = r.stdout;
    const options = [
      "--filters", "--k1", "--k2", "--method", "--lambda", "--max-iter", "--tol", "--seed", "--out-dir",
      "--dtype", "--bias", "--json", "--report", "--max-residual", "--force", "--quiet", "--version", "--help",
    ];
    // One block per option: its line and the wrapped continuation lines under it.
    const blocks = new Map<string, string>();
    let current: string | undefined;
    for (const line of help.split("\n")) {
      const m = /^\s{1,4}(?:-\w, )?(--[\w-]+)/.exec(line);
      if (m) {
        current = m[1]!;
        blocks.set(current, line);
      } else if (current !== undefined && /^\s{8,}\S/.test(line)) {
        blocks.set(current, `${blocks.get(current)!} ${line.trim()}`);
      } else current = undefined;
    }
    for (const o of options) expect(blocks.has(o), `${o} missing from --help:\n${help}`).toBe(true);
    const oneLine = (o: string): string => blocks.get(o)!.replace(/\s+/g, " ");
    expect(oneLine("--method")).toMatch(/default: "?auto"?/);
    expect(oneLine("--layout")).toMatch(/default: "?exact"?/);
    expect(oneLine("--lambda")).toMatch(/default: "?1e-4"?/);
    for (const o of ["--max-iter", "--tol", "--seed"]) expect(oneLine(o)).toMatch(/default: "?[\d.e+-]+"?/);
    // Defaults that are not a fixed value are still stated ("default: the parent's", "next to the input").
    for (const o of ["--k1", "--k2", "--out-dir", "--dtype"]) expect(oneLine(o)).toMatch(/default/);
  });

  it("--version prints package.json's version and exits 0", () => {
    const pkg = parseJson(readFileSync(join(ROOT, "package.json"), "utf8"));
    const r = cli(["--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg["version"]);
    expect(cli(["-V"]).stdout.trim()).toBe(pkg["version"]);
  });
});
