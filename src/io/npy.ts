/**
 * NumPy `.npy` files: read and write float16/32/64 arrays.
 *
 * Format (numpy/lib/format.py, "NEP 1"): 6-byte magic `\x93NUMPY`, major and minor version bytes,
 * header length (u16 little-endian in 1.0, u32 in 2.0 and 3.0), then the header: a Python dict
 * literal `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` in latin1 (1.0, 2.0) or
 * utf8 (3.0), padded with spaces and a newline; then the raw data, exactly
 * `prod(shape) * itemsize` bytes.
 *
 * Reading is a chain of pure functions on bytes:
 * `readPreamble` -> `parseHeaderDict` -> `parseDescr` -> `decodeData` -> `fortranToC` ->
 * `checkFinite`. Every rejection is a `DecomposeError` carrying the file name.
 * Writing mirrors `numpy.save` byte for byte for C-order little-endian arrays.
 */
import { DecomposeError } from "../errors.js";
import { readFileBytes, writeFileAtomic, type WriteOptions } from "./files.js";
import { checkElementCount } from "./limits.js";
import { printable, quoted } from "./quote.js";

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

export type NpyDtype = "float16" | "float32" | "float64";

/** An array read from or written to `.npy`: `data` is in C (row-major) order, widened to float64. */
export interface NpyArray {
  shape: number[];
  data: Float64Array;
  dtype: NpyDtype;
}

/** What the fixed-size start of the file says. */
export interface NpyPreamble {
  version: [number, number];
  headerText: string;
  /** Byte offset of the first data byte. */
  dataOffset: number;
}

/** The three keys of the header dict, checked but not yet interpreted as a dtype. */
export interface NpyHeader {
  descr: PyValue;
  fortranOrder: boolean;
  shape: number[];
}

export interface NpyFieldType {
  dtype: NpyDtype;
  littleEndian: boolean;
  itemSize: 2 | 4 | 8;
}

/** The subset of Python literals a header can hold (tuples and lists are both arrays). */
export type PyValue = string | number | boolean | null | PyValue[] | PyDict;
export interface PyDict {
  readonly entries: ReadonlyMap<string, PyValue>;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
/** numpy leaves room in the header for the growth axis to reach 21 digits. */
const GROWTH_AXIS_MAX_DIGITS = 21;
const ITEM_SIZE: Record<NpyDtype, 2 | 4 | 8> = { float16: 2, float32: 4, float64: 8 };
const NATIVE_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/** Parse a whole `.npy` file. `file` names the source in errors. */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  const preamble = readPreamble(bytes, file);
  const header = parseHeaderDict(preamble.headerText, file);
  const field = parseDescr(header.descr, file);
  const raw = decodeData(bytes, preamble.dataOffset, header.shape, field, file);
  const data = header.fortranOrder ? fortranToC(raw, header.shape) : raw;
  checkFinite(data, header.shape, file);
  return { shape: header.shape, data, dtype: field.dtype };
}

/** Read and parse a `.npy` file from disk; errors carry `path` as the file. */
export function readNpy(path: string): NpyArray {
  return parseNpy(readFileBytes(path), path);
}

/** Magic, version and header length; the header text decoded by the version's encoding. */
export function readPreamble(bytes: Uint8Array, file: string): NpyPreamble {
  const magicOk = bytes.length >= MAGIC.length && MAGIC.every((b, i) => bytes[i] === b);
  if (!magicOk) {
    throw new DecomposeError("E_NOT_NPY", "not a .npy file (missing \\x93NUMPY magic)", file);
  }
  if (bytes.length < 10) {
    throw new DecomposeError("E_NPY_HEADER", `file ends inside the preamble (${bytes.length} bytes)`, file);
  }
  const major = bytes[6] ?? 0;
  const minor = bytes[7] ?? 0;
  if (![1, 2, 3].includes(major) || minor !== 0) {
    throw new DecomposeError(
      "E_NPY_HEADER",
      `unsupported .npy format version ${major}.${minor} (expected 1.0, 2.0 or 3.0)`,
      file,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) {
    throw new DecomposeError("E_NPY_HEADER", `file ends inside the preamble (${bytes.length} bytes)`, file);
  }
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lengthBytes;
  const dataOffset = headerStart + headerLength;
  if (dataOffset > bytes.length) {
    throw new DecomposeError(
      "E_NPY_HEADER",
      `header says ${headerLength} bytes, file has only ${bytes.length - headerStart} after the preamble`,
      file,
    );
  }
  const encoding = major === 3 ? "utf-8" : "latin1";
  let headerText: string;
  try {
    headerText = new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(headerStart, dataOffset));
  } catch {
    throw new DecomposeError("E_NPY_HEADER", "header is not valid UTF-8", file);
  }
  return { version: [major, minor], headerText, dataOffset };
}

