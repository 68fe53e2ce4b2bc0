/**
 * The upscaler fixtures are what scripts/extract-upscaler-layers.mjs writes from the devDependency
 * @upscalerjs/default-model@1.0.0: rerun into a temporary folder, the bytes must be identical; and
 * an independent NumPy decode of the shard (np.frombuffer in manifest order, HWIO -> OIHW by
 * transpose(3, 2, 0, 1)) must give the same values as our .npy reader reads from the fixtures.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, loadTensor4, REPO_ROOT } from "../helpers/fixtures.js";
import { pythonJson, skipUnlessPython } from "../helpers/python.js";

const PKG = join(REPO_ROOT, "node_modules", "@upscalerjs", "default-model");
const LAYERS = [
  ["upscaler-upn1", "UPN1"],
  ["upscaler-gff2", "GFF_2"],
  ["upscaler-f0", "F_0"],
] as const;
const out = mkdtempSync(join(tmpdir(), "upscaler-extract-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("extract-upscaler-layers", () => {
  it.skipIf(!existsSync(PKG))("when rerun, writes the checked-in fixtures byte for byte", () => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, "scripts", "extract-upscaler-layers.mjs"), "--out-dir", out], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    for (const [stem] of LAYERS) {
      for (const f of [`${stem}.npy`, `${stem}.bias.npy`]) {
        expect(readFileSync(join(out, f)).equals(readFileSync(join(FIXTURES, f))), f).toBe(true);
      }
    }
  });

  it.skipIf(!existsSync(PKG))("the fixtures hold the shard's kernels transposed HWIO -> OIHW (NumPy decode)", (ctx) => {
    const script = `
import json, sys, numpy as np
a = json.load(sys.stdin)
m = json.load(open(a["pkg"] + "/models/model.json"))
raw = open(a["pkg"] + "/models/group1-shard1of1.bin", "rb").read()
off, d = 0, {}
for w in m["weightsManifest"][0]["weights"]:
    n = int(np.prod(w["shape"]))
    d[w["name"]] = np.frombuffer(raw, "<f4", n, off).reshape(w["shape"])
    off += 4 * n
assert off == len(raw)
print(json.dumps({k: d[k + "/kernel"].transpose(3, 2, 0, 1).astype(float).ravel().tolist() for k in a["layers"]}))
`;
    const ref = skipUnlessPython(pythonJson<Record<string, number[]>>(script, { pkg: PKG, layers: LAYERS.map((l) => l[1]) }), ctx, "upscaler decode");
    for (const [stem, layer] of LAYERS) {
      const t = loadTensor4(`${stem}.npy`);
      const want = ref[layer]!;
      expect(t.data.length).toBe(want.length);
      let maxDiff = 0;
      for (let q = 0; q < want.length; q++) maxDiff = Math.max(maxDiff, Math.abs(t.data[q]! - want[q]!));
      expect(maxDiff, stem).toBe(0);
    }
  });
});
