/**
 * The batch mode end to end, in-process through main(argv, io): dumps in, archives and NDJSON
 * out. The factors written are checked against an independent recomputation of the residual
 * (compose of the stored f1, f2 against the zero-padded parent).
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LayerRecord, SummaryRecord } from "../../src/batch/records.js";
import { compose } from "../../src/geometry/compose.js";
import { pad2d } from "../../src/geometry/pad.js";
import { diffNorm, frobeniusNorm, type Shape4, type Tensor4 } from "../../src/geometry/tensor.js";
import { parseNpy, serializeNpy } from "../../src/io/npy.js";
import { decodeNpzArray, parseNpz } from "../../src/io/npz.js";
import { decodeSafetensor, parseSafetensors } from "../../src/io/safetensors.js";
import { cli, DATA, pseudoRandom, tempDir } from "./helpers.js";

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir("df-batch-");
});
afterEach(() => t.remove());

function ndjson(stdout: string): { layers: LayerRecord[]; summary: SummaryRecord } {
  const lines = stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as LayerRecord | SummaryRecord);
  const summary = lines.pop() as SummaryRecord;
  expect(summary.type).toBe("summary");
  return { layers: lines as LayerRecord[], summary };
}

function npzArrays(path: string): Map<string, { shape: readonly number[]; data: Float64Array | null; dtype: string }> {
  return new Map(parseNpz(readFileSync(path), path).map((a) => [a.name, { shape: a.shape, dtype: a.descr, data: a.float ? decodeNpzArray(a, path) : null }]));
}

/** ||compose(f1, f2) - pad(W)|| / ||W||, per group. */
function residual(W: Tensor4, f1: Tensor4, f2: Tensor4, groups: number): number {
  const [cOut, , kh, kw] = W.shape;
  let num = 0;
  const per = (t: Tensor4, j: number): Tensor4 => {
    const n = t.shape[0] / groups;
    const size = t.data.length / groups;
    return { shape: [n, t.shape[1], t.shape[2], t.shape[3]], data: t.data.slice(j * size, (j + 1) * size) };
  };
  for (let j = 0; j < groups; j++) {
    const C = compose(per(f1, j), per(f2, j));
    const T = pad2d(per(W, j), { h: (C.shape[2] - kh) / 2, w: (C.shape[3] - kw) / 2 });
    num += diffNorm(C.data, T.data) ** 2;
  }
  void cOut;
  return Math.sqrt(num) / frobeniusNorm(W.data);
}

const t4 = (shape: readonly number[], data: Float64Array): Tensor4 => ({ shape: shape as unknown as Shape4, data });

