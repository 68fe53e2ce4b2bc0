/**
 * The committed dumps of scripts/make-dump-fixtures.py (NumPy-written .npz, hand-packed
 * .safetensors, and hostile files): good ones load with the recorded names, shapes, dtypes and
 * sums; bad ones exit 2 with one line naming the file and write nothing.
 */
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { decodeArray, loadDump } from "../../src/batch/dump.js";
import { DecomposeError } from "../../src/errors.js";
import { cli, DATA, tempDir } from "./helpers.js";

type Expectation =
  | { arrays: Record<string, { shape: number[]; dtype: string; sum: number }> }
  | { code: string; message: string };
const expectations = JSON.parse(readFileSync(join(DATA, "expectations.json"), "utf8")) as { files: Record<string, Expectation> };
const noStdin = (): Uint8Array => new Uint8Array(0);

describe("dump fixtures", () => {
  for (const [name, e] of Object.entries(expectations.files)) {
    if ("arrays" in e) {
      it(`when ${name} is read then every array has the recorded name, shape and values`, () => {
        const d = loadDump(join(DATA, name), noStdin);
        expect(d.arrays.map((a) => a.name).sort()).toEqual(Object.keys(e.arrays).sort());
        for (const a of d.arrays) {
          const want = e.arrays[a.name]!;
          expect(a.shape).toEqual(want.shape);
          if (!a.float) continue;
          const sum = decodeArray(a, name).reduce((s, v) => s + v, 0);
          expect(sum).toBeCloseTo(want.sum, 4);
        }
      });
    } else {
      it(`when ${name} is read then it fails with ${e.code}`, () => {
        let err: unknown;
        try {
          loadDump(join(DATA, name), noStdin);
        } catch (x) {
          err = x;
        }
        expect(err).toBeInstanceOf(DecomposeError);
        expect((err as DecomposeError).code).toBe(e.code);
        expect((err as DecomposeError).message).toContain(e.message);
      });
    }
  }
});

describe("bad dumps on the command line", () => {
  let t: ReturnType<typeof tempDir> | undefined;
  afterEach(() => t?.remove());
  const bad = Object.entries(expectations.files).filter(([, e]) => "code" in e).map(([n]) => n);
  it.each(bad)("when %s is given with a good dump then exit 2, one line, nothing written", async (name) => {
    t = tempDir("df-bad-");
    copyFileSync(join(DATA, "net.npz"), join(t.dir, "good.npz"));
    copyFileSync(join(DATA, name), join(t.dir, name));
    const r = await cli([join(t.dir, "good.npz"), join(t.dir, name), "--filters", "2", "--max-iter", "2"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^decompose-filter: .*${name.replace(".", "\\.")}: `));
    expect(t.files()).toEqual(["good.npz", name].sort());
  });
});
