/**
 * `.npy` reading against files written by NumPy (scripts/make-npy-test-files.py writes them and
 * records the expected values or error in test/io/data/expectations.json), and the header format
 * of what `serializeNpy` writes.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DecomposeError } from "../../src/errors.js";
import {
  expectShape4,
  fortranToC,
  parseNpy,
  parsePyLiteral,
  readNpy,
  serializeNpy,
  writeNpy,
  type NpyArray,
} from "../../src/io/npy.js";

const DATA = join(dirname(fileURLToPath(import.meta.url)), "data");

interface GoodFile {
  shape: number[];
  dtype: string;
  values: number[];
}
interface BadFile {
  code: string;
  message: string;
}
const expectations = JSON.parse(readFileSync(join(DATA, "expectations.json"), "utf8")) as {
  files: Record<string, GoodFile | BadFile>;
};
const entries = Object.entries(expectations.files);
const good = entries.filter((e): e is [string, GoodFile] => "values" in e[1]);
const bad = entries.filter((e): e is [string, BadFile] => "code" in e[1]);

function caught(f: () => unknown): DecomposeError {
  try {
    f();
  } catch (e) {
    if (e instanceof DecomposeError) return e;
    throw e;
  }
  throw new Error("expected a DecomposeError, nothing was thrown");
}

describe("parseNpy on files written by NumPy", () => {
  it("has both kinds of fixture", () => {
    expect(good.length).toBeGreaterThanOrEqual(20);
    expect(bad.length).toBeGreaterThanOrEqual(20);
  });

  it.each(good)("when reading %s then shape, dtype and every value match NumPy", (name, want) => {
    const arr = readNpy(join(DATA, name));
    expect(arr.shape).toEqual(want.shape);
    expect(arr.dtype).toBe(want.dtype);
    expect(arr.data.length).toBe(want.values.length);
    // exact: every supported dtype widens to float64 without rounding
    expect(Array.from(arr.data)).toEqual(want.values);
  });

  it.each(bad)("when reading %s then it is rejected with the file name", (name, want) => {
    const path = join(DATA, name);
    const err = caught(() => readNpy(path));
    expect(err.code).toBe(want.code);
    expect(err.message).toContain(want.message);
    expect(err.file).toBe(path);
    expect(err.message).not.toContain("\n");
  });
});

describe("parseNpy messages", () => {
  const bytes = serializeNpy([2, 3], new Float64Array([1, 2, 3, 4, 5, 6]), "float64");

  it("when data is short then both lengths are named", () => {
    const err = caught(() => parseNpy(bytes.subarray(0, bytes.length - 8), "p.npy"));
    expect(err.code).toBe("E_NPY_LENGTH");
    expect(err.message).toMatch(/^data is 40 bytes, header needs 48 /);
    expect(err.describe()).toMatch(/^p\.npy: data is 40 bytes/);
  });

  it("when bytes trail the data then the count of trailing bytes is named", () => {
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expect(caught(() => parseNpy(longer, "p.npy")).message).toContain("data is 51 bytes, header needs 48 for float64 (2, 3) (3 trailing bytes)");
  });

  it("when the bytes sit at an odd offset of a larger buffer then they still parse", () => {
    const buf = new Uint8Array(bytes.length + 5);
    buf.set(bytes, 3);
    const arr = parseNpy(buf.subarray(3, 3 + bytes.length), "p.npy");
    expect(Array.from(arr.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("when a file does not exist then E_IO says so", () => {
    const err = caught(() => readNpy(join(DATA, "no-such.npy")));
    expect(err.code).toBe("E_IO");
    expect(err.message).toBe("no such file");
    expect(err.file).toBe(join(DATA, "no-such.npy"));
  });

  it("when the path is a directory then E_IO says so", () => {
    expect(caught(() => readNpy(DATA)).message).toContain("is a directory");
  });
});

describe("expectShape4", () => {
  const arr = (shape: number[]): NpyArray => ({
    shape,
    data: new Float64Array(shape.reduce((a, d) => a * d, 1)),
    dtype: "float32",
  });

  it("when 4-D with no zero axis then returns the four sizes", () => {
    expect(expectShape4(arr([4, 3, 5, 7]), "w.npy")).toEqual([4, 3, 5, 7]);
  });

  it.each([[[3, 4, 5]], [[5]], [[]], [[1, 2, 3, 3, 1]]])("when the shape is %j then E_SHAPE names the rank", (shape) => {
    const err = caught(() => expectShape4(arr(shape), "w.npy"));
    expect(err.code).toBe("E_SHAPE");
    expect(err.message).toContain(`is ${shape.length}-D, expected 4-D`);
    expect(err.file).toBe("w.npy");
  });

  it("when an axis is zero then E_SHAPE names the axis", () => {
    const err = caught(() => expectShape4(readNpy(join(DATA, "float64_zero_axis.npy")), "z.npy"));
    expect(err.message).toBe("shape (2, 0, 3, 3) has a zero-size axis (axis 1)");
  });
});

describe("fortranToC", () => {
  it("when compared with an explicit index formula then they agree", () => {
    const shape = [2, 3, 4];
    const f = Float64Array.from({ length: 24 }, (_, i) => i);
    const c = fortranToC(f, shape);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++)
        for (let k = 0; k < 4; k++) expect(c[(i * 3 + j) * 4 + k]).toBe(i + 2 * j + 6 * k);
  });

  it("when the shape is 1-D or 0-D then data is unchanged", () => {
    expect(Array.from(fortranToC(new Float64Array([1, 2, 3]), [3]))).toEqual([1, 2, 3]);
    expect(Array.from(fortranToC(new Float64Array([7]), []))).toEqual([7]);
  });
});

describe("parsePyLiteral", () => {
  it("when given numpy header forms then it parses them", () => {
    const d = parsePyLiteral("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }    \n");
    expect(d).toEqual({ entries: new Map<string, unknown>([["descr", "<f8"], ["fortran_order", false], ["shape", [2, 3]]]) });
    expect(parsePyLiteral("(5,)")).toEqual([5]);
    expect(parsePyLiteral("()")).toEqual([]);
    expect(parsePyLiteral("(2L, 3l)")).toEqual([2, 3]);
    expect(parsePyLiteral("[('a', '<f4'), ('b', '<i4', (2,))]")).toEqual([["a", "<f4"], ["b", "<i4", [2]]]);
  });

  it.each(["(".repeat(100_000), "{'a': 1", "{'a' 1}", "{1: 2}", "(1, 2", "'open", "1.5", "{} x", "", "(99999999999999999999,)"])(
    "when given %j then it throws SyntaxError",
    (text) => {
      expect(() => parsePyLiteral(text)).toThrow(SyntaxError);
    },
  );
});

describe("serializeNpy header", () => {
  it("when writing a small array then the header is format 1.0, 64-aligned, newline-terminated", () => {
    const bytes = serializeNpy([2, 3, 3, 3], new Float64Array(54), "float32");
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const hlen = bytes[8]! | (bytes[9]! << 8);
    expect((10 + hlen) % 64).toBe(0);
    expect(bytes[10 + hlen - 1]).toBe(0x0a);
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + hlen));
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3, 3, 3\), \} +\n$/);
    expect(bytes.length).toBe(10 + hlen + 54 * 4);
  });

  it("when the shape is 1-D or 0-D then it is written as numpy writes tuples", () => {
    const h = (shape: number[]) => new TextDecoder().decode(serializeNpy(shape, new Float64Array(shape.reduce((a, d) => a * d, 1)), "float64"));
    expect(h([5])).toContain("'shape': (5,), }");
    expect(h([])).toContain("'shape': (), }");
  });

  it("when the header does not fit format 1.0 then format 2.0 is used", () => {
    const shape = new Array<number>(25_000).fill(1);
    const bytes = serializeNpy(shape, new Float64Array([4.5]), "float64");
    expect(bytes[6]).toBe(2);
    const hlen = new DataView(bytes.buffer).getUint32(8, true);
    expect((12 + hlen) % 64).toBe(0);
    const back = parseNpy(bytes, "big-header.npy");
    expect(back.shape.length).toBe(25_000);
    expect(Array.from(back.data)).toEqual([4.5]);
  });

  it("when shape and data disagree then it throws (a caller bug, not a user error)", () => {
    expect(() => serializeNpy([2, 2], new Float64Array(3), "float64")).toThrow(RangeError);
  });
});

describe("readNpy of what writeNpy wrote", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "npy-test-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("when written and read back then values and dtype survive", () => {
    const path = join(dir, "w.npy");
    const data = Float64Array.from({ length: 24 }, (_, i) => i / 8 - 1);
    writeNpy(path, [2, 3, 2, 2], data, "float16");
    const back = readNpy(path);
    expect(back).toEqual({ shape: [2, 3, 2, 2], data, dtype: "float16" });
  });
});