describe("an .npz dump", () => {
  it("when split with --filters 0.5x --json then NDJSON lists every 4-D array and the archive holds the factors", async () => {
    copyFileSync(join(DATA, "net.npz"), join(t.dir, "net.npz"));
    const r = await cli([join(t.dir, "net.npz"), "--filters", "0.5x", "--max-iter", "4", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { layers, summary } = ndjson(r.stdout);
    expect(layers.map((l) => [l.name, l.status])).toEqual([
      ["conv1.weight", "ok"],
      ["block.pw.weight", "skipped"],
      ["block.dw.weight", "ok"],
      ["head.weight", "ok"],
    ]);
    const [conv1, pw, dw, head] = layers as [LayerRecord, LayerRecord, LayerRecord, LayerRecord];
    expect(conv1.filters).toBe(2); // round(0.5 * min(4, 3))
    expect(conv1.parent.bias).toBe("conv1.bias");
    expect(pw.reason).toMatch(/1x1 kernel/);
    expect(dw.parent).toMatchObject({ groups: 6, groupsInferred: true });
    expect(dw.f1).toMatchObject({ shape: [6, 1, 3, 3], groups: 6 });
    expect(dw.f2).toMatchObject({ shape: [6, 1, 3, 3], groups: 6 });
    expect(head.f1?.shape).toEqual([1, 6, 3, 1]); // round(0.5 * min(2, 6)); kernel 3x1 kept
    expect(summary).toMatchObject({ layers: 4, decomposed: 3, skipped: 1, copied: 3 });

    const out = npzArrays(join(t.dir, "net.decomposed.npz"));
    expect([...out.keys()]).toEqual([
      "conv1.f1", "conv1.f2", "conv1.f2.bias", "bn1.weight", "bn1.num_batches_tracked",
      "block.pw.weight", "block.dw.f1", "block.dw.f2", "block.dw.groups", "head.f1", "head.f2",
    ]);
    expect(out.get("conv1.f1")!.dtype).toBe("<f4");
    expect(out.get("head.f1")!.dtype).toBe("<f8");
    expect(out.get("bn1.num_batches_tracked")!.dtype).toBe("<i8");
    const src = npzArrays(join(DATA, "net.npz"));
    expect([...out.get("conv1.f2.bias")!.data!]).toEqual([...src.get("conv1.bias")!.data!]);
    expect([...out.get("block.pw.weight")!.data!]).toEqual([...src.get("block.pw.weight")!.data!]);
    // The stored factors reproduce the reported residual (float32 storage: to ~1e-6).
    for (const [rec, name, g] of [[conv1, "conv1", 1], [dw, "block.dw", 6], [head, "head", 1]] as const) {
      const W = src.get(`${name}.weight`)!;
      const f1 = out.get(`${name}.f1`)!;
      const f2 = out.get(`${name}.f2`)!;
      const rel = residual(t4(W.shape, W.data!), t4(f1.shape, f1.data!), t4(f2.shape, f2.data!), g);
      expect(Math.abs(rel - rec.residual!.rel)).toBeLessThan(1e-5);
    }
  });

  it("when --only-decomposed, --select and --exclude are given then only the chosen factors are written", async () => {
    copyFileSync(join(DATA, "net_compressed.npz"), join(t.dir, "n.npz"));
    const r = await cli([join(t.dir, "n.npz"), "-f", "1", "--select", "^(conv1|head)\\.", "--exclude", "head", "--only-decomposed", "--max-iter", "2", "-q"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect([...npzArrays(join(t.dir, "n.decomposed.npz")).keys()]).toEqual(["conv1.f1", "conv1.f2", "conv1.f2.bias"]);
  });

  it("when --strict and a layer cannot be split then exit 2 naming it and nothing is written", async () => {
    copyFileSync(join(DATA, "net.npz"), join(t.dir, "net.npz"));
    const r = await cli([join(t.dir, "net.npz"), "-f", "2", "--strict"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^decompose-filter: .*net\.npz: layer 'block\.pw\.weight' cannot be split \(--strict\): 1x1 kernel/);
    expect(t.files()).toEqual(["net.npz"]);
  });

  it("when the dump comes on stdin then it is read and written as stdin.decomposed.npz in --out-dir", async () => {
    const r = await cli(["-", "-f", "0.5x", "--max-iter", "2", "-o", t.dir], readFileSync(join(DATA, "net.npz")));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/conv1\.weight/);
    expect(t.files()).toEqual(["stdin.decomposed.npz", "stdin.decomposed.npz.manifest.json"]);
  });

  it("when the output exists then exit 2 before any work, unless --force", async () => {
    copyFileSync(join(DATA, "net.npz"), join(t.dir, "net.npz"));
    writeFileSync(join(t.dir, "net.decomposed.npz"), "old");
    const r = await cli([join(t.dir, "net.npz"), "-f", "2"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/net\.decomposed\.npz: exists \(use --force to replace it\)/);
    expect(readFileSync(join(t.dir, "net.decomposed.npz"), "utf8")).toBe("old");
    expect((await cli([join(t.dir, "net.npz"), "-f", "2", "--force", "--max-iter", "1", "-q"])).code).toBe(0);
    expect(readFileSync(join(t.dir, "net.decomposed.npz")).subarray(0, 2).toString()).toBe("PK");
  });

  it("when a layer is above --max-residual then exit 1 with a line naming it, outputs written", async () => {
    copyFileSync(join(DATA, "net.npz"), join(t.dir, "net.npz"));
    const r = await cli([join(t.dir, "net.npz"), "-f", "1", "--max-iter", "2", "--max-residual", "0.01", "-q"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/net\.npz:conv1\.weight: relative residual .* is above --max-residual 0\.01/);
    expect(t.files()).toContain("net.decomposed.npz");
  });
});

describe("a .safetensors dump", () => {
  it("when split then F16/BF16/F64 layers keep their dtypes, metadata is kept and extended", async () => {
    copyFileSync(join(DATA, "net.safetensors"), join(t.dir, "m.safetensors"));
    const r = await cli([join(t.dir, "m.safetensors"), "-f", "0.5x", "--max-iter", "3", "--groups", "auto", "--json"]);
    expect(r.code).toBe(0);
    const { layers } = ndjson(r.stdout);
    expect(layers.map((l) => [l.name, l.status, l.parent.dtype])).toEqual([
      ["conv1.weight", "ok", "F16"],
      ["block.dw.weight", "ok", "BF16"],
      ["head.weight", "ok", "F64"],
    ]);
    const path = join(t.dir, "m.decomposed.safetensors");
    const st = parseSafetensors(readFileSync(path), path);
    expect(st.tensors.map((x) => [x.name, x.dtype])).toEqual([
      ["conv1.f1", "F16"], ["conv1.f2", "F16"], ["conv1.f2.bias", "F16"],
      ["bn1.num_batches_tracked", "I64"],
      ["block.dw.f1", "BF16"], ["block.dw.f2", "BF16"],
      ["head.f1", "F64"], ["head.f2", "F64"],
    ]);
    expect(st.metadata?.get("format")).toBe("pt");
    const info = JSON.parse(st.metadata?.get("decompose-filter") ?? "{}") as Record<string, { f1: { groups: number } }>;
    expect(info["block.dw"]?.f1.groups).toBe(1); // not adjacent to a same-width 4-D weight here: groups 1
    const f1 = st.tensors.find((x) => x.name === "head.f1")!;
    expect(decodeSafetensor(f1, path).length).toBe(1 * 6 * 3);
  });
});

describe("several .npy inputs", () => {
  it("when x.weight.npy and x.bias.npy are given with another parent then the bias is paired and each parent written", async () => {
    const w = pseudoRandom(4 * 2 * 3 * 3, 1);
    writeFileSync(join(t.dir, "x.weight.npy"), serializeNpy([4, 2, 3, 3], w, "float32"));
    writeFileSync(join(t.dir, "x.bias.npy"), serializeNpy([4], pseudoRandom(4, 2), "float32"));
    writeFileSync(join(t.dir, "one.npy"), serializeNpy([1, 1, 3, 3], pseudoRandom(9, 3), "float64"));
    const r = await cli(["x.weight.npy", "x.bias.npy", "one.npy"].map((f) => join(t.dir, f)).concat(["-f", "1", "--max-iter", "3", "--json"]));
    expect(r.code).toBe(0);
    const { layers } = ndjson(r.stdout);
    expect(layers.map((l) => [l.name, l.status, l.parent.bias])).toEqual([
      ["x.weight", "ok", "x.bias"],
      ["one", "ok", null],
    ]);
    expect(t.files()).toEqual(
      ["one.f1.npy", "one.f2.npy", "one.manifest.json", "one.npy", "x.bias.npy", "x.weight.f1.npy", "x.weight.f2.bias.npy", "x.weight.f2.npy", "x.weight.manifest.json", "x.weight.npy"].sort(),
    );
    // c = 1, m = 1: the single-channel 2-D problem.
    expect(parseNpy(readFileSync(join(t.dir, "one.f1.npy")), "f1").shape).toEqual([1, 1, 3, 3]);
    expect(layers[1]!.residual!.rel).toBeLessThan(1);
  });

  it("when --k1 3x1 --k2 1x3 then the children are rectangular (a spatially separable split)", async () => {
    writeFileSync(join(t.dir, "a.npy"), serializeNpy([3, 2, 3, 3], pseudoRandom(54, 4), "float64"));
    writeFileSync(join(t.dir, "b.npy"), serializeNpy([2, 2, 3, 3], pseudoRandom(36, 5), "float64"));
    const r = await cli([join(t.dir, "a.npy"), join(t.dir, "b.npy"), "-f", "2", "--k1", "3x1", "--k2", "1x3", "--max-iter", "3", "--json"]);
    expect(r.code).toBe(0);
    const { layers } = ndjson(r.stdout);
    // layout exact (default): f1 pads the whole P = 1x1, f2 pads 0; same: the centred shares
    expect(layers[0]!.f1).toMatchObject({ shape: [2, 2, 3, 1], padding: { h: 1, w: 1 } });
    expect(layers[0]!.f2).toMatchObject({ shape: [3, 2, 1, 3], padding: { h: 0, w: 0 } });
    expect(layers[0]!.layout!.same!.f1.padding).toEqual({ h: 1, w: 0 });
    expect(layers[0]!.layout!.same!.f2.padding).toEqual({ h: 0, w: 1 });
  });

  it("when the sizes break the k1 + k2 - 1 rule for one layer then it is skipped with the reason", async () => {
    writeFileSync(join(t.dir, "a.npy"), serializeNpy([2, 2, 3, 3], pseudoRandom(36, 4), "float64"));
    writeFileSync(join(t.dir, "b.npy"), serializeNpy([2, 2, 5, 5], pseudoRandom(100, 5), "float64"));
    const r = await cli([join(t.dir, "a.npy"), join(t.dir, "b.npy"), "-f", "2", "--k1", "2", "--k2", "2", "--max-iter", "2"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/skipped \(1\)\n {2}b {2}\(2, 2, 5, 5\) {2}kernel sizes k1=2, k2=2 do not fit the 5x5 parent/);
  });
});

describe("a single .npy parent", () => {
  it("when --groups is given then it is a batch of one grouped layer: NDJSON, grouped children", async () => {
    writeFileSync(join(t.dir, "g.npy"), serializeNpy([4, 3, 3, 3], pseudoRandom(108, 8), "float32"));
    const r = await cli([join(t.dir, "g.npy"), "-f", "4", "--groups", "2", "--max-iter", "2", "--json"]);
    expect(r.code).toBe(0);
    const { layers } = ndjson(r.stdout);
    expect(layers[0]).toMatchObject({ f1: { shape: [4, 3, 3, 3], groups: 2 }, f2: { shape: [4, 2, 3, 3], groups: 2 } });
    expect(parseNpy(readFileSync(join(t.dir, "g.f2.npy")), "f2").shape).toEqual([4, 2, 3, 3]);
  });
  it("when --jobs, --groups or a regex is malformed then exit 2 with one line", async () => {
    for (const [opt, val, re] of [["--jobs", "0", /--jobs must be a positive integer/], ["--groups", "two", /--groups must be a positive integer/], ["--select", "(", /--select is not a valid regular expression/]] as const) {
      const r = await cli([join(DATA, "net.npz"), "-f", "2", opt, val]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(re);
    }
  });
  it("when it is the only input then the single-layer report and file names are as before", async () => {
    writeFileSync(join(t.dir, "p.npy"), serializeNpy([3, 2, 3, 3], pseudoRandom(54, 6), "float32"));
    const r = await cli([join(t.dir, "p.npy"), "-f", "0.5x", "--max-iter", "2", "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { schema: string; filters: number };
    expect(doc.schema).toBe("decompose-filter/report@2");
    expect(doc.filters).toBe(1);
    expect(existsSync(join(t.dir, "p.f1.npy")) && existsSync(join(t.dir, "p.f2.npy"))).toBe(true);
  });
  it("when --filters is not a count or a ratio then the integer message is unchanged, ratios get their own", async () => {
    const r = await cli(["p.npy", "-f", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^decompose-filter: (p\.npy: )?--filters must be a positive integer, got '0'\n$/);
    expect((await cli(["p.npy", "-f", "-1x"])).stderr).toMatch(/--filters ratio must be a positive number followed by x/);
  });
});
