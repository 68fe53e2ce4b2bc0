/**
 * binary16 conversion. Known values were taken from NumPy (`np.float16(x).view(np.uint16)`, which
 * converts straight from float64); the oracle for random values is a brute nearest search over all
 * 63,488 finite binary16 values with ties to the even bit pattern (IEEE 754-2019, 4.3.1).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { float16BitsToNumber, numberToFloat16Bits } from "../../src/io/npy.js";

const KNOWN: [number, number][] = [
  [1, 0x3c00],
  [-2, 0xc000],
  [65504, 0x7bff],
  [65519.99, 0x7bff],
  [65520, 0x7c00], // halfway to 2^16 rounds to even: Inf
  [-1e5, 0xfc00],
  [2 ** -24, 0x0001],
  [2 ** -25, 0x0000], // tie between 0 and the least subnormal: even is 0
  [2 ** -25 * 1.0000001, 0x0001],
  [3 * 2 ** -25, 0x0002], // tie between 1 and 2 ulps: even is 2
  [1 + 2 ** -11, 0x3c00], // tie: even mantissa
  [1 + 3 * 2 ** -11, 0x3c02],
  [0.1, 0x2e66],
  [1 / 3, 0x3555],
  [Math.PI, 0x4248],
  [2 ** -14, 0x0400], // least normal
  [2 ** -14 - 2 ** -25, 0x0400], // subnormal rounding up into the normals
  [2 ** -14 - 2 ** -24, 0x03ff], // greatest subnormal
  [1e-8, 0x0000],
  [-0, 0x8000],
  [0, 0x0000],
  [Infinity, 0x7c00],
  [-Infinity, 0xfc00],
];

describe("numberToFloat16Bits", () => {
  it.each(KNOWN)("when converting %d then bits are %i", (x, bits) => {
    expect(numberToFloat16Bits(x)).toBe(bits);
  });

  it("when converting NaN then the result is a NaN pattern", () => {
    expect(Number.isNaN(float16BitsToNumber(numberToFloat16Bits(NaN)))).toBe(true);
  });

  it("when every non-NaN bit pattern is decoded and encoded then it comes back", () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const x = float16BitsToNumber(bits);
      if (!Number.isNaN(x) && numberToFloat16Bits(x) !== bits) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
  });

  it("when given random doubles then it matches a brute-force nearest-even search", () => {
    // all non-negative finite halves, ascending with their bit patterns
    const halves = Array.from({ length: 0x7c00 }, (_, b) => float16BitsToNumber(b));
    const nearest = (a: number): number => {
      if (a >= 65520) return 0x7c00;
      let lo = 0;
      let hi = halves.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if ((halves[mid] ?? 0) <= a) lo = mid;
        else hi = mid;
      }
      const dl = a - (halves[lo] ?? 0);
      const dh = (halves[hi] ?? 0) - a;
      if (dl < dh) return lo;
      if (dh < dl) return hi;
      return lo % 2 === 0 ? lo : hi;
    };
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -70000, max: 70000 }), (x) => {
        const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
        expect(numberToFloat16Bits(x)).toBe(sign | nearest(Math.abs(x)));
      }),
      { numRuns: 20_000 },
    );
    // exact midpoints between neighbours, where double rounding would go wrong
    for (let b = 0; b < 0x7bff; b += 7) {
      const mid = ((halves[b] ?? 0) + (halves[b + 1] ?? 0)) / 2;
      expect(numberToFloat16Bits(mid)).toBe(b % 2 === 0 ? b : b + 1);
    }
  });
});

describe("float16BitsToNumber", () => {
  it("when decoding special patterns then it gives their IEEE values", () => {
    expect(float16BitsToNumber(0x7bff)).toBe(65504);
    expect(float16BitsToNumber(0x0001)).toBe(2 ** -24);
    expect(float16BitsToNumber(0x03ff)).toBe(1023 * 2 ** -24);
    expect(float16BitsToNumber(0x3555)).toBe(0.333251953125);
    expect(Object.is(float16BitsToNumber(0x8000), -0)).toBe(true);
    expect(float16BitsToNumber(0xfc00)).toBe(-Infinity);
    expect(float16BitsToNumber(0x7e00)).toBeNaN();
    expect(float16BitsToNumber(0xfc01)).toBeNaN();
  });
});