/** Parse the header dict literal and check its three keys. */
export function parseHeaderDict(text: string, file: string): NpyHeader {
  let value: PyValue;
  try {
    value = parsePyLiteral(text);
  } catch (e) {
    const why = e instanceof SyntaxError ? e.message : String(e);
    throw new DecomposeError("E_NPY_HEADER", `header is not a Python dict literal: ${why}`, file);
  }
  if (!isPyDict(value)) {
    throw new DecomposeError("E_NPY_HEADER", `header is not a dict: ${shownPy(value)}`, file);
  }
  const keys = [...value.entries.keys()].sort();
  if (keys.join(",") !== "descr,fortran_order,shape") {
    throw new DecomposeError(
      "E_NPY_HEADER",
      `header keys are [${listed(keys.map((k) => quoted(k, 40)))}], expected 'descr', 'fortran_order', 'shape'`,
      file,
    );
  }
  const descr = value.entries.get("descr") ?? null;
  const fortran = value.entries.get("fortran_order");
  const shapeValue = value.entries.get("shape");
  if (typeof fortran !== "boolean") {
    throw new DecomposeError("E_NPY_HEADER", `fortran_order is not True or False: ${shownPy(fortran ?? null)}`, file);
  }
  const shape = Array.isArray(shapeValue) ? shapeValue : undefined;
  if (shape === undefined || !shape.every((d): d is number => typeof d === "number" && d >= 0)) {
    throw new DecomposeError(
      "E_NPY_HEADER",
      `shape is not a tuple of non-negative integers: ${shownPy(shapeValue ?? null)}`,
      file,
    );
  }
  const count = shape.reduce((a, d) => a * d, 1);
  if (!Number.isSafeInteger(count)) {
    throw new DecomposeError("E_NPY_HEADER", `shape ${printable(formatShape(shape))} has too many elements`, file);
  }
  return { descr, fortranOrder: fortran, shape: [...shape] };
}

/**
 * Map a dtype descriptor to a supported float type, or reject it naming the dtype.
 * Byte order: `<` little, `>` big, `=` or none native; `|` ("not applicable") is only meaningful
 * for one-byte types, none of which is a float, so `|f4` is rejected as ambiguous.
 */
export function parseDescr(descr: PyValue, file: string): NpyFieldType {
  if (typeof descr !== "string") {
    const fields = Array.isArray(descr)
      ? descr.slice(0, 8).map((f) => (Array.isArray(f) && typeof f[0] === "string" ? quoted(f[0], 20) : "?"))
      : [];
    const more = Array.isArray(descr) && descr.length > fields.length ? `, ... (${descr.length} fields)` : "";
    const what = fields.length > 0 ? `with fields ${fields.join(", ")}${more}` : printable(formatPy(descr), 60);
    throw new DecomposeError(
      "E_DTYPE",
      `structured dtype ${what} is not supported; expected float16, float32 or float64`,
      file,
    );
  }
  const m = /^([<>=|]?)([a-zA-Z])(\d*)(.*)$/.exec(descr);
  const order = m?.[1] ?? "";
  const kind = m?.[2] ?? "";
  const size = m?.[3] === undefined || m[3] === "" ? 0 : Number(m[3]);
  if (m !== null && kind === "f" && (size === 2 || size === 4 || size === 8) && m[4] === "") {
    if (order === "|") {
      throw new DecomposeError("E_DTYPE", `dtype ${quoted(descr)} has no byte order ('|'); expected '<' or '>'`, file);
    }
    const littleEndian = order === "<" || ((order === "=" || order === "") && NATIVE_LITTLE_ENDIAN);
    const dtype: NpyDtype = size === 2 ? "float16" : size === 4 ? "float32" : "float64";
    return { dtype, littleEndian, itemSize: size };
  }
  // A name only for a whole type code (`<i8`, `|b1`, `<M8[ns]`), not for any word that starts with one.
  const wholeCode = m !== null && (m[4] === "" || m[4]!.startsWith("["));
  const name = wholeCode ? dtypeName(kind, size) : undefined;
  const label = name === undefined ? quoted(descr) : `${name} (${quoted(descr)})`;
  throw new DecomposeError(
    "E_DTYPE",
    `dtype ${label} is not supported; expected float16, float32 or float64`,
    file,
  );
}

