/**
 * The files a batch writes, one set per input (all handed to writeFilesAtomic together, so a run
 * writes everything or nothing):
 * - `.npy` input `<stem>.npy`: `<stem>.f1.npy`, `<stem>.f2.npy`, `<stem>.f2.bias.npy`, as the
 *   single-file mode writes them;
 * - `.npz` input: `<stem>.decomposed.npz`, where the layer `x.weight` (and its bias `x.bias`) is
 *   replaced, at its place, by `x.f1`, `x.f2`, `x.f2.bias` and, for grouped layers, `x.groups`
 *   (int64 [groups of f1, groups of f2]); every other array is copied through byte for byte
 *   unless `onlyDecomposed`. Deflated when the input had a deflated member;
 * - `.safetensors` input: `<stem>.decomposed.safetensors`, the same names, the input's
 *   `__metadata__` kept and a `decompose-filter` entry added (JSON: per layer, the groups and
 *   the chosen layout's paddings of each child, and `layout`: both layouts' paddings and strides,
 *   the chosen one named).
 * Factors are written in the parent's dtype unless `dtype` overrides it. Each set has its
 * completion manifest (io/manifest.ts): `<stem>.manifest.json` for a `.npy` set, the archive's
 * name plus `.manifest.json` for the others.
 */
import { join, dirname } from "node:path";
import { DecomposeError } from "../errors.js";
import type { FileToWrite } from "../io/files.js";
import { checkRepresentable, type OutputDtype } from "../io/dtype-range.js";
import { jsonObject } from "../io/json-object.js";
import { serializeNpy, type NpyDtype } from "../io/npy.js";
import { factorSetManifestPath, fileManifestPath } from "../io/manifest.js";
import { quoted } from "../io/quote.js";
import { serializeInt64Npy, serializeNpz } from "../io/npz.js";
import { encodeFloats, serializeSafetensors, type SafetensorsFloat, type SafetensorsTensor } from "../io/safetensors.js";
import type { Tensor4 } from "../geometry/tensor.js";
import { STDIN, type Dump, type DumpArray } from "./dump.js";
import type { LayerSummary } from "./layer.js";

export interface SplitLayer {
  readonly f1: Tensor4;
  readonly f2: Tensor4;
  readonly bias: Float64Array | null;
  readonly biasArray: DumpArray | null;
  readonly summary: LayerSummary;
}

export interface OutputOptions {
  readonly outDir?: string;
  readonly dtype?: NpyDtype;
  readonly onlyDecomposed: boolean;
}

/** Where one layer's factors went: paths (`.npy`), or member names inside `file` (archives). */
export interface LayerOutputs {
  readonly file?: string;
  readonly f1: string;
  readonly f2: string;
  readonly bias: string | null;
}

export interface DumpOutputs {
  readonly files: FileToWrite[];
  /** The set's manifest path (written only when `files` is not empty). */
  readonly manifest: string;
  readonly layers: Map<DumpArray, LayerOutputs>;
  /** Arrays copied through unchanged. */
  readonly copied: number;
}

/** The layer's name in outputs: the weight's name without a trailing `.weight`. */
export function layerName(weight: string): string {
  return weight.endsWith(".weight") ? weight.slice(0, -".weight".length) : weight;
}

export function outputDirectory(d: Dump, o: OutputOptions): string {
  return o.outDir ?? (d.file === STDIN ? "." : dirname(d.file));
}

export function dumpOutputs(d: Dump, split: ReadonlyMap<DumpArray, SplitLayer>, o: OutputOptions): DumpOutputs {
  const dir = outputDirectory(d, o);
  switch (d.format) {
    case "npy":
      return npyOutputs(d, dir, split, o);
    case "npz":
      return npzOutputs(d, dir, split, o);
    case "safetensors":
      return safetensorsOutputs(d, dir, split, o);
  }
}

function npyOutputs(d: Dump, dir: string, split: ReadonlyMap<DumpArray, SplitLayer>, o: OutputOptions): DumpOutputs {
  const a = d.arrays[0]!;
  const s = split.get(a);
  const layers = new Map<DumpArray, LayerOutputs>();
  const manifest = factorSetManifestPath(dir, d.stem);
  if (s === undefined || a.source.kind !== "npy") return { files: [], manifest, layers, copied: 0 };
  const dtype = o.dtype ?? a.source.array.dtype;
  checkFactors(s, dtype, a.name, o, d.file);
  const p = { f1: join(dir, `${d.stem}.f1.npy`), f2: join(dir, `${d.stem}.f2.npy`), bias: s.bias ? join(dir, `${d.stem}.f2.bias.npy`) : null };
  const files: FileToWrite[] = [
    { path: p.f1, bytes: serializeNpy(s.f1.shape, s.f1.data, dtype) },
    { path: p.f2, bytes: serializeNpy(s.f2.shape, s.f2.data, dtype) },
  ];
  if (p.bias !== null && s.bias) files.push({ path: p.bias, bytes: serializeNpy([s.bias.length], s.bias, dtype) });
  layers.set(a, p);
  return { files, manifest, layers, copied: 0 };
}

