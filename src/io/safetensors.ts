/**
 * `.safetensors` files (huggingface/safetensors, "Format"): an unsigned 64-bit little-endian
 * header length N, N bytes of UTF-8 JSON
 *   {"__metadata__": {str: str}, "<name>": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]}, ...}
 * (optionally padded with spaces), then the data buffer; offsets are relative to its start,
 * tensors are little-endian and C-ordered.
 *
 * The header is validated as the reference implementation does: known dtype, shape of
 * non-negative integers, `e - b` equal to numel * item size, and the tensors tiling the data
 * buffer exactly (no overlap, no hole, nothing after the last). F16, BF16, F32 and F64 are
 * decoded to float64; other dtypes are kept as raw bytes to be copied through.
 */
import { DecomposeError } from "../errors.js";
import { bfloat16BitsToNumber, numberToBfloat16Bits } from "./bf16.js";
import { checkFinite, float16BitsToNumber, formatShape, numberToFloat16Bits } from "./npy.js";
import { jsonObject, RawJson } from "./json-object.js";
import { checkElementCount } from "./limits.js";
import { oneLine, printable, quoted } from "./quote.js";

export type SafetensorsFloat = "F16" | "BF16" | "F32" | "F64";

/** Item sizes by dtype; a Map, so a dtype named like an Object.prototype key is just unknown. */
const ITEM_SIZE: ReadonlyMap<string, number> = new Map([
  ["BOOL", 1], ["U8", 1], ["I8", 1], ["F8_E5M2", 1], ["F8_E4M3", 1],
  ["I16", 2], ["U16", 2], ["F16", 2], ["BF16", 2],
  ["I32", 4], ["U32", 4], ["F32", 4],
  ["I64", 8], ["U64", 8], ["F64", 8],
]);
const FLOATS: readonly string[] = ["F16", "BF16", "F32", "F64"];
/** The reference implementation refuses headers over 100 MB. */
const MAX_HEADER = 100_000_000;

export interface SafetensorsTensor {
  readonly name: string;
  /** The dtype string as written (`F32`, `I64`, ...). */
  readonly dtype: string;
  readonly shape: readonly number[];
  /** The tensor's raw little-endian bytes (a view into the file). */
  readonly bytes: Uint8Array;
}

export interface Safetensors {
  readonly tensors: readonly SafetensorsTensor[];
  /** `__metadata__` (str -> str), in file order; a Map, since its keys are the file's. */
  readonly metadata: ReadonlyMap<string, string> | null;
}

export function isSafetensorsFloat(dtype: string): dtype is SafetensorsFloat {
  return FLOATS.includes(dtype);
}

/** Parse and validate a whole file; tensors in header order. */
export function parseSafetensors(bytes: Uint8Array, file: string): Safetensors {
  const fail = (why: string): never => {
    throw new DecomposeError("E_SAFETENSORS", why, file);
  };
  if (bytes.length < 8) fail(`not a .safetensors file (${bytes.length} bytes, need at least 8 for the header length)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n > MAX_HEADER) fail(`header length ${n} is over the 100 MB limit (not a .safetensors file?)`);
  if (8 + n > bytes.length) fail(`header length ${n} runs past the end of the ${bytes.length}-byte file`);
  let json: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
    if (!text.startsWith("{")) fail("header is not a JSON object");
    json = JSON.parse(text);
  } catch (e) {
    if (e instanceof DecomposeError) throw e;
    // The engine's message quotes the text: escape and cap it like any input shown in a message.
    fail(`header is not valid JSON: ${printable(e instanceof Error ? e.message : String(e), 200)}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return fail("header is not a JSON object");
  const data = bytes.subarray(8 + n);
  let metadata: Map<string, string> | null = null;
  const entries: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  // JSON.parse makes every key (`__proto__` included) an own property; Object.entries lists them all.
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = checkMetadata(v, fail);
      continue;
    }
    entries.push({ name, ...checkEntry(name, v, fail) });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin < at) fail(`tensor ${quoted(e.name)} (bytes ${e.begin}-${e.end}) overlaps another tensor`);
    if (e.begin > at) fail(`bytes ${at}-${e.begin} of the data belong to no tensor (before ${quoted(e.name)})`);
    at = e.end;
  }
  if (at !== data.length) {
    fail(at > data.length ? `tensors need ${at} data bytes, the file has ${data.length} (truncated?)` : `${data.length - at} bytes after the last tensor`);
  }
  return {
    tensors: entries.map((e) => ({ name: e.name, dtype: e.dtype, shape: e.shape, bytes: data.subarray(e.begin, e.end) })),
    metadata,
  };
}