/** Decode `prod(shape)` items starting at `offset`; the data must fill the file exactly. */
export function decodeData(
  bytes: Uint8Array,
  offset: number,
  shape: readonly number[],
  field: NpyFieldType,
  file: string,
): Float64Array {
  const count = shape.reduce((a, d) => a * d, 1);
  const need = count * field.itemSize;
  const have = bytes.length - offset;
  if (have === need) checkElementCount(count, `array ${formatShape(shape)}`, file);
  if (have !== need) {
    const what = have > need ? ` (${have - need} trailing bytes)` : " (truncated)";
    throw new DecomposeError(
      "E_NPY_LENGTH",
      `data is ${have} bytes, header needs ${need} for ${field.dtype} ${formatShape(shape)}${what}`,
      file,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, need);
  const out = new Float64Array(count);
  const le = field.littleEndian;
  if (field.itemSize === 8) {
    for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, le);
  } else if (field.itemSize === 4) {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, le);
  } else {
    for (let i = 0; i < count; i++) out[i] = float16BitsToNumber(view.getUint16(i * 2, le));
  }
  return out;
}

/**
 * Reorder Fortran-order (first index fastest) data to C order (last index fastest).
 * Walks the Fortran sequence with an odometer, keeping the C offset of the current index.
 */
export function fortranToC(data: Float64Array, shape: readonly number[]): Float64Array {
  const out = new Float64Array(data.length);
  if (data.length === 0) return out;
  const n = shape.length;
  const cStride = new Array<number>(n).fill(1);
  for (let k = n - 2; k >= 0; k--) cStride[k] = (cStride[k + 1] ?? 1) * (shape[k + 1] ?? 1);
  const index = new Array<number>(n).fill(0);
  let c = 0;
  for (let f = 0; f < data.length; f++) {
    out[c] = data[f] ?? 0;
    for (let k = 0; k < n; k++) {
      const stride = cStride[k] ?? 1;
      const next = (index[k] ?? 0) + 1;
      if (next < (shape[k] ?? 1)) {
        index[k] = next;
        c += stride;
        break;
      }
      c -= (next - 1) * stride;
      index[k] = 0;
    }
  }
  return out;
}

/** Reject NaN and ±Inf, saying how many there are and where (C-order index) the first is. */
export function checkFinite(data: Float64Array, shape: readonly number[], file: string): void {
  let count = 0;
  let first = -1;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i] ?? 0)) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (count === 0) return;
  const v = data[first] ?? NaN;
  const kind = Number.isNaN(v) ? "NaN" : v > 0 ? "Inf" : "-Inf";
  const where = formatShape(unravelIndex(first, shape)).replace(/^\(/, "[").replace(/,?\)$/, "]");
  const noun = count === 1 ? "non-finite value" : "non-finite values";
  throw new DecomposeError("E_NONFINITE", `${count} ${noun} (first ${kind} at ${where})`, file);
}

