/**
 * Issue 9, item 2: control characters from a file never reach stderr raw, and a huge header does
 * not become a huge line. Each hostile file is built in the test; the run must exit 2 with
 * exactly one stderr line that holds the escaped text and stays short.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serializeNpy } from "../../src/io/npy.js";
import { writeZip } from "../../src/io/zip.js";
import { cli, pseudoRandom, tempDir } from "../batch/helpers.js";

const t = tempDir("decompose-filter-escape-");
afterAll(() => t.remove());

/** A `.npy` whose header text is `header` (format 2.0, so any length fits), then `data`. */
function npyWithHeader(header: string, data: Uint8Array): Uint8Array {
  const text = new Uint8Array([...header].map((c) => c.charCodeAt(0) & 0xff));
  const out = new Uint8Array(12 + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
  new DataView(out.buffer).setUint32(8, text.length, true);
  out.set(text, 12);
  out.set(data, 12 + text.length);
  return out;
}

function safetensorsWithHeader(header: string, data = new Uint8Array(0)): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

const data = new Uint8Array(new Float32Array(pseudoRandom(4 * 4 * 9, 1)).buffer);
const shape = "'shape': (4, 4, 3, 3), }";

const CASES: readonly { what: string; file: string; bytes: () => Uint8Array; shows: string }[] = [
  { what: "a newline in an .npy header key", file: "key.npy", bytes: () => npyWithHeader(`{'de\nscr': '<f4', 'fortran_order': False, ${shape}`, data), shows: "'de\\nscr'" },
  { what: "a newline in an .npy header value", file: "value.npy", bytes: () => npyWithHeader(`{'descr': '<f\n4', 'fortran_order': False, ${shape}`, data), shows: "'<f\\n4'" },
  { what: "an escape character in an .npy header", file: "esc.npy", bytes: () => npyWithHeader(`{'descr': '<f4', 'fortran_order': \u001b[31m, ${shape}`, data), shows: "\\x1b" },
  { what: "a newline in an .npz member name", file: "member.npz", bytes: () => writeZip([{ name: "bad\nname.txt", data: new Uint8Array(3), method: 0 }]), shows: "'bad\\nname.txt'" },
  { what: "a newline in a safetensors tensor name", file: "name.safetensors", bytes: () => safetensorsWithHeader('{"a\\nb":{"dtype":"X9","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4)), shows: "'a\\nb'" },
  { what: "newlines in a safetensors header that is not JSON", file: "json.safetensors", bytes: () => safetensorsWithHeader('{"a": \n\n nope}'), shows: "\\n\\n nope" },
];

describe("control characters in messages", () => {
  it.each(CASES.map((c) => [c.what, c] as const))("when %s then one escaped stderr line, exit 2", async (_w, c) => {
    const path = join(t.dir, c.file);
    writeFileSync(path, c.bytes());
    const r = await cli([path, "-f", "2", "-o", t.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.endsWith("\n")).toBe(true);
    expect(r.stderr.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(r.stderr).toContain(c.shows);
  });

  it("when the file name holds a newline then the line names it escaped", async () => {
    const path = join(t.dir, "bad\nname.npy");
    writeFileSync(path, serializeNpy([3], new Float64Array(3), "float32"));
    const r = await cli([path, "-f", "2", "-o", t.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect(r.stderr).toContain("bad\\nname.npy: shape (3,) is 1-D");
  });

  it("when an .npy header is 3 MB then the error line is short and says how long the value was", async () => {
    const path = join(t.dir, "big.npy");
    writeFileSync(path, npyWithHeader(`{'descr': '${"x".repeat(3_000_000)}', 'fortran_order': False, ${shape}`, data));
    const r = await cli([path, "-f", "2", "-o", t.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeLessThan(400);
    expect(r.stderr).toContain("(3000000 characters)");
  });
});
