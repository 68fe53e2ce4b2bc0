/**
 * A dump: one input file (`.npy`, `.npz`, `.safetensors`, or `-` for stdin) seen as a list of
 * named arrays. The format comes from the extension, or from the first bytes when there is none
 * (stdin): `\x93NUMPY` is `.npy`, `PK` is `.npz`, anything else is tried as `.safetensors`.
 * Parsing validates the whole file up front, so a bad dump fails before any work is done.
 */
import { basename, extname } from "node:path";
import { decodeNpzArray, parseNpz, type NpzArray } from "../io/npz.js";
import { readFileBytes } from "../io/files.js";
import { parseNpy, type NpyArray } from "../io/npy.js";
import { decodeSafetensor, isSafetensorsFloat, parseSafetensors, type Safetensors, type SafetensorsTensor } from "../io/safetensors.js";

export type DumpFormat = "npy" | "npz" | "safetensors";

export type ArraySource =
  | { readonly kind: "npy"; readonly array: NpyArray }
  | { readonly kind: "npz"; readonly array: NpzArray }
  | { readonly kind: "safetensors"; readonly tensor: SafetensorsTensor };

export interface DumpArray {
  /** The array's name in the dump; a `.npy` input's name is its file stem. */
  readonly name: string;
  readonly shape: readonly number[];
  /** As the format spells it: float32, <i8, BF16, ... */
  readonly dtype: string;
  /** float16/32/64 (and BF16 for safetensors): decodable to float64. */
  readonly float: boolean;
  readonly source: ArraySource;
}

export interface Dump {
  /** The input as given (`-` for stdin); errors name it. */
  readonly file: string;
  readonly format: DumpFormat;
  /** File name without its extension, for output names (`stdin` for `-`). */
  readonly stem: string;
  readonly arrays: readonly DumpArray[];
  /** The parsed safetensors file (its metadata is carried to the output). */
  readonly safetensors?: Safetensors;
}

export const STDIN = "-";

/** Read and parse one input. `readStdin` supplies the bytes of `-`. */
export function loadDump(file: string, readStdin: () => Uint8Array): Dump {
  const bytes = file === STDIN ? readStdin() : readFileBytes(file);
  const format = detectFormat(file, bytes);
  const ext = extname(file);
  const stem = file === STDIN ? "stdin" : basename(file, ext === `.${format}` ? ext : "");
  switch (format) {
    case "npy": {
      const array = parseNpy(bytes, file);
      return { file, format, stem, arrays: [{ name: stem, shape: array.shape, dtype: array.dtype, float: true, source: { kind: "npy", array } }] };
    }
    case "npz": {
      const arrays = parseNpz(bytes, file).map(
        (array): DumpArray => ({
          name: array.name,
          shape: array.shape,
          dtype: array.float ?? array.descr,
          float: array.float !== null,
          source: { kind: "npz", array },
        }),
      );
      return { file, format, stem, arrays };
    }
    case "safetensors": {
      const st = parseSafetensors(bytes, file);
      const arrays = st.tensors.map(
        (tensor): DumpArray => ({
          name: tensor.name,
          shape: tensor.shape,
          dtype: tensor.dtype,
          float: isSafetensorsFloat(tensor.dtype),
          source: { kind: "safetensors", tensor },
        }),
      );
      return { file, format, stem, arrays, safetensors: st };
    }
  }
}

/** The array's values as float64, C order; NaN/Inf rejected (DecomposeError naming the dump). */
export function decodeArray(a: DumpArray, file: string): Float64Array {
  switch (a.source.kind) {
    case "npy":
      return a.source.array.data;
    case "npz":
      return decodeNpzArray(a.source.array, file);
    case "safetensors":
      return decodeSafetensor(a.source.tensor, file);
  }
}

export function detectFormat(file: string, bytes: Uint8Array): DumpFormat {
  const ext = extname(file).toLowerCase();
  if (ext === ".npy" || ext === ".npz" || ext === ".safetensors") return ext.slice(1) as DumpFormat;
  if (bytes[0] === 0x93 && bytes[1] === 0x4e) return "npy";
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return "npz";
  return "safetensors";
}