/** The caller's shape rule for filters: exactly 4-D with no zero-size axis. */
export function expectShape4(arr: NpyArray, file: string): [number, number, number, number] {
  const s = arr.shape;
  if (s.length !== 4) {
    throw new DecomposeError(
      "E_SHAPE",
      `shape ${formatShape(s)} is ${s.length}-D, expected 4-D (c_out, c_in, kh, kw)`,
      file,
    );
  }
  const zero = s.findIndex((d) => d === 0);
  if (zero >= 0) {
    throw new DecomposeError("E_SHAPE", `shape ${formatShape(s)} has a zero-size axis (axis ${zero})`, file);
  }
  return [s[0] ?? 0, s[1] ?? 0, s[2] ?? 0, s[3] ?? 0];
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/**
 * Serialise C-order `data` as a little-endian `.npy` of `dtype`: format 1.0 unless the header needs
 * 2.0, header padded with spaces and `\n` so data starts at a multiple of 64 (as `numpy.save`).
 */
export function serializeNpy(shape: readonly number[], data: Float64Array, dtype: NpyDtype): Uint8Array {
  const count = shape.reduce((a, d) => a * d, 1);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || count !== data.length) {
    throw new RangeError(`shape ${formatShape(shape)} does not describe ${data.length} values`);
  }
  const header = headerBytes(shape, dtype);
  const itemSize = ITEM_SIZE[dtype];
  const out = new Uint8Array(header.length + count * itemSize);
  out.set(header, 0);
  const view = new DataView(out.buffer, header.length);
  if (dtype === "float64") {
    for (let i = 0; i < count; i++) view.setFloat64(i * 8, data[i] ?? 0, true);
  } else if (dtype === "float32") {
    for (let i = 0; i < count; i++) view.setFloat32(i * 4, data[i] ?? 0, true);
  } else {
    for (let i = 0; i < count; i++) view.setUint16(i * 2, numberToFloat16Bits(data[i] ?? 0), true);
  }
  return out;
}

/** Serialise and write atomically (see `writeFileAtomic` for `force` and `protect`). */
export function writeNpy(
  path: string,
  shape: readonly number[],
  data: Float64Array,
  dtype: NpyDtype,
  options: WriteOptions = {},
): void {
  writeFileAtomic(path, serializeNpy(shape, data, dtype), options);
}

/** Preamble + header exactly as numpy's `_write_array_header` builds it for a C-order array. */
function headerBytes(shape: readonly number[], dtype: NpyDtype): Uint8Array {
  const descr = `<f${ITEM_SIZE[dtype]}`;
  const shapeRepr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  if (shape.length > 0) dict += " ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  const text = new TextEncoder().encode(dict); // ASCII only
  for (const major of [1, 2]) {
    const prefix = 8 + (major === 1 ? 2 : 4);
    const hlen = text.length + 1;
    const pad = ARRAY_ALIGN - ((prefix + hlen) % ARRAY_ALIGN);
    const total = hlen + pad;
    if (major === 1 && total > 0xffff) continue;
    const out = new Uint8Array(prefix + total);
    out.set(MAGIC, 0);
    out[6] = major;
    out[7] = 0;
    const view = new DataView(out.buffer);
    if (major === 1) view.setUint16(8, total, true);
    else view.setUint32(8, total, true);
    out.set(text, prefix);
    out.fill(0x20, prefix + text.length, out.length - 1);
    out[out.length - 1] = 0x0a;
    return out;
  }
  throw new RangeError(`header for shape ${formatShape(shape)} is too long`);
}

// ---------------------------------------------------------------------------------------------
// IEEE 754 binary16 (1 sign, 5 exponent bits biased by 15, 10 fraction bits)
// ---------------------------------------------------------------------------------------------

/** Exact value of a binary16 bit pattern. */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

/**
 * Nearest binary16 to `x`, ties to even, straight from float64 (going through float32 would round
 * twice). Subnormals are kept; |x| >= 65520 (halfway between 65504 and 2^16) becomes Inf.
 */
export function numberToFloat16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24); // subnormal; 1024 rolls into 0x0400
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  const m = roundHalfEven((a / 2 ** e - 1) * 1024); // exact: scaling by 2^k and Sterbenz
  return sign | ((((e + 15) << 10) + m) & 0x7fff); // m === 1024 carries into the exponent
}

function roundHalfEven(y: number): number {
  const r = Math.floor(y);
  const d = y - r;
  return d > 0.5 || (d === 0.5 && r % 2 === 1) ? r + 1 : r;
}

// ---------------------------------------------------------------------------------------------
// Python literal parser (just what headers use: dicts, tuples, lists, strings, ints, bools, None)
// ---------------------------------------------------------------------------------------------

