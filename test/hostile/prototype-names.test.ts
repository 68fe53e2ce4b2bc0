/**
 * Issue 9, item 1: names that are Object.prototype keys. Each name is used as a copied-through
 * tensor, as a split layer, as a layer with a paired bias, as an npz member, and through
 * --select; the outputs are read back with JSON.parse and the ZIP directory (not with the
 * writer's own serialiser) and must hold every array under its own name.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serializeNpy } from "../../src/io/npy.js";
import { serializeNpz } from "../../src/io/npz.js";
import { readZip } from "../../src/io/zip.js";
import { cli, pseudoRandom, tempDir } from "../batch/helpers.js";

const NAMES = ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"] as const;
const FAST = ["-f", "2", "--max-iter", "3", "-j", "1", "--json"];

/** A .safetensors file written by hand: the header JSON text assembled pair by pair. */
function safetensorsBytes(tensors: readonly { name: string; shape: number[]; data: Float64Array }[]): Uint8Array {
  let at = 0;
  const pairs: string[] = [];
  const blobs: Uint8Array[] = [];
  for (const t of tensors) {
    const b = new Uint8Array(new Float32Array(t.data).buffer);
    pairs.push(`${JSON.stringify(t.name)}:{"dtype":"F32","shape":${JSON.stringify(t.shape)},"data_offsets":[${at},${at + b.length}]}`);
    blobs.push(b);
    at += b.length;
  }
  const header = new TextEncoder().encode(`{${pairs.join(",")}}`);
  const out = new Uint8Array(8 + header.length + at);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 8);
  let q = 8 + header.length;
  for (const b of blobs) {
    out.set(b, q);
    q += b.length;
  }
  return out;
}

/** The header of a .safetensors file as [name, entry] pairs, in file order (JSON.parse keeps own keys). */
function headerOf(path: string): Map<string, { shape: number[]; data_offsets: [number, number] } | Record<string, string>> {
  const b = readFileSync(path);
  const n = Number(b.readBigUInt64LE(0));
  return new Map(Object.entries(JSON.parse(b.subarray(8, 8 + n).toString("utf8")) as Record<string, never>));
}

const t = tempDir("decompose-filter-proto-");
afterAll(() => t.remove());
const W = (seed: number) => pseudoRandom(4 * 4 * 3 * 3, seed);

describe.each(NAMES.map((n) => [n]))("name %s", (name) => {
  it("when it names a copied-through safetensors tensor then the tensor is copied under its name", async () => {
    const bias = pseudoRandom(3, 7);
    const input = join(t.dir, `copy-${name}.safetensors`);
    await import("node:fs").then((fs) => fs.writeFileSync(input, safetensorsBytes([{ name: "conv.weight", shape: [4, 4, 3, 3], data: W(1) }, { name, shape: [3], data: bias }])));
    const r = await cli([input, ...FAST, "-o", t.dir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const h = headerOf(join(t.dir, `copy-${name}.decomposed.safetensors`));
    expect([...h.keys()]).toEqual(["__metadata__", "conv.f1", "conv.f2", name]);
    expect(h.get(name)).toMatchObject({ shape: [3] });
  });

  it("when it names a split safetensors layer then the factors and the metadata entry carry it", async () => {
    const input = join(t.dir, `layer-${name}.safetensors`);
    await import("node:fs").then((fs) => fs.writeFileSync(input, safetensorsBytes([{ name, shape: [4, 4, 3, 3], data: W(2) }])));
    const r = await cli([input, ...FAST, "-o", t.dir]);
    expect(r.code).toBe(0);
    const h = headerOf(join(t.dir, `layer-${name}.decomposed.safetensors`));
    expect([...h.keys()]).toEqual(["__metadata__", `${name}.f1`, `${name}.f2`]);
    const info = JSON.parse((h.get("__metadata__") as Record<string, string>)["decompose-filter"]!) as object;
    expect(Object.keys(info)).toEqual([name]);
    const record = JSON.parse(r.stdout.split("\n")[0]!) as { name: string; status: string };
    expect(record).toMatchObject({ name, status: "ok" });
  });

  it("when it names npz members (a layer with its bias, and a copied array) then each keeps its name", async () => {
    const input = join(t.dir, `m-${name}.npz`);
    const members = [
      { name: `${name}.weight`, npy: serializeNpy([4, 4, 3, 3], W(3), "float32") },
      { name: `${name}.bias`, npy: serializeNpy([4], pseudoRandom(4, 9), "float32") },
      { name, npy: serializeNpy([2], pseudoRandom(2, 4), "float64") },
    ];
    await import("node:fs").then((fs) => fs.writeFileSync(input, serializeNpz(members, false)));
    const r = await cli([input, ...FAST, "-o", t.dir]);
    expect(r.code).toBe(0);
    const out = readZip(readFileSync(join(t.dir, `m-${name}.decomposed.npz`)), "out");
    expect(out.map((m) => m.name)).toEqual([`${name}.f1.npy`, `${name}.f2.npy`, `${name}.f2.bias.npy`, `${name}.npy`]);
    const record = JSON.parse(r.stdout.split("\n")[0]!) as { name: string; parent: { bias: string } };
    expect(record).toMatchObject({ name: `${name}.weight`, parent: { bias: `${name}.bias` } });
  });

  it("when --select matches exactly that name then only that layer is split", async () => {
    const input = join(t.dir, `s-${name}.npz`);
    const members = [
      { name, npy: serializeNpy([4, 4, 3, 3], W(5), "float32") },
      { name: "other", npy: serializeNpy([4, 4, 3, 3], W(6), "float32") },
    ];
    await import("node:fs").then((fs) => fs.writeFileSync(input, serializeNpz(members, false)));
    const r = await cli([input, ...FAST, "-o", t.dir, "--select", `^${name.replace(/[$]/g, "\\$&")}$`]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; name?: string });
    expect(lines.filter((l) => l.type === "layer").map((l) => l.name)).toEqual([name]);
  });
});
