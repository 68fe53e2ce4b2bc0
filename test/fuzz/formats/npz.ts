/**
 * `.npz` under fuzzing: seeds from serializeNpz (stored and deflated, float and int64 members)
 * and numpy-written archives (ZIP64 included); structural mutations set one field of one ZIP
 * record (local header, central directory entry, end record, ZIP64 end record and locator) to an
 * interesting value: sizes, offsets, counts, name and extra lengths, method, flags.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serializeNpy } from "../../../src/io/npy.js";
import { decodeNpzArray, parseNpz, serializeInt64Npy, serializeNpz } from "../../../src/io/npz.js";
import { ROOT } from "../../cli/helpers.js";
import { INTERESTING_32, INTERESTING_64, pick } from "../mutations.js";
import type { FuzzFormat } from "./format.js";

/** [signature, [offset, width] of each field worth lying about]. */
const RECORDS: readonly (readonly [number, readonly (readonly [number, 2 | 4 | 8])[]])[] = [
  [0x04034b50, [[6, 2], [8, 2], [14, 4], [18, 4], [22, 4], [26, 2], [28, 2]]],
  [0x02014b50, [[8, 2], [10, 2], [16, 4], [20, 4], [24, 4], [28, 2], [30, 2], [32, 2], [42, 4]]],
  [0x06054b50, [[8, 2], [10, 2], [12, 4], [16, 4], [20, 2]]],
  [0x06064b50, [[24, 8], [32, 8], [40, 8], [48, 8]]],
  [0x07064b50, [[8, 8], [16, 4]]],
];

export const npzFormat: FuzzFormat = {
  name: "npz",
  file: "fuzz.npz",
  seeds() {
    const v = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => Math.cos(i) * 2);
    const members = [
      { name: "conv.weight", npy: serializeNpy([2, 2, 3, 3], v(36), "float32") },
      { name: "conv.bias", npy: serializeNpy([2], v(2), "float64") },
      { name: "bn.num_batches_tracked", npy: serializeInt64Npy([7]) },
      { name: "dw.weight", npy: serializeNpy([2, 1, 3, 3], v(18), "float16") },
    ];
    const data = join(ROOT, "test", "batch", "data");
    return [
      serializeNpz(members, false),
      serializeNpz(members, true),
      serializeNpz(members.slice(0, 1), false),
      ...["net.npz", "net_compressed.npz", "zip64.npz"].map((f) => new Uint8Array(readFileSync(join(data, f)))),
    ];
  },
  parse(bytes, file) {
    const arrays = parseNpz(bytes, file);
    return arrays.map((a) => (a.float === null ? a.npy.length : decodeNpzArray(a, file).length));
  },
  kinds: ["zip-field", "zip-name"],
  mutate(bytes, m) {
    const o = bytes.slice();
    const view = new DataView(o.buffer);
    const found: { at: number; fields: readonly (readonly [number, 2 | 4 | 8])[] }[] = [];
    for (let q = 0; q + 4 <= o.length; q++) {
      const sig = view.getUint32(q, true);
      const r = RECORDS.find(([s]) => s === sig);
      if (r) found.push({ at: q, fields: r[1] });
    }
    if (found.length === 0) return o;
    const rec = pick(found, m.a);
    if (m.kind === "zip-name") {
      // Overwrite the first byte of a member name with a control or quote character.
      const nameAt = rec.fields.length === 9 ? rec.at + 46 : rec.fields.length === 7 ? rec.at + 30 : -1;
      if (nameAt >= 0 && nameAt < o.length) o[nameAt] = [0x0a, 0x00, 0x1b, 0x27, 0x5c, 0xff][m.b % 6]!;
      return o;
    }
    const [off, width] = pick(rec.fields, m.b);
    const p = rec.at + off;
    if (p + width > o.length) return o;
    if (width === 2) view.setUint16(p, pick(INTERESTING_32, m.c) & 0xffff, true);
    else if (width === 4) view.setUint32(p, pick(INTERESTING_32, m.c) >>> 0, true);
    else view.setBigUint64(p, pick(INTERESTING_64, m.c), true);
    return o;
  },
};

