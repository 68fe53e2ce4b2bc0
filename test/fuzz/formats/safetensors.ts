/**
 * `.safetensors` under fuzzing: seeds from serializeSafetensors (every float dtype, an int64
 * tensor, metadata) and a checked-in file; structural mutations edit the JSON header (offsets,
 * shapes, dtypes, names that are Object.prototype keys or hold control characters, metadata)
 * and rewrite it with a right or a stale header length, or lie in the length field itself.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeSafetensor, encodeFloats, isSafetensorsFloat, parseSafetensors, serializeSafetensors } from "../../../src/io/safetensors.js";
import { ROOT } from "../../cli/helpers.js";
import { concat, INTERESTING_64, pick } from "../mutations.js";
import type { FuzzFormat } from "./format.js";

const OFFSETS: readonly unknown[] = [0, 1, 7, 8, 9, -1, 1.5, 2 ** 53, 2 ** 53 + 2, 1e300, "8", null, 4294967296, 2 ** 62];
const SHAPES: readonly unknown[] = [[], [0], [-1], [1.5], [2 ** 40, 2 ** 40], [2 ** 26, 2 ** 26, 2 ** 26], ["2"], [[2]], null, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]];
const DTYPES: readonly unknown[] = ["F32", "F16", "BF16", "F64", "I64", "U8", "BOOL", "F8_E4M3", "toString", "__proto__", "constructor", "f32", "", 5, null];
const NAMES = ["__proto__", "toString", "constructor", "hasOwnProperty", "valueOf", "__metadata__", "a\nb", "\u0000", "x".repeat(5000), "\u2028"];

export const safetensorsFormat: FuzzFormat = {
  name: "safetensors",
  file: "fuzz.safetensors",
  seeds() {
    const v = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => (i % 7) - 3.25);
    const t = (name: string, dtype: "F16" | "BF16" | "F32" | "F64", shape: number[]) => ({
      name, dtype, shape, bytes: encodeFloats(v(shape.reduce((a, d) => a * d, 1)), dtype),
    });
    const i64 = { name: "bn.num_batches_tracked", dtype: "I64", shape: [], bytes: new Uint8Array(8).fill(1) };
    const tensors = [t("conv.weight", "F32", [2, 2, 3, 3]), t("conv.bias", "F64", [2]), t("dw.weight", "F16", [2, 1, 3, 3]), t("x", "BF16", [3]), i64];
    return [
      serializeSafetensors(tensors, new Map([["format", "pt"]])),
      serializeSafetensors(tensors.slice(0, 1)),
      serializeSafetensors([]),
      new Uint8Array(readFileSync(join(ROOT, "test", "batch", "data", "net.safetensors"))),
    ];
  },
  parse(bytes, file) {
    const st = parseSafetensors(bytes, file);
    return st.tensors.map((x) => (isSafetensorsFloat(x.dtype) ? decodeSafetensor(x, file).length : x.bytes.length));
  },
  kinds: ["st-offset", "st-shape", "st-dtype", "st-name", "st-metadata", "st-header-length"],
  mutate(bytes, m) {
    if (m.kind === "st-header-length") {
      const o = bytes.slice();
      if (o.length >= 8) new DataView(o.buffer).setBigUint64(0, pick(INTERESTING_64, m.b), true);
      return o;
    }
    const parsed = splitHeader(bytes);
    if (parsed === undefined) return bytes.slice();
    const { header, data, n } = parsed;
    const names = [...header.keys()].filter((k) => k !== "__metadata__");
    const name = names.length > 0 ? pick(names, m.a) : undefined;
    const raw = name === undefined ? undefined : header.get(name);
    const entry = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
    switch (m.kind) {
      case "st-offset":
        if (entry && Array.isArray(entry["data_offsets"])) (entry["data_offsets"] as unknown[])[m.c % 2] = pick(OFFSETS, m.b);
        break;
      case "st-shape":
        if (entry) entry["shape"] = pick(SHAPES, m.b);
        break;
      case "st-dtype":
        if (entry) entry["dtype"] = pick(DTYPES, m.b);
        break;
      case "st-name":
        if (name !== undefined && entry !== undefined) {
          header.delete(name);
          header.set(pick(NAMES, m.b), entry);
        }
        break;
      case "st-metadata":
        header.set("__metadata__", pick([{ [pick(NAMES, m.c)]: "v" }, { k: 5 }, [], "x", null], m.b));
        break;
      default:
        throw new Error(`safetensors: unknown mutation ${m.kind}`);
    }
    // Written pair by pair so names like __proto__ survive as keys.
    const text = `{${[...header].map(([k, x]) => `${JSON.stringify(k)}:${JSON.stringify(x)}`).join(",")}}`;
    const enc = new TextEncoder().encode(text);
    const len = new Uint8Array(8);
    new DataView(len.buffer).setBigUint64(0, BigInt(m.c % 3 === 0 ? n : enc.length), true);
    return concat(len, enc, data);
  },
};

function splitHeader(bytes: Uint8Array): { header: Map<string, unknown>; data: Uint8Array; n: number } | undefined {
  if (bytes.length < 8) return undefined;
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + n > bytes.length) return undefined;
  try {
    const json = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as unknown;
    if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
    return { header: new Map(Object.entries(json)), data: bytes.subarray(8 + n), n };
  } catch {
    return undefined;
  }
}