function checkEntry(
  name: string,
  v: unknown,
  fail: (why: string) => never,
): { dtype: string; shape: number[]; begin: number; end: number } {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return fail(`tensor ${quoted(name)} is not an object`);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.sort().join(",") !== "data_offsets,dtype,shape") {
    const shown = keys.slice(0, 8).map((k) => quoted(k, 40)).join(", ") + (keys.length > 8 ? `, ... (${keys.length} keys)` : "");
    fail(`tensor ${quoted(name)} has keys [${shown}], expected dtype, shape, data_offsets`);
  }
  const dtype = o["dtype"];
  const itemSize = typeof dtype === "string" ? ITEM_SIZE.get(dtype) : undefined;
  if (typeof dtype !== "string" || itemSize === undefined) {
    return fail(`tensor ${quoted(name)} has unknown dtype ${oneLine(JSON.stringify(dtype) ?? String(dtype), 40)}`);
  }
  const isIndex = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
  const shape = o["shape"];
  if (!Array.isArray(shape) || !shape.every(isIndex)) return fail(`tensor ${quoted(name)} shape is not a list of non-negative integers`);
  const offsets = o["data_offsets"];
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || offsets[0] > offsets[1]) {
    return fail(`tensor ${quoted(name)} data_offsets is not [begin, end] with 0 <= begin <= end`);
  }
  const [begin, end] = offsets as [number, number];
  const count = shape.reduce((a: number, d: number) => a * d, 1);
  const need = count * itemSize;
  if (!Number.isSafeInteger(need) || end - begin !== need) {
    fail(`tensor ${quoted(name)} is ${dtype} ${printable(formatShape(shape), 80)} (${need} bytes) but data_offsets [${begin}, ${end}] span ${end - begin}`);
  }
  return { dtype, shape: [...shape], begin, end };
}

function checkMetadata(v: unknown, fail: (why: string) => never): Map<string, string> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return fail("__metadata__ is not an object");
  const out = new Map<string, string>();
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== "string") fail(`__metadata__ value for ${quoted(k)} is not a string`);
    out.set(k, x as string);
  }
  return out;
}

/** A float tensor's values as float64 in C order; rejects NaN/Inf. */
export function decodeSafetensor(t: SafetensorsTensor, file: string): Float64Array {
  if (!isSafetensorsFloat(t.dtype)) {
    throw new DecomposeError("E_DTYPE", `tensor ${quoted(t.name)}: dtype ${t.dtype} is not F16, BF16, F32 or F64`, file);
  }
  checkElementCount(t.bytes.length / (ITEM_SIZE.get(t.dtype) ?? 1), `tensor ${quoted(t.name)}`, file);
  const out = decodeFloats(t.bytes, t.dtype);
  try {
    checkFinite(out, t.shape, file);
  } catch (e) {
    if (e instanceof DecomposeError) throw new DecomposeError(e.code, `tensor ${quoted(t.name)}: ${e.message}`, file);
    throw e;
  }
  return out;
}

export function decodeFloats(bytes: Uint8Array, dtype: SafetensorsFloat): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = ITEM_SIZE.get(dtype) ?? 1;
  const out = new Float64Array(bytes.length / size);
  if (dtype === "F64") for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  else if (dtype === "F32") for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  else if (dtype === "F16") for (let i = 0; i < out.length; i++) out[i] = float16BitsToNumber(view.getUint16(i * 2, true));
  else for (let i = 0; i < out.length; i++) out[i] = bfloat16BitsToNumber(view.getUint16(i * 2, true));
  return out;
}

/** `values` as little-endian `dtype` bytes (rounded to nearest, ties to even). */
export function encodeFloats(values: Float64Array, dtype: SafetensorsFloat): Uint8Array {
  const size = ITEM_SIZE.get(dtype) ?? 1;
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  if (dtype === "F64") for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true);
  else if (dtype === "F32") for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  else if (dtype === "F16") for (let i = 0; i < values.length; i++) view.setUint16(i * 2, numberToFloat16Bits(values[i]!), true);
  else for (let i = 0; i < values.length; i++) view.setUint16(i * 2, numberToBfloat16Bits(values[i]!), true);
  return out;
}

/**
 * A `.safetensors` file of `tensors` in the given order, data contiguous, the header padded with
 * spaces so the data starts at a multiple of 8 (as the reference writer does).
 */
export function serializeSafetensors(
  tensors: readonly SafetensorsTensor[],
  metadata: ReadonlyMap<string, string> | null = null,
): Uint8Array {
  // The header is written pair by pair (json-object.ts): a name like `__proto__` or
  // `toString` is an ordinary key here, never a property of some object's prototype chain.
  const header: [string, unknown][] = [];
  const names = new Set<string>();
  if (metadata !== null) header.push(["__metadata__", new RawJson(jsonObject(metadata))]);
  let at = 0;
  for (const t of tensors) {
    if (t.name === "__metadata__" || names.has(t.name)) throw new RangeError(`safetensors: tensor name ${quoted(t.name)} is reserved or repeated`);
    names.add(t.name);
    header.push([t.name, { dtype: t.dtype, shape: [...t.shape], data_offsets: [at, at + t.bytes.length] }]);
    at += t.bytes.length;
  }
  let text = new TextEncoder().encode(jsonObject(header));
  const padded = Math.ceil(text.length / 8) * 8;
  if (padded !== text.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(text);
    text = p;
  }
  const out = new Uint8Array(8 + text.length + at);
  const view = new DataView(out.buffer);
  view.setUint32(0, text.length, true);
  view.setUint32(4, 0, true);
  out.set(text, 8);
  let q = 8 + text.length;
  for (const t of tensors) {
    out.set(t.bytes, q);
    q += t.bytes.length;
  }
  return out;
}

