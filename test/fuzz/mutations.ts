/**
 * Byte-level mutations of a valid seed file, as plain data so fast-check can generate and shrink
 * them: an operation `kind` with three naturals `a`, `b`, `c` that each kind reads as positions,
 * lengths and values (taken modulo what fits the buffer). The generic kinds are the classic ones
 * of mutation fuzzers (AFL's havoc stage): bit flips, "interesting" bytes and words, truncation,
 * appended garbage, deleted, duplicated and spliced ranges. Formats add their own structural
 * kinds (header fields, ZIP fields, safetensors offsets) in formats.ts.
 */
import { concatBytes } from "../../src/io/bytes.js";

export const GENERIC_KINDS = [
  "flip-bit",
  "set-byte",
  "set-u16",
  "set-u32",
  "set-u64",
  "truncate",
  "append",
  "delete-range",
  "duplicate-range",
  "insert-byte",
] as const;
export type GenericKind = (typeof GENERIC_KINDS)[number];

export interface Mutation {
  readonly kind: string;
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

/** Values at the edges of signed and unsigned ranges (AFL's interesting_8/16/32), and a few of ours. */
export const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff, 0x20, 0x0a, 0x00, 0x22, 0x27, 0x5c, 0x7b, 0x7d] as const;
export const INTERESTING_32 = [
  0, 1, 2, 7, 8, 16, 32, 64, 100, 127, 128, 255, 256, 512, 1000, 1024, 4096, 32767, 32768, 65535, 65536,
  0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
] as const;
/** Sizes that overflow, or sit just past a 32- or 53-bit boundary, for 64-bit fields. */
export const INTERESTING_64: readonly bigint[] = [
  0n, 1n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0xffffffffffffffffn, 2n ** 53n, 2n ** 53n + 1n, 2n ** 40n,
];

export function pick<T>(xs: readonly T[], n: number): T {
  return xs[n % xs.length]!;
}

/** Apply one generic mutation; returns a new buffer (the seed is never changed). */
export function applyGeneric(bytes: Uint8Array, m: Mutation): Uint8Array {
  const n = bytes.length;
  const at = n === 0 ? 0 : m.a % n;
  const out = (): Uint8Array => bytes.slice();
  switch (m.kind as GenericKind) {
    case "flip-bit": {
      if (n === 0) return out();
      const o = out();
      o[at] = o[at]! ^ (1 << (m.b % 8));
      return o;
    }
    case "set-byte": {
      if (n === 0) return out();
      const o = out();
      o[at] = m.c % 2 === 0 ? pick(INTERESTING_8, m.b) : m.b & 0xff;
      return o;
    }
    case "set-u16":
    case "set-u32":
    case "set-u64": {
      const width = m.kind === "set-u16" ? 2 : m.kind === "set-u32" ? 4 : 8;
      if (n < width) return out();
      const o = out();
      const p = m.a % (n - width + 1);
      const view = new DataView(o.buffer, o.byteOffset, o.byteLength);
      const little = m.c % 2 === 0;
      if (width === 2) view.setUint16(p, pick(INTERESTING_32, m.b) & 0xffff, little);
      else if (width === 4) view.setUint32(p, pick(INTERESTING_32, m.b) >>> 0, little);
      else view.setBigUint64(p, pick(INTERESTING_64, m.b), little);
      return o;
    }
    case "truncate":
      return bytes.slice(0, n === 0 ? 0 : m.a % n);
    case "append": {
      const extra = new Uint8Array(1 + (m.b % 64));
      for (let i = 0; i < extra.length; i++) extra[i] = (m.c * 31 + i * 17) & 0xff;
      return concat(bytes, extra);
    }
    case "delete-range": {
      const len = 1 + (m.b % 32);
      return concat(bytes.subarray(0, at), bytes.subarray(Math.min(n, at + len)));
    }
    case "duplicate-range": {
      const len = 1 + (m.b % 64);
      const piece = bytes.subarray(at, Math.min(n, at + len));
      const to = n === 0 ? 0 : m.c % n;
      return concat(bytes.subarray(0, to), piece, bytes.subarray(to));
    }
    case "insert-byte": {
      const b = new Uint8Array([pick(INTERESTING_8, m.b)]);
      return concat(bytes.subarray(0, at), b, bytes.subarray(at));
    }
  }
  throw new Error(`unknown generic mutation ${m.kind}`);
}

/** The parts one after another (src/io/bytes.ts). */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}
