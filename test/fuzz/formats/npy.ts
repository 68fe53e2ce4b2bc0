/**
 * `.npy` under fuzzing: seeds from serializeNpy (every dtype, 0-D to 4-D, versions 1.0 and 2.0
 * headers) and the checked-in fixtures; structural mutations rewrite the header dict (descr,
 * shape, fortran_order values, control characters) and the header-length field.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseNpy, serializeNpy } from "../../../src/io/npy.js";
import { FIXTURES, IO_DATA } from "../../cli/helpers.js";
import { concat, INTERESTING_32, pick } from "../mutations.js";
import type { FuzzFormat } from "./format.js";

const DESCRS = ["'<f4'", "'>f8'", "'|f2'", "'=f2'", "'<i8'", "'<c16'", "'O'", "'<U10'", "''", "[('a', '<f4')]", "'<f4\n'", "'toString'", "5", "None"];
const SHAPES = [
  "(0,)", "()", "(-1, 3)", "(4294967296, 4294967296)", "(99999999999999999999,)", "(9007199254740991,)",
  "(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)",
  "((((((((((((((((((((((((((((((((((1,))))))))))))))))))))))))))))))))))", "(2, 'a')", "[2, 2]", "(65536, 65536, 65536)",
];
const FORTRAN = ["True", "False", "1", "None", "'False'"];
const KEYS = ["'__proto__'", "'toString'", "'constructor'", "'de\nscr'", "'descr'"];

export const npyFormat: FuzzFormat = {
  name: "npy",
  file: "fuzz.npy",
  seeds() {
    const v = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1) * 3);
    const made = [
      serializeNpy([2, 3, 3, 3], v(54), "float32"),
      serializeNpy([4, 2, 1, 3], v(24), "float16"),
      serializeNpy([3], v(3), "float64"),
      serializeNpy([], v(1), "float64"),
      serializeNpy([0, 3], v(0), "float32"),
    ];
    const files = [FIXTURES, IO_DATA].flatMap((d) =>
      readdirSync(d)
        .filter((f) => f.endsWith(".npy") && statSync(join(d, f)).size <= 8192)
        .map((f) => new Uint8Array(readFileSync(join(d, f)))),
    );
    // Fixtures that are valid .npy floats (the hostile fixtures are reached by mutation anyway).
    return [...made, ...files.filter((b) => parses(b))];
  },
  parse: (bytes, file) => parseNpy(bytes, file),
  kinds: ["npy-descr", "npy-shape", "npy-fortran", "npy-key", "npy-header-length", "npy-version"],
  mutate(bytes, m) {
    const head = splitHeader(bytes);
    if (head === undefined) return bytes.slice();
    const { major, text, data } = head;
    const sub = (re: RegExp, to: string): string => text.replace(re, to);
    switch (m.kind) {
      case "npy-descr":
        return build(major, sub(/'descr': *('[^']*'|\[[^\]]*\])/, `'descr': ${pick(DESCRS, m.b)}`), data, m.c);
      case "npy-shape":
        return build(major, sub(/'shape': *\([^)]*\)/, `'shape': ${pick(SHAPES, m.b)}`), data, m.c);
      case "npy-fortran":
        return build(major, sub(/'fortran_order': *\w+/, `'fortran_order': ${pick(FORTRAN, m.b)}`), data, m.c);
      case "npy-key":
        return build(major, sub(/'(descr|shape|fortran_order)'/, pick(KEYS, m.b)), data, m.c);
      case "npy-header-length": {
        const o = bytes.slice();
        const view = new DataView(o.buffer);
        if (major === 1) view.setUint16(8, pick(INTERESTING_32, m.b) & 0xffff, true);
        else view.setUint32(8, pick(INTERESTING_32, m.b) >>> 0, true);
        return o;
      }
      case "npy-version": {
        const o = bytes.slice();
        o[6] = [0, 1, 2, 3, 4, 255][m.b % 6]!;
        o[7] = m.c % 3 === 0 ? 1 : 0;
        return o;
      }
    }
    throw new Error(`npy: unknown mutation ${m.kind}`);
  },
};

function parses(bytes: Uint8Array): boolean {
  try {
    parseNpy(bytes, "seed.npy");
    return true;
  } catch {
    return false;
  }
}

function splitHeader(bytes: Uint8Array): { major: number; text: string; data: Uint8Array } | undefined {
  if (bytes.length < 12) return undefined;
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  const hlen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (start + hlen > bytes.length) return undefined;
  return { major, text: new TextDecoder("latin1").decode(bytes.subarray(start, start + hlen)), data: bytes.subarray(start + hlen) };
}

/** Preamble + `text` (length field right, or kept stale when `c` is odd) + data. */
function build(major: number, text: string, data: Uint8Array, c: number): Uint8Array {
  const enc = new Uint8Array([...text].map((ch) => ch.charCodeAt(0) & 0xff));
  const lenBytes = major === 1 ? 2 : 4;
  const pre = new Uint8Array(8 + lenBytes);
  pre.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(pre.buffer);
  const len = c % 2 === 0 ? enc.length : enc.length + 1;
  if (major === 1) view.setUint16(8, len & 0xffff, true);
  else view.setUint32(8, len, true);
  return concat(pre, enc, data);
}
