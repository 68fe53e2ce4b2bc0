/**
 * How many bytes an input says it has, from its first bytes: what bounds a read from a pipe.
 * - `.npy`: the preamble and header dict; data is prod(shape) * item size after them;
 * - `.safetensors`: the 8-byte header length and the header's largest `data_offsets` end;
 * - `.npz`: a ZIP archive is only understood from its end, so it declares nothing (the caller
 *   reads to EOF, within MAX_INPUT_BYTES).
 * Returns a number once known, "more" while the prefix is too short, or undefined when the format
 * declares nothing or the header is broken (the read then goes on to EOF and the parser reports
 * the problem on the full bytes).
 */
import { parseDescr, parseHeaderDict, readPreamble } from "./npy.js";

export type InputFormat = "npy" | "npz" | "safetensors";

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** `\x93NUMPY`: npy; `PK`: npz; anything else is read as safetensors (as batch/dump.ts detects). */
export function formatFromMagic(prefix: Uint8Array): InputFormat | "more" {
  if (prefix.length < 2) return "more";
  if (prefix[0] === 0x93 && prefix[1] === 0x4e) return "npy";
  if (prefix[0] === 0x50 && prefix[1] === 0x4b) return "npz";
  return "safetensors";
}

export function declaredLength(prefix: Uint8Array, format: InputFormat | undefined, file: string): number | "more" | undefined {
  const f = format ?? formatFromMagic(prefix);
  if (f === "more") return "more";
  if (f === "npz") return undefined;
  return f === "npy" ? npyLength(prefix, file) : safetensorsLength(prefix);
}

function npyLength(prefix: Uint8Array, file: string): number | "more" | undefined {
  if (prefix.length < 12) return "more";
  if (!NPY_MAGIC.every((b, i) => prefix[i] === b)) return prefix.length; // not npy: the parser says so
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const major = prefix[6]!;
  const headerEnd = major === 1 ? 10 + view.getUint16(8, true) : 12 + view.getUint32(8, true);
  if (prefix.length < headerEnd) return "more";
  try {
    const pre = readPreamble(prefix.subarray(0, headerEnd), file);
    const header = parseHeaderDict(pre.headerText, file);
    const field = parseDescr(header.descr, file);
    return pre.dataOffset + header.shape.reduce((a, d) => a * d, 1) * field.itemSize;
  } catch {
    return headerEnd; // a bad header: stop here, the parser names the problem
  }
}

function safetensorsLength(prefix: Uint8Array): number | "more" | undefined {
  if (prefix.length < 8) return "more";
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n > 100_000_000) return 8; // over the header limit: the parser refuses it
  if (prefix.length < 8 + n) return "more";
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(prefix.subarray(8, 8 + n)));
  } catch {
    return 8 + n;
  }
  if (typeof json !== "object" || json === null) return 8 + n;
  let end = 0;
  for (const [k, v] of Object.entries(json)) {
    if (k === "__metadata__" || typeof v !== "object" || v === null) continue;
    const offsets = (v as { data_offsets?: unknown }).data_offsets;
    if (Array.isArray(offsets) && typeof offsets[1] === "number" && Number.isFinite(offsets[1])) end = Math.max(end, offsets[1]);
  }
  return 8 + n + end;
}
