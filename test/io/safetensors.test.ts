/**
 * .safetensors written byte by byte here (8-byte length, JSON header, raw data), read by
 * parseSafetensors; every lie a header can tell is rejected; bfloat16 rounding at its edges.
 */
import { describe, expect, it } from "vitest";
import { DecomposeError } from "../../src/errors.js";
import { bfloat16BitsToNumber, numberToBfloat16Bits } from "../../src/io/bf16.js";
import { decodeSafetensor, encodeFloats, parseSafetensors, serializeSafetensors } from "../../src/io/safetensors.js";

/** Build a file by hand: header object as given (no validation), data bytes appended. */
function handMade(header: unknown, data: readonly number[], pad = true): Uint8Array {
  let text = JSON.stringify(header);
  if (pad) while ((text.length % 8) !== 0) text += " ";
  const h = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function fails(bytes: Uint8Array): string {
  try {
    parseSafetensors(bytes, "m.safetensors");
  } catch (e) {
    if (e instanceof DecomposeError) return `${e.code}: ${e.message}`;
    throw e;
  }
  throw new Error("accepted a lying file");
}

// F32 little-endian 1.0, -2.0; F16 0.5 (0x3800); BF16 1.0 (0x3f80), -3.0 (0xc040); F64 0.25; I64 7.
const F32 = [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0];
const F16 = [0x00, 0x38];
const BF16 = [0x80, 0x3f, 0x40, 0xc0];
const F64 = [0, 0, 0, 0, 0, 0, 0xd0, 0x3f];
const I64 = [7, 0, 0, 0, 0, 0, 0, 0];
const good = {
  __metadata__: { format: "pt" },
  a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
  b: { dtype: "F16", shape: [1, 1], data_offsets: [8, 10] },
  c: { dtype: "BF16", shape: [2], data_offsets: [10, 14] },
  d: { dtype: "F64", shape: [], data_offsets: [14, 22] },
  e: { dtype: "I64", shape: [1], data_offsets: [22, 30] },
};
const data = [...F32, ...F16, ...BF16, ...F64, ...I64];

describe("parseSafetensors", () => {
  it("when a hand-made file holds F32, F16, BF16, F64 and I64 then floats decode exactly", () => {
    const st = parseSafetensors(handMade(good, data), "m.safetensors");
    expect(st.metadata).toEqual(new Map([["format", "pt"]]));
    const v = Object.fromEntries(st.tensors.map((t) => [t.name, t]));
    expect([...decodeSafetensor(v["a"]!, "m")]).toEqual([1, -2]);
    expect([...decodeSafetensor(v["b"]!, "m")]).toEqual([0.5]);
    expect([...decodeSafetensor(v["c"]!, "m")]).toEqual([1, -3]);
    expect([...decodeSafetensor(v["d"]!, "m")]).toEqual([0.25]);
    expect(v["e"]!.shape).toEqual([1]);
    expect(() => decodeSafetensor(v["e"]!, "m")).toThrow(/I64 is not F16, BF16, F32 or F64/);
  });
  it("when the header is not padded then it still parses", () => {
    expect(parseSafetensors(handMade(good, data, false), "m").tensors).toHaveLength(5);
  });
  const lie = (patch: Record<string, unknown>): Uint8Array => handMade({ ...good, ...patch }, data);
  it.each([
    ["an offset past the data", lie({ e: { dtype: "I64", shape: [2], data_offsets: [22, 38] } }), /need 38 data bytes/],
    ["overlapping tensors", lie({ b: { dtype: "F16", shape: [1], data_offsets: [6, 8] } }), /overlaps|belong to no tensor/],
    ["a hole", lie({ e: { dtype: "I32", shape: [1], data_offsets: [22, 26] } }), /4 bytes after the last tensor/],
    ["shape vs bytes", lie({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }), /F32 \(3,\) \(12 bytes\)/],
    ["dtype vs bytes", lie({ a: { dtype: "F64", shape: [2], data_offsets: [0, 8] } }), /span 8/],
    ["an unknown dtype", lie({ a: { dtype: "F128", shape: [2], data_offsets: [0, 8] } }), /unknown dtype "F128"/],
    ["begin > end", lie({ a: { dtype: "F32", shape: [0], data_offsets: [8, 0] } }), /0 <= begin <= end/],
    ["a negative dimension", lie({ a: { dtype: "F32", shape: [-2], data_offsets: [0, 8] } }), /non-negative integers/],
    ["extra keys", lie({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8], x: 1 } }), /expected dtype, shape, data_offsets/],
    ["metadata not strings", lie({ __metadata__: { n: 1 } }), /__metadata__ value for 'n'/],
  ])("when the header lies about %s then E_SAFETENSORS", (_what, bytes, re) => {
    const m = fails(bytes);
    expect(m).toMatch(/^E_SAFETENSORS: /);
    expect(m).toMatch(re);
  });
  it("when the length prefix or JSON is wrong then E_SAFETENSORS", () => {
    const f = handMade(good, data);
    new DataView(f.buffer).setUint32(0, 1 << 20, true);
    expect(fails(f)).toMatch(/runs past the end/);
    expect(fails(new Uint8Array(5))).toMatch(/need at least 8/);
    const notJson = handMade(good, data);
    const h = new DataView(notJson.buffer).getUint32(0, true);
    notJson.fill(0x20, 8 + h - 12, 8 + h); // cut the closing braces off the JSON
    expect(fails(notJson)).toMatch(/not valid JSON/);
    const arr = handMade([1, 2], []);
    expect(fails(arr)).toMatch(/not a JSON object/);
  });
});

