/**
 * .safetensors through NumPy both ways (NumPy has no safetensors writer, so the Python side packs
 * and unpacks the format by hand: 8-byte length, JSON, np.frombuffer; BF16 as uint16 << 16 viewed
 * as float32). Needs python3 with NumPy; skipped with a notice otherwise.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeSafetensor, encodeFloats, parseSafetensors, serializeSafetensors, type SafetensorsFloat } from "../../src/io/safetensors.js";
import { HAS_NUMPY, pseudoRandom, python, tempDir } from "../batch/helpers.js";

if (!HAS_NUMPY) console.warn("test/io/safetensors-numpy.test.ts: python3 with numpy not found; skipping the NumPy round trips");
const t = tempDir("df-st-");
afterAll(() => t.remove());

const READ = `
import sys, json, struct, numpy as np
b = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n])
meta = h.pop("__metadata__", None)
out = {"__metadata__": meta}
for k, v in h.items():
    s, e = v["data_offsets"]
    raw = b[8 + n + s: 8 + n + e]
    if v["dtype"] == "BF16":
        a = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
    else:
        a = np.frombuffer(raw, {"F16": "<f2", "F32": "<f4", "F64": "<f8"}[v["dtype"]])
    out[k] = {"dtype": v["dtype"], "shape": v["shape"], "values": a.reshape(v["shape"]).astype(np.float64).ravel().tolist()}
print(json.dumps(out))
`;

const WRITE = `
import sys, json, struct, numpy as np
rng = np.random.default_rng(9)
a = {"w16": rng.standard_normal((2, 3)).astype("<f2"), "w32": rng.standard_normal((3, 1, 2, 2)).astype("<f4"),
     "w64": rng.standard_normal((4,)), "wbf": rng.standard_normal((2, 2)).astype("<f4")}
bf = ((a["wbf"].view(np.uint32).astype(np.uint64) + 0x7FFF + ((a["wbf"].view(np.uint32) >> 16) & 1)) >> 16).astype("<u2")
parts = [("w16", "F16", a["w16"].tobytes()), ("w32", "F32", a["w32"].tobytes()), ("w64", "F64", a["w64"].tobytes()), ("wbf", "BF16", bf.tobytes())]
h, off, data = {}, 0, b""
for k, d, raw in parts:
    h[k] = {"dtype": d, "shape": list(a[k].shape), "data_offsets": [off, off + len(raw)]}
    off += len(raw); data += raw
text = json.dumps(h).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(text)) + text + data)
vals = {k: a[k].astype(np.float64).ravel().tolist() for k in a}
vals["wbf"] = (bf.astype(np.uint32) << 16).view(np.float32).astype(np.float64).ravel().tolist()
print(json.dumps(vals))
`;

describe.skipIf(!HAS_NUMPY)("safetensors <-> NumPy", () => {
  it("when Python packs F16, F32, F64 and BF16 tensors then the tool reads their values exactly", () => {
    const path = join(t.dir, "py.safetensors");
    const want = JSON.parse(python(WRITE, [path])) as Record<string, number[]>;
    const st = parseSafetensors(readFileSync(path), path);
    for (const x of st.tensors) expect([...decodeSafetensor(x, path)]).toEqual(want[x.name]);
  });

  it("when the tool writes every float dtype then NumPy reads names, shapes, dtypes and rounded values", () => {
    const v = pseudoRandom(12, 7, 3);
    const dtypes: SafetensorsFloat[] = ["F16", "BF16", "F32", "F64"];
    const path = join(t.dir, "tool.safetensors");
    writeFileSync(
      path,
      serializeSafetensors(
        dtypes.map((d) => ({ name: `x.${d}`, dtype: d, shape: [3, 4], bytes: encodeFloats(v, d) })),
        new Map([["decompose-filter", "{}"]]),
      ),
    );
    const got = JSON.parse(python(READ, [path])) as Record<string, { dtype: string; shape: number[]; values: number[] } | null>;
    expect(got["__metadata__"]).toEqual({ "decompose-filter": "{}" });
    const tol: Record<SafetensorsFloat, number> = { F16: 2 ** -11, BF16: 2 ** -8, F32: 2 ** -24, F64: 0 };
    for (const d of dtypes) {
      const g = got[`x.${d}`]!;
      expect(g.dtype).toBe(d);
      expect(g.shape).toEqual([3, 4]);
      g.values.forEach((x, i) => expect(Math.abs(x - v[i]!)).toBeLessThanOrEqual(tol[d] * Math.abs(v[i]!)));
    }
  });
});
