/**
 * zip.ts and npz.ts on their own: the CRC-32 check value, write -> read round trips (stored and
 * deflated), and the damage readZip must notice.
 */
import { describe, expect, it } from "vitest";
import { DecomposeError } from "../../src/errors.js";
import { serializeNpy } from "../../src/io/npy.js";
import { decodeNpzArray, parseNpz, serializeInt64Npy, serializeNpz } from "../../src/io/npz.js";
import { crc32, readZip, writeZip } from "../../src/io/zip.js";

const enc = new TextEncoder();

function zipError(bytes: Uint8Array): DecomposeError {
  try {
    readZip(bytes, "x.npz");
  } catch (e) {
    if (e instanceof DecomposeError) return e;
    throw e;
  }
  throw new Error("readZip accepted a bad archive");
}

describe("crc32", () => {
  it("when given the standard check input then it gives the standard check value", () => {
    expect(crc32(enc.encode("123456789"))).toBe(0xcbf43926); // CRC-32/ISO-HDLC check value
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe("writeZip -> readZip", () => {
  const members = [
    { name: "a.npy", data: enc.encode("hello ".repeat(100)), method: 0 as const },
    { name: "0", data: new Uint8Array([1, 2, 3]), method: 8 as const },
    { name: "ünï.npy", data: new Uint8Array(0), method: 8 as const },
  ];
  it("when members are written then they read back in order with their data and method", () => {
    const back = readZip(writeZip(members), "t.zip");
    expect(back.map((m) => m.name)).toEqual(members.map((m) => m.name));
    back.forEach((m, i) => {
      expect([...m.data]).toEqual([...members[i]!.data]);
      expect(m.method).toBe(members[i]!.method);
    });
  });
  it("when the same members are written twice then the bytes are equal (fixed timestamps)", () => {
    expect(Buffer.from(writeZip(members)).equals(Buffer.from(writeZip(members)))).toBe(true);
  });
  it("when a stored byte is flipped then the CRC check fails", () => {
    const z = writeZip(members);
    z[40] = z[40]! ^ 0xff;
    expect(zipError(z).message).toContain("CRC-32");
  });
  it("when the archive is cut then the end record is missing", () => {
    const z = writeZip(members);
    expect(zipError(z.subarray(0, z.length - 30)).message).toMatch(/end-of-central-directory|truncated/);
    expect(zipError(z.subarray(0, 10)).message).toContain("truncated");
  });
  it("when the bytes are not a zip then it says so", () => {
    expect(zipError(enc.encode("plain text that is long enough to scan")).message).toContain("not a zip archive");
    expect(zipError(new Uint8Array(0)).code).toBe("E_ZIP");
  });
  it("when the directory points outside the file then it fails", () => {
    const z = writeZip(members);
    new DataView(z.buffer).setUint32(z.length - 6, 0x7fffffff, true); // central directory offset
    expect(zipError(z).message).toContain("lies outside");
  });
});

describe("parseNpz", () => {
  const w = Float64Array.from({ length: 24 }, (_, i) => i / 7 - 1);
  const file = serializeNpz(
    [
      { name: "conv.weight", npy: serializeNpy([2, 3, 2, 2], w, "float32") },
      { name: "count", npy: serializeInt64Npy([5, 6]) },
    ],
    true,
  );
  it("when an archive holds float and int members then floats decode and ints stay raw", () => {
    const [a, b] = parseNpz(file, "t.npz");
    expect(a!.name).toBe("conv.weight");
    expect(a!.float).toBe("float32");
    expect(a!.compressed).toBe(true);
    expect([...decodeNpzArray(a!, "t.npz")]).toEqual([...w].map(Math.fround));
    expect(b!.float).toBeNull();
    expect(b!.descr).toBe("<i8");
    expect(b!.shape).toEqual([2]);
    expect(() => decodeNpzArray(b!, "t.npz")).toThrow(/not float16, float32 or float64/);
  });
  it("when a member is not NAME.npy then the archive is rejected naming it", () => {
    const z = writeZip([{ name: "notes.txt", data: enc.encode("x"), method: 0 }]);
    expect(() => parseNpz(z, "t.npz")).toThrow(/member 'notes.txt' is not a .npy array/);
  });
  it("when a member's .npy is damaged then the error names the member", () => {
    const npy = serializeNpy([4], new Float64Array(4), "float64");
    const z = writeZip([{ name: "b.npy", data: npy.subarray(0, npy.length - 8), method: 0 }]);
    expect(() => parseNpz(z, "t.npz")).toThrow(/member b.npy: data is 24 bytes/);
    const z2 = writeZip([{ name: "c.npy", data: enc.encode("garbage"), method: 0 }]);
    expect(() => parseNpz(z2, "t.npz")).toThrow(/member c.npy: not a .npy file/);
  });
});