/** Parse one Python literal; throws `SyntaxError` with the offending position. */
export function parsePyLiteral(text: string): PyValue {
  let pos = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at character ${pos}`);
  };
  const skip = (): void => {
    while (pos < text.length && /\s/.test(text[pos] ?? "")) pos++;
  };
  const eat = (ch: string): boolean => {
    skip();
    if (text[pos] === ch) {
      pos++;
      return true;
    }
    return false;
  };
  const sequence = (close: string): PyValue[] => {
    const items: PyValue[] = [];
    while (!eat(close)) {
      items.push(value());
      if (!eat(",")) {
        if (!eat(close)) fail(`expected ',' or '${close}'`);
        return items;
      }
    }
    return items;
  };
  let depth = 0;
  const value = (): PyValue => {
    skip();
    const ch = text[pos];
    if ((ch === "{" || ch === "(" || ch === "[") && ++depth > 32) fail("nesting deeper than 32");
    if (ch === "{") {
      pos++;
      const entries = new Map<string, PyValue>();
      while (!eat("}")) {
        const key = value();
        if (typeof key !== "string") fail("dict key is not a string");
        if (!eat(":")) fail("expected ':'");
        entries.set(key as string, value());
        if (!eat(",")) {
          if (!eat("}")) fail("expected ',' or '}'");
          break;
        }
      }
      depth--;
      return { entries };
    }
    if (ch === "(" || ch === "[") {
      pos++;
      const items = sequence(ch === "(" ? ")" : "]");
      depth--;
      return items;
    }
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, pos + 1);
      if (end < 0) fail("unterminated string");
      const s = text.slice(pos + 1, end);
      if (s.includes("\\")) fail("escape sequences are not supported");
      pos = end + 1;
      return s;
    }
    const word = /^(?:[+-]?\d+[lL]?|True|False|None)/.exec(text.slice(pos));
    if (word === null) return fail(ch === undefined ? "unexpected end" : `unexpected ${quoted(ch)}`);
    pos += word[0].length;
    if (word[0] === "True") return true;
    if (word[0] === "False") return false;
    if (word[0] === "None") return null;
    const n = Number(word[0].replace(/[lL]$/, ""));
    if (!Number.isSafeInteger(n)) fail(`integer ${word[0]} is too large`);
    return n;
  };
  const result = value();
  skip();
  if (pos !== text.length) fail("unexpected text after the literal");
  return result;
}

function isPyDict(v: PyValue): v is PyDict {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A header value as a message shows it: Python-like, escaped, capped. */
function shownPy(v: PyValue): string {
  return printable(formatPy(v), 80);
}

/** At most 8 items of a list, then how many there were. */
function listed(items: readonly string[]): string {
  return items.length <= 8 ? items.join(", ") : `${items.slice(0, 8).join(", ")}, ... (${items.length} in all)`;
}

/** Python-like rendering (raw: `shownPy` escapes it for messages). */
function formatPy(v: PyValue): string {
  if (typeof v === "string") return `'${v}'`;
  if (typeof v === "boolean") return v ? "True" : "False";
  if (v === null) return "None";
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) return `(${v.map(formatPy).join(", ")}${v.length === 1 ? "," : ""})`;
  return `{${[...v.entries].map(([k, x]) => `'${k}': ${formatPy(x)}`).join(", ")}}`;
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/** `(2, 3, 3, 3)`, `(5,)`, `()` as numpy prints shapes. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

function unravelIndex(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let k = shape.length - 1; k >= 0; k--) {
    const d = shape[k] ?? 1;
    index[k] = flat % d;
    flat = Math.floor(flat / d);
  }
  return index;
}

function dtypeName(kind: string, size: number): string | undefined {
  const bits = size * 8;
  if (size === 0 && "iufc".includes(kind)) return undefined;
  switch (kind) {
    case "i":
      return `int${bits}`;
    case "u":
      return `uint${bits}`;
    case "f":
      return `float${bits}`;
    case "c":
      return `complex${bits}`;
    case "b":
      return "bool";
    case "O":
      return "object";
    case "U":
      return "str";
    case "S":
    case "a":
      return "bytes";
    case "V":
      return "void";
    case "M":
      return "datetime64";
    case "m":
      return "timedelta64";
    default:
      return undefined;
  }
}

