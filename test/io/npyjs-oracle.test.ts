/**
 * npyjs (aplbrain/npyjs) as a second, independent reader: on the little-endian C-order files it
 * handles, its values must equal ours; and it must read what serializeNpy writes. Its known gaps
 * (big-endian, Fortran order returned raw, no length check) are exactly what src/io/npy.ts adds,
 * so those files are left to the NumPy-written expectations in npy.test.ts.
 */
import { readFileSync } from "node:fs";
import { parse as npyjsParse } from "npyjs";
import { describe, expect, it } from "vitest";
import { parseNpy, serializeNpy } from "../../src/io/npy.js";

const data = (f: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./data/${f}`, import.meta.url)));
const buffer = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

describe("npyjs agrees with parseNpy", () => {
  for (const f of ["float64_le.npy", "float32_le.npy", "float16_le.npy", "float64_3d.npy", "float64_1d.npy", "float64_v2.npy"]) {
    it(`on ${f}`, () => {
      const bytes = data(f);
      const ours = parseNpy(bytes, f);
      const theirs = npyjsParse(buffer(bytes));
      expect(theirs.fortranOrder).toBe(false);
      expect(theirs.shape).toEqual(ours.shape);
      expect(Array.from(theirs.data as Float64Array | Float32Array, Number)).toEqual(Array.from(ours.data));
    });
  }

  it("reads what serializeNpy writes, for every dtype", () => {
    const values = Float64Array.from([0, -0, 1.5, -2.25, 65504, 1e-3, 3.0e-5, -7.125]);
    for (const dtype of ["float16", "float32", "float64"] as const) {
      const bytes = serializeNpy([2, 1, 2, 2], values, dtype);
      const theirs = npyjsParse(buffer(bytes));
      const ours = parseNpy(bytes, "roundtrip.npy");
      expect(theirs.shape).toEqual([2, 1, 2, 2]);
      expect(Array.from(theirs.data as Float64Array | Float32Array, Number)).toEqual(Array.from(ours.data));
    }
  });
});