function npzOutputs(d: Dump, dir: string, split: ReadonlyMap<DumpArray, SplitLayer>, o: OutputOptions): DumpOutputs {
  const path = join(dir, `${d.stem}.decomposed.npz`);
  const members: { name: string; npy: Uint8Array }[] = [];
  const layers = new Map<DumpArray, LayerOutputs>();
  const usedBias = usedBiases(split);
  let copied = 0;
  let compress = false;
  for (const a of d.arrays) {
    if (a.source.kind !== "npz") continue;
    compress ||= a.source.array.compressed;
    const s = split.get(a);
    if (s !== undefined) {
      const dtype = o.dtype ?? a.source.array.float ?? "float32";
      checkFactors(s, dtype, a.name, o, d.file);
      const L = layerName(a.name);
      members.push({ name: `${L}.f1`, npy: serializeNpy(s.f1.shape, s.f1.data, dtype) });
      members.push({ name: `${L}.f2`, npy: serializeNpy(s.f2.shape, s.f2.data, dtype) });
      if (s.bias) members.push({ name: `${L}.f2.bias`, npy: serializeNpy([s.bias.length], s.bias, dtype) });
      if (s.summary.groups > 1) members.push({ name: `${L}.groups`, npy: serializeInt64Npy([s.summary.groups, s.summary.groups]) });
      layers.set(a, { file: path, f1: `${L}.f1`, f2: `${L}.f2`, bias: s.bias ? `${L}.f2.bias` : null });
    } else if (!usedBias.has(a) && !o.onlyDecomposed) {
      members.push({ name: a.name, npy: a.source.array.npy });
      copied++;
    }
  }
  checkUnique(members.map((m) => m.name), path);
  return { files: [{ path, bytes: serializeNpz(members, compress) }], manifest: fileManifestPath(path), layers, copied };
}

const SAFETENSORS_DTYPE: Record<NpyDtype, SafetensorsFloat> = { float16: "F16", float32: "F32", float64: "F64" };

function safetensorsOutputs(d: Dump, dir: string, split: ReadonlyMap<DumpArray, SplitLayer>, o: OutputOptions): DumpOutputs {
  const path = join(dir, `${d.stem}.decomposed.safetensors`);
  const tensors: SafetensorsTensor[] = [];
  const layers = new Map<DumpArray, LayerOutputs>();
  const usedBias = usedBiases(split);
  const info = new Map<string, unknown>();
  let copied = 0;
  for (const a of d.arrays) {
    if (a.source.kind !== "safetensors") continue;
    const s = split.get(a);
    if (s !== undefined) {
      const dtype: SafetensorsFloat = o.dtype ? SAFETENSORS_DTYPE[o.dtype] : (a.dtype as SafetensorsFloat);
      checkFactors(s, OUTPUT_DTYPE[dtype], a.name, o, d.file);
      const L = layerName(a.name);
      const t = (name: string, shape: readonly number[], data: Float64Array): SafetensorsTensor => ({ name, dtype, shape, bytes: encodeFloats(data, dtype) });
      tensors.push(t(`${L}.f1`, s.f1.shape, s.f1.data), t(`${L}.f2`, s.f2.shape, s.f2.data));
      if (s.bias) tensors.push(t(`${L}.f2.bias`, [s.bias.length], s.bias));
      info.set(L, {
        f1: { groups: s.summary.groups, padding: s.summary.f1.padding },
        f2: { groups: s.summary.groups, padding: s.summary.f2.padding, stride: s.summary.layout.exact.f2.stride, bias: s.bias !== null },
        layout: s.summary.layout,
      });
      layers.set(a, { file: path, f1: `${L}.f1`, f2: `${L}.f2`, bias: s.bias ? `${L}.f2.bias` : null });
    } else if (!usedBias.has(a) && !o.onlyDecomposed) {
      tensors.push(a.source.tensor);
      copied++;
    }
  }
  checkUnique(tensors.map((t) => t.name), path);
  const metadata = new Map(d.safetensors?.metadata ?? []);
  metadata.set("decompose-filter", jsonObject(info));
  return { files: [{ path, bytes: serializeSafetensors(tensors, metadata) }], manifest: fileManifestPath(path), layers, copied };
}

const OUTPUT_DTYPE: Record<SafetensorsFloat, OutputDtype> = { F16: "float16", BF16: "bfloat16", F32: "float32", F64: "float64" };

/** Every value of a layer's factors must be finite in the dtype it is written in. */
function checkFactors(s: SplitLayer, dtype: OutputDtype, name: string, o: OutputOptions, file: string): void {
  const what = (part: string): string => `${quoted(name)} ${part}`;
  checkRepresentable(s.f1.data, dtype, what("f1"), o.dtype !== undefined, file);
  checkRepresentable(s.f2.data, dtype, what("f2"), o.dtype !== undefined, file);
  if (s.bias) checkRepresentable(s.bias, dtype, what("f2.bias"), o.dtype !== undefined, file);
}

/** Biases of layers that were split (they move to f2.bias; biases of skipped layers stay). */
function usedBiases(split: ReadonlyMap<DumpArray, SplitLayer>): Set<DumpArray> {
  const s = new Set<DumpArray>();
  for (const l of split.values()) if (l.biasArray) s.add(l.biasArray);
  return s;
}

function checkUnique(names: readonly string[], file: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new DecomposeError("E_OPTION", `output array ${quoted(n)} would appear twice (an input array already has that name)`, file);
    seen.add(n);
  }
}