describe("serializeSafetensors", () => {
  it("when tensors are written then they parse back with their bytes, data 8-aligned", () => {
    const t = [
      { name: "w", dtype: "BF16", shape: [3], bytes: encodeFloats(Float64Array.of(1, -0.5, 3.140625), "BF16") },
      { name: "x", dtype: "F16", shape: [1], bytes: encodeFloats(Float64Array.of(0.5), "F16") },
      { name: "y", dtype: "U8", shape: [2], bytes: new Uint8Array([9, 8]) },
    ];
    const bytes = serializeSafetensors(t, new Map([["note", "hi"]]));
    const n = new DataView(bytes.buffer).getUint32(0, true);
    expect(n % 8).toBe(0);
    const back = parseSafetensors(bytes, "o");
    expect(back.metadata).toEqual(new Map([["note", "hi"]]));
    expect(back.tensors.map((x) => [x.name, x.dtype, [...x.bytes]])).toEqual(t.map((x) => [x.name, x.dtype, [...x.bytes]]));
    expect([...decodeSafetensor(back.tensors[0]!, "o")]).toEqual([1, -0.5, 3.140625]);
  });
});

describe("bfloat16", () => {
  it.each([
    [1, 0x3f80],
    [-2, 0xc000],
    [0, 0x0000],
    [-0, 0x8000],
    [1 + 2 ** -8, 0x3f80], // halfway, ties to even (down)
    [1 + 3 * 2 ** -8, 0x3f82], // halfway, ties to even (up)
    [1 + 2 ** -8 + 2 ** -30, 0x3f81], // just above halfway: up (no double rounding through float32)
    [3.4e38, 0x7f80], // above the largest finite after rounding: Inf
    [2 ** -133, 0x0001], // smallest subnormal
    [2 ** -126, 0x0080], // smallest normal
    [Infinity, 0x7f80],
  ])("when %d is encoded then the bits are %i", (x, bits) => {
    expect(numberToBfloat16Bits(x)).toBe(bits);
  });
  it("when every finite pattern is decoded and re-encoded then the bits come back", () => {
    for (let b = 0; b < 0x10000; b++) {
      const v = bfloat16BitsToNumber(b);
      if (!Number.isFinite(v)) continue;
      expect(numberToBfloat16Bits(v)).toBe(b);
    }
    expect(Number.isNaN(bfloat16BitsToNumber(numberToBfloat16Bits(NaN)))).toBe(true);
  });
});
