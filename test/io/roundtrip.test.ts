/** Property: `parseNpy(serializeNpy(x))` gives back `x` rounded to the dtype, for any shape. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { float16BitsToNumber, numberToFloat16Bits, parseNpy, serializeNpy, type NpyDtype } from "../../src/io/npy.js";

const round: Record<NpyDtype, (x: number) => number> = {
  float64: (x) => x,
  float32: Math.fround,
  float16: (x) => float16BitsToNumber(numberToFloat16Bits(x)),
};

const arrays = fc
  .record({
    shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 5 }),
    dtype: fc.constantFrom<NpyDtype>("float16", "float32", "float64"),
  })
  .chain(({ shape, dtype }) => {
    const n = shape.reduce((a, d) => a * d, 1);
    const limit = dtype === "float16" ? 65504 : dtype === "float32" ? 3.4e38 : Number.MAX_VALUE;
    return fc.record({
      shape: fc.constant(shape),
      dtype: fc.constant(dtype),
      values: fc.array(fc.double({ noNaN: true, min: -limit, max: limit }), { minLength: n, maxLength: n }),
    });
  });

describe("serializeNpy then parseNpy", () => {
  it("when any shape and dtype round-trips then shape, dtype and rounded values survive", () => {
    fc.assert(
      fc.property(arrays, ({ shape, dtype, values }) => {
        const data = Float64Array.from(values);
        const bytes = serializeNpy(shape, data, dtype);
        const back = parseNpy(bytes, "rt.npy");
        expect(back.shape).toEqual(shape);
        expect(back.dtype).toBe(dtype);
        expect(Array.from(back.data)).toEqual(values.map(round[dtype]));
        // writing what was read is byte-identical
        expect(serializeNpy(back.shape, back.data, dtype)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it("when a value overflows the dtype then it is written as Inf and the reader rejects it", () => {
    const bytes = serializeNpy([2], new Float64Array([1, 1e6]), "float16");
    expect(() => parseNpy(bytes, "o.npy")).toThrow("1 non-finite value (first Inf at [1])");
  });
});
