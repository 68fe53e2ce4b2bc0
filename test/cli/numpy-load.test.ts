/**
 * What the CLI writes, `numpy.load` reads back to the same values as the tool's own float64 view
 * of the file (issue 2: "Outputs must load with numpy.load to the same values"), in the dtype the
 * issue promises. Needs python3 with NumPy (CI has it); skipped with a visible notice otherwise.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNpy } from "../../src/io/npy.js";
import { cleanup, cli, copyIn, hasNumpy, python, requireBuild, tempDir } from "./helpers.js";

const numpy = hasNumpy();
if (!numpy) {
  console.warn("test/cli/numpy-load.test.ts: python3 with numpy not found; SKIPPING the numpy.load checks of the CLI's outputs");
}

beforeAll(requireBuild);
afterAll(cleanup);

/** numpy's view of each file: dtype name, shape, values as float64 in C order (repr round-trips exactly). */
const LOAD = `
import json, sys, numpy as np
out = []
for p in sys.argv[1:]:
    a = np.load(p, allow_pickle=False)
    out.append({"dtype": a.dtype.name, "shape": list(a.shape), "values": [float(x) for x in a.astype(np.float64).ravel(order="C")]})
print(json.dumps(out))
`;

interface NumpyView {
  dtype: string;
  shape: number[];
  values: number[];
}

describe.skipIf(!numpy)("numpy.load reads the CLI's outputs", () => {
  const cases: [string, string[], string][] = [
    // fixture, extra args, expected output dtype
    ["random-8x8x3.npy", ["--bias", "random-8x8x3.bias.npy"], "float64"],
    ["rect-4x6x3x5.npy", [], "float32"],
    ["random-4x4x3-f16.npy", [], "float16"],
    ["random-4x4x3-be.npy", [], "float64"],
    ["random-4x4x3-fortran.npy", ["--method", "seed"], "float64"],
    ["random-8x8x3.npy", ["--dtype", "float16", "--bias", "random-8x8x3.bias.npy", "--method", "projected"], "float16"],
    ["facerec-conv32-down.npy", ["--dtype", "float32", "--filters", "1", "--max-iter", "1"], "float32"],
  ];
  it.each(cases)("%s %j", (fixture, extra, dtype) => {
    const dir = tempDir("numpy");
    const out = join(dir, "out");
    mkdirSync(out);
    copyIn(fixture, dir);
    if (extra.includes("--bias")) copyIn("random-8x8x3.bias.npy", dir);
    const args = extra.includes("--filters") ? [] : ["--filters", "2"];
    const r = cli([fixture, ...args, "--max-iter", "3", ...extra, "--out-dir", out, "--quiet"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const stem = fixture.replace(/\.npy$/, "");
    const files = ["f1", "f2", ...(extra.includes("--bias") ? ["f2.bias"] : [])].map((w) => join(out, `${stem}.${w}.npy`));
    const views = JSON.parse(python(LOAD, files)) as NumpyView[];
    files.forEach((file, i) => {
      const ours = readNpy(file);
      const theirs = views[i]!;
      expect(theirs.dtype, file).toBe(dtype);
      expect(ours.dtype, file).toBe(dtype);
      expect(theirs.shape, file).toEqual(ours.shape);
      // Exactly the same numbers: both sides widen the stored values to float64 without rounding.
      expect(theirs.values, file).toEqual(Array.from(ours.data));
    });
  });
});
