/**
 * NumPy `.npz` archives (`numpy.savez`, `numpy.savez_compressed`): a ZIP of `.npy` members, the
 * array named `x` stored as `x.npy`. Reading checks the archive (zip.ts) and every member's `.npy`
 * header and length up front, so a bad dump fails before any work; float members are decoded on
 * demand, other dtypes (BatchNorm's int64 `num_batches_tracked`) are kept as raw bytes to be copied
 * through unchanged.
 */
import { DecomposeError, isDecomposeError } from "../errors.js";
import {
  checkFinite,
  decodeData,
  fortranToC,
  formatShape,
  parseDescr,
  parseHeaderDict,
  readPreamble,
  type NpyDtype,
  type NpyFieldType,
  type PyValue,
} from "./npy.js";
import { printable, quoted } from "./quote.js";
import { readZip, writeZip } from "./zip.js";

export interface NpzArray {
  /** The array's name: the member path without `.npy`. */
  readonly name: string;
  readonly shape: readonly number[];
  /** numpy's dtype descriptor (`<f4`, `<i8`, ...), for messages. */
  readonly descr: string;
  /** The float type, or null for every other dtype (not decodable, copied through as is). */
  readonly float: NpyDtype | null;
  /** The member's complete `.npy` bytes. */
  readonly npy: Uint8Array;
  readonly compressed: boolean;
  /** Private to decodeNpzArray. */
  readonly layout: { readonly field: NpyFieldType | null; readonly dataOffset: number; readonly fortran: boolean };
}

/** Parse an archive; `file` names it in errors (`dump.npz: member conv1.weight.npy: ...`). */
export function parseNpz(bytes: Uint8Array, file: string): NpzArray[] {
  const seen = new Set<string>();
  return readZip(bytes, file).map((m) => {
    if (!m.name.endsWith(".npy")) {
      throw new DecomposeError("E_NOT_NPY", `member ${quoted(m.name)} is not a .npy array (an .npz holds only NAME.npy members)`, file);
    }
    const name = m.name.slice(0, -".npy".length);
    if (seen.has(name)) throw new DecomposeError("E_ZIP", `member ${quoted(m.name)} appears twice`, file);
    seen.add(name);
    return inMember(m.name, file, () => describeMember(name, m.data, m.method === 8, file));
  });
}

function describeMember(name: string, npy: Uint8Array, compressed: boolean, file: string): NpzArray {
  const pre = readPreamble(npy, file);
  const header = parseHeaderDict(pre.headerText, file);
  let field: NpyFieldType | null = null;
  try {
    field = parseDescr(header.descr, file);
  } catch (e) {
    if (!(isDecomposeError(e) && e.code === "E_DTYPE")) throw e;
  }
  const count = header.shape.reduce((a, d) => a * d, 1);
  const itemSize = field?.itemSize ?? simpleItemSize(header.descr);
  if (itemSize !== undefined && npy.length - pre.dataOffset !== count * itemSize) {
    const have = npy.length - pre.dataOffset;
    throw new DecomposeError(
      "E_NPY_LENGTH",
      `data is ${have} bytes, header needs ${count * itemSize} for ${quoted(descrText(header.descr))} ${formatShape(header.shape)}`,
      file,
    );
  }
  return {
    name,
    shape: header.shape,
    descr: descrText(header.descr),
    float: field?.dtype ?? null,
    npy,
    compressed,
    layout: { field, dataOffset: pre.dataOffset, fortran: header.fortranOrder },
  };
}

/** The float values in C order; rejects NaN/Inf like a `.npy` input. */
export function decodeNpzArray(a: NpzArray, file: string): Float64Array {
  const field = a.layout.field;
  if (field === null) {
    throw new DecomposeError("E_DTYPE", `member ${quoted(`${a.name}.npy`)}: dtype ${quoted(a.descr)} is not float16, float32 or float64`, file);
  }
  return inMember(`${a.name}.npy`, file, () => {
    const raw = decodeData(a.npy, a.layout.dataOffset, a.shape, field, file);
    const data = a.layout.fortran ? fortranToC(raw, a.shape) : raw;
    checkFinite(data, a.shape, file);
    return data;
  });
}

/** An `.npz` of `members` (name without `.npy`, complete `.npy` bytes), in order. */
export function serializeNpz(members: readonly { name: string; npy: Uint8Array }[], compress: boolean): Uint8Array {
  return writeZip(members.map((m) => ({ name: `${m.name}.npy`, data: m.npy, method: compress ? 8 : 0 })));
}

/** Re-raise a member's error as `<file>: member <name>: <message>`. */
function inMember<T>(member: string, file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isDecomposeError(e) && !e.message.startsWith("member ")) {
      throw new DecomposeError(e.code, `member ${printable(member)}: ${e.message}`, file, e.exitCode);
    }
    throw e;
  }
}

/** Item size of a plain numeric descriptor (`<i8`, `|u1`, `|b1`), undefined for anything else. */
function simpleItemSize(descr: PyValue): number | undefined {
  if (typeof descr !== "string") return undefined;
  const m = /^[<>=|]?[biufc](\d+)$/.exec(descr);
  return m ? Number(m[1]) : undefined;
}

function descrText(descr: PyValue): string {
  return typeof descr === "string" ? descr : "structured";
}

/** A 1-D int64 `.npy` (as `numpy.save` writes it), for small integer metadata in an `.npz`. */
export function serializeInt64Npy(values: readonly number[]): Uint8Array {
  const dict = `{'descr': '<i8', 'fortran_order': False, 'shape': (${values.length},), }`;
  const headerLen = Math.ceil((10 + dict.length + 1) / 64) * 64 - 10;
  const out = new Uint8Array(10 + headerLen + 8 * values.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  const view = new DataView(out.buffer);
  view.setUint16(8, headerLen, true);
  out.set(new TextEncoder().encode(dict), 10);
  out.fill(0x20, 10 + dict.length, 10 + headerLen - 1);
  out[10 + headerLen - 1] = 0x0a;
  values.forEach((v, i) => view.setBigInt64(10 + headerLen + 8 * i, BigInt(v), true));
  return out;
}
