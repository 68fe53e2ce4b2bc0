/**
 * .npz through NumPy both ways: archives NumPy writes (savez, savez_compressed; C and Fortran
 * order, both byte orders) read to the same values, and what the tool writes numpy.load reads
 * with the right names, shapes, dtypes and values. Needs python3 with NumPy (CI has it);
 * skipped with a notice otherwise.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serializeNpy } from "../../src/io/npy.js";
import { decodeNpzArray, parseNpz, serializeInt64Npy, serializeNpz } from "../../src/io/npz.js";
import { HAS_NUMPY, pseudoRandom, python, tempDir } from "../batch/helpers.js";

if (!HAS_NUMPY) console.warn("test/io/npz-numpy.test.ts: python3 with numpy not found; skipping the NumPy round trips");
const t = tempDir("df-npz-");
afterAll(() => t.remove());

const WRITE = `
import sys, json, numpy as np
rng = np.random.default_rng(3)
arrays = {
  "a.weight": rng.standard_normal((3, 2, 3, 3)).astype("<f4"),
  "b": np.asfortranarray(rng.standard_normal((2, 3, 1, 5))),
  "big": rng.standard_normal((4, 2)).astype(">f8"),
  "half": rng.standard_normal((5,)).astype("<f2"),
  "n": np.array(3, np.int64),
}
(np.savez_compressed if sys.argv[2] == "1" else np.savez)(sys.argv[1], **arrays)
print(json.dumps({k: {"shape": list(v.shape), "values": v.astype(np.float64).ravel(order="C").tolist()} for k, v in arrays.items()}))
`;

describe.skipIf(!HAS_NUMPY)("NumPy -> tool", () => {
  it.each([["savez", "0"], ["savez_compressed", "1"]])("when NumPy's %s writes a dump then every float array reads to its values", (_n, flag) => {
    const path = join(t.dir, `np-${flag}.npz`);
    const want = JSON.parse(python(WRITE, [path, flag])) as Record<string, { shape: number[]; values: number[] }>;
    const arrays = parseNpz(readFileSync(path), path);
    expect(arrays.map((a) => a.name)).toEqual(Object.keys(want));
    for (const a of arrays) {
      expect(a.shape).toEqual(want[a.name]!.shape);
      expect(a.compressed).toBe(flag === "1");
      if (a.float === null) continue;
      expect([...decodeNpzArray(a, path)]).toEqual(want[a.name]!.values);
    }
  });
});

describe.skipIf(!HAS_NUMPY)("tool -> NumPy", () => {
  it.each([false, true])("when the tool writes an .npz (compressed: %s) then numpy.load reads names, shapes, dtypes, values", (compress) => {
    const w = pseudoRandom(2 * 3 * 3 * 3, 5, 2);
    const path = join(t.dir, `tool-${compress}.npz`);
    writeFileSync(
      path,
      serializeNpz(
        [
          { name: "conv.f1", npy: serializeNpy([2, 3, 3, 3], w, "float64") },
          { name: "conv.f2", npy: serializeNpy([2, 3, 3, 3], w, "float32") },
          { name: "conv.f2.bias", npy: serializeNpy([3], w.subarray(0, 3), "float16") },
          { name: "conv.groups", npy: serializeInt64Npy([2, 2]) },
        ],
        compress,
      ),
    );
    const got = JSON.parse(
      python(
        `import sys, json, numpy as np
z = np.load(sys.argv[1])
print(json.dumps({k: {"shape": list(z[k].shape), "dtype": z[k].dtype.str, "values": z[k].astype(np.float64).ravel().tolist()} for k in z.files}))`,
        [path],
      ),
    ) as Record<string, { shape: number[]; dtype: string; values: number[] }>;
    expect(Object.keys(got)).toEqual(["conv.f1", "conv.f2", "conv.f2.bias", "conv.groups"]);
    expect(got["conv.f1"]).toEqual({ shape: [2, 3, 3, 3], dtype: "<f8", values: [...w] });
    expect(got["conv.f2"]!.dtype).toBe("<f4");
    expect(got["conv.f2"]!.values).toEqual([...w].map(Math.fround));
    expect(got["conv.f2.bias"]!.dtype).toBe("<f2");
    expect(Math.max(...got["conv.f2.bias"]!.values.map((v, i) => Math.abs(v - w[i]!)))).toBeLessThan(2e-3);
    expect(got["conv.groups"]).toEqual({ shape: [2], dtype: "<i8", values: [2, 2] });
  });
});
