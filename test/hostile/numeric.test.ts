/**
 * Issue 9, item 6: valid parents that are numerically hostile, and options that would make
 * outputs non-finite. Each parent is built in the test from one random 4x4x3x3 kernel; the oracle
 * is the same kernel at unit scale: the split is scale-free, so the relative residual at 1e300 or
 * 1e-300 must match the unit-scale one, and the factors must be the unit-scale factors times
 * powers of two.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decompose } from "../../src/decompose.js";
import { parseNpy, serializeNpy } from "../../src/io/npy.js";
import { cli, pseudoRandom, tempDir } from "../batch/helpers.js";

const t = tempDir("decompose-filter-numeric-");
afterAll(() => t.remove());
const base = pseudoRandom(144, 11);
const shape = [4, 4, 3, 3] as [number, number, number, number];
const scaled = (s: number): Float64Array => base.map((v) => v * s);

describe("scale-free at the entry", () => {
  const unit = decompose({ shape, data: base }, { filters: 2, maxIter: 10 });

  it.each([
    ["1e300", 1e300],
    ["1e-300", 1e-300],
    ["subnormal 5e-320", 5e-320],
    ["1e30", 1e30],
  ])("when the parent is near %s then the relative residual is the unit-scale one and the factors are finite and non-zero", (_w, s) => {
    const r = decompose({ shape, data: scaled(s) }, { filters: 2, maxIter: 10 });
    expect(r.f1.data.every(Number.isFinite) && r.f2.data.every(Number.isFinite)).toBe(true);
    expect(r.f1.data.some((v) => v !== 0)).toBe(true);
    // Subnormal inputs are rounded on the way in (5e-320 keeps 3 significant bits), so their split is of a different kernel.
    if (s >= 1e-300) expect(r.report.residual.rel).toBeCloseTo(unit.report.residual.rel, 6);
    expect(r.report.residual.rel).toBeGreaterThan(0);
    expect(r.report.residual.rel).toBeLessThan(1);
  });

  it("when one entry is 1e300 among entries near 1e-10 then the split finishes with a finite, honest report", () => {
    const data = base.map((v) => v * 1e-10);
    data[4] = 1e300;
    const r = decompose({ shape, data }, { filters: 2, maxIter: 10 });
    expect(r.f1.data.every(Number.isFinite) && r.f2.data.every(Number.isFinite)).toBe(true);
    expect(r.report.residual.rel).toBeLessThan(1e-6);
  });

  it("when the parent is moderate then the split is bit-identical to before (no scaling below 2^64)", () => {
    const r = decompose({ shape, data: scaled(1e10) }, { filters: 2, maxIter: 10 });
    expect(r.report.residual.rel).toBeCloseTo(unit.report.residual.rel, 8);
  });
});

describe("CLI", () => {
  const write = (name: string, data: Float64Array, dtype: "float32" | "float64"): string => {
    const p = join(t.dir, name);
    writeFileSync(p, serializeNpy(shape, data, dtype));
    return p;
  };

  it.each([
    ["1e300", 1e300],
    ["1e-300", 1e-300],
  ])("when a float64 parent is near %s then exit 0, the report is not 'exact' and the written factors compose to it", async (_w, s) => {
    const p = write(`p${s}.npy`, scaled(s), "float64");
    const r = await cli([p, "-f", "2", "--max-iter", "10", "--json", "-o", t.dir, "--force"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as { residual: { rel: number } };
    expect(rep.residual.rel).toBeGreaterThan(1e-3);
    const f1 = parseNpy(readFileSync(join(t.dir, `p${s}.f1.npy`)), "f1");
    expect(f1.data.some((v) => v !== 0) && f1.data.every(Number.isFinite)).toBe(true);
  });

  it("when --filters is more than any split can use then exit 2 saying why", async () => {
    const p = write("w.npy", base, "float32");
    const r = await cli([p, "-f", "10000", "-o", t.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--filters 10000 is more than any split of this parent can use: beyond m = 36/);
  });

  it("when --filters fits the rank bound but not the memory limit then exit 2 with what it needs", async () => {
    // 256 channels, 5x5 children: m = 6000 is below the rank bound (6400) but needs about 28 GiB.
    const big = new Float64Array(256 * 256 * 9).map((_, i) => Math.sin(i));
    const p = join(t.dir, "big.npy");
    writeFileSync(p, serializeNpy([256, 256, 3, 3], big, "float32"));
    const r = await cli([p, "-f", "6000", "--k1", "5", "--k2", "5", "-o", t.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--filters 6000 needs about [\d.]+ GiB for the normal equations, over the limit of 8\.0 GiB/);
  });

  it("when --init-noise is 1e300 then the start is pure noise in the same direction: exit 0, finite factors", async () => {
    const p = write("in.npy", base, "float32");
    const out = tempDir("decompose-filter-initnoise-");
    const r = await cli([p, "-f", "2", "--max-iter", "5", "-o", out.dir, "--init-noise", "1e300", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const f1 = parseNpy(readFileSync(join(out.dir, "in.f1.npy")), "f1");
    expect(f1.data.every(Number.isFinite)).toBe(true);
    expect((JSON.parse(r.stdout) as { residual: { rel: number } }).residual.rel).toBeLessThan(1);
    out.remove();
  });

  it("when --noise 1e300 pushes a float32 parent's factors past float32 then exit 2 naming how many, nothing written", async () => {
    const p = write("n.npy", base, "float32");
    const out = tempDir("decompose-filter-noise-");
    const r = await cli([p, "-f", "2", "--max-iter", "5", "-o", out.dir, "--noise", "1e300"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/: \d+ of the \d+ values of f1 are beyond float32's largest finite value .*give --dtype float64/);
    expect(out.files()).toEqual([]);
    out.remove();
  });

  it("when --noise is so large that even float64 overflows then exit 2 naming how many", async () => {
    const p = write("n64.npy", scaled(1e300), "float64");
    const out = tempDir("decompose-filter-noise64-");
    const r = await cli([p, "-f", "2", "--max-iter", "5", "-o", out.dir, "--noise", "1e300"]);
    expect(r.code).toBe(2);
    // Caught either where the noise is added (non-finite at unit scale) or, when the noise is
    // finite at unit scale, after the entry scaling is undone (beyond float64's range).
    expect(r.stderr).toMatch(/--noise 1e\+300 would make \d+ of the \d+ factor values non-finite|\d+ of the \d+ values of f1 are beyond float64's largest finite value .*no output dtype holds them/);
    expect(out.files()).toEqual([]);
    out.remove();
  });

  it("when a float32 parent near 1e10 is written as float16 then exit 2 naming how many values would overflow", async () => {
    const p = write("f16.npy", scaled(1e10), "float32");
    const out = tempDir("decompose-filter-f16-");
    const r = await cli([p, "-f", "2", "--max-iter", "5", "-o", out.dir, "--dtype", "float16"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--dtype float16: \d+ of the \d+ values of f[12] are beyond float16's largest finite value 65504/);
    expect(out.files()).toEqual([]);
    out.remove();
  });
});
