/**
 * What `serializeNpy` writes, `numpy.load` reads back to the same values, and for C-order arrays
 * the bytes equal `numpy.save`'s. Needs python3 with NumPy (CI has it); skipped with a notice
 * otherwise.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { float16BitsToNumber, numberToFloat16Bits, serializeNpy, type NpyDtype } from "../../src/io/npy.js";

const probe = spawnSync("python3", ["-c", "import numpy; print(numpy.__version__)"], { encoding: "utf8" });
const hasNumpy = probe.status === 0;
if (!hasNumpy) console.warn("test/io/numpy-interop.test.ts: python3 with numpy not found; skipping the numpy.load checks");

function python(script: string, args: string[]): string {
  const r = spawnSync("python3", ["-c", script, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return r.stdout;
}

interface Case {
  name: string;
  shape: number[];
  dtype: NpyDtype;
  data: Float64Array;
}

function pseudoRandom(n: number, seed: number, scale: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * scale;
  });
}

const edges = [0, -0, 1, -1, 65504, 65519, 2 ** -24, 2 ** -25, 3 * 2 ** -25, 1e-8, 0.1, 1 / 3, 2 ** -14 - 2 ** -25, 1e-300, 5e-324, 1e300];

const CASES: Case[] = [
  { name: "f64.npy", shape: [4, 3, 3, 3], dtype: "float64", data: pseudoRandom(108, 1, 10) },
  { name: "f32.npy", shape: [2, 5, 3, 1], dtype: "float32", data: pseudoRandom(30, 2, 1e3) },
  { name: "f16.npy", shape: [3, 2, 5, 5], dtype: "float16", data: pseudoRandom(150, 3, 7e4) },
  { name: "f16-edges.npy", shape: [edges.length], dtype: "float16", data: Float64Array.from(edges) },
  { name: "f32-edges.npy", shape: [edges.length], dtype: "float32", data: Float64Array.from(edges) },
  { name: "f64-edges.npy", shape: [edges.length], dtype: "float64", data: Float64Array.from(edges) },
  { name: "scalar.npy", shape: [], dtype: "float64", data: new Float64Array([2.5]) },
  { name: "empty.npy", shape: [2, 0, 3], dtype: "float32", data: new Float64Array(0) },
];

const LOAD = `
import io, json, sys, numpy as np
out = {}
for path in sys.argv[1:]:
    a = np.load(path, allow_pickle=False)
    buf = io.BytesIO()
    np.save(buf, a)
    out[path] = {
        "dtype": a.dtype.str,
        "shape": list(a.shape),
        # float64 reprs are exact in JSON; Inf/NaN are written as strings
        "values": [v if np.isfinite(v) else str(v) for v in a.astype(np.float64).ravel().tolist()],
        "signbits": np.signbit(a).ravel().astype(int).tolist(),
        "resaved": buf.getvalue().hex(),
    }
json.dump(out, sys.stdout)
`;

describe.skipIf(!hasNumpy)("numpy.load reads what serializeNpy writes", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "npy-interop-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("when every case is written then numpy loads the same shape, dtype, values and bytes", () => {
    for (const c of CASES) writeFileSync(join(dir, c.name), serializeNpy(c.shape, c.data, c.dtype));
    const paths = CASES.map((c) => join(dir, c.name));
    const loaded = JSON.parse(python(LOAD, paths)) as Record<
      string,
      { dtype: string; shape: number[]; values: (number | string)[]; signbits: number[]; resaved: string }
    >;
    for (const c of CASES) {
      const got = loaded[join(dir, c.name)];
      expect(got, c.name).toBeDefined();
      if (got === undefined) continue;
      expect(got.dtype, c.name).toBe({ float16: "<f2", float32: "<f4", float64: "<f8" }[c.dtype]);
      expect(got.shape, c.name).toEqual(c.shape);
      const want = Array.from(c.data, (x) =>
        c.dtype === "float16" ? float16BitsToNumber(numberToFloat16Bits(x)) : c.dtype === "float32" ? Math.fround(x) : x,
      );
      expect(got.values, c.name).toEqual(want.map((x) => (Number.isFinite(x) ? x : x > 0 ? "inf" : "-inf")));
      expect(got.signbits, c.name).toEqual(want.map((x) => (x < 0 || Object.is(x, -0) ? 1 : 0)));
      // numpy.save of the loaded array writes exactly our bytes
      expect(got.resaved, c.name).toBe(Buffer.from(readFileSync(join(dir, c.name))).toString("hex"));
    }
  });

  it("when numpy converts random doubles to float16 then our bits agree", () => {
    const xs = Array.from(pseudoRandom(5000, 9, 1), (u, i) => u * 2 ** ((i % 50) - 30));
    const bits = JSON.parse(
      python("import json,sys,numpy as np; print(json.dumps(np.array(json.loads(sys.argv[1]),dtype=np.float64).astype(np.float16).view(np.uint16).tolist()))", [
        JSON.stringify(xs),
      ]),
    ) as number[];
    expect(xs.map(numberToFloat16Bits)).toEqual(bits);
  });
});
