/**
 * Completion manifests (src/io/manifest.ts, src/io/output-sets.ts): the manifest lists the files
 * of its set with sizes and SHA-256 values that this test recomputes from the files on disk; it is
 * the last file moved into place; a re-run removes the old manifest before any file of its set is
 * replaced; verifyManifest reports missing and changed files.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DecomposeError } from "../../src/errors.js";
import { nodeFileOps, type FileOps } from "../../src/io/files.js";
import { MANIFEST_SCHEMA, parseManifest, verifyManifest } from "../../src/io/manifest.js";
import { writeOutputSets, type OutputSet } from "../../src/io/output-sets.js";
import { VERSION } from "../../src/version.js";

const root = mkdtempSync(join(tmpdir(), "decompose-filter-manifest-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => mkdtempSync(join(root, `d${n++}-`));
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const sha256 = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

/** The real operations, recording each call that changes a name in the directory. */
function recording(): { ops: FileOps; calls: string[] } {
  const calls: string[] = [];
  const ops: FileOps = {
    ...nodeFileOps,
    rename: (a, b) => (calls.push(`move ${basename(b)}`), nodeFileOps.rename(a, b)),
    link: (a, b) => (calls.push(`move ${basename(b)}`), nodeFileOps.link(a, b)),
    unlink: (p) => {
      nodeFileOps.unlink(p);
      if (!basename(p).startsWith(".")) calls.push(`remove ${basename(p)}`);
    },
    syncDirectory: (d) => (calls.push("sync"), nodeFileOps.syncDirectory?.(d)),
  };
  return { ops, calls };
}

function twoSets(dir: string, tag: string): OutputSet[] {
  return [
    { manifest: join(dir, "a.manifest.json"), files: [{ path: join(dir, "a.f1.npy"), bytes: bytes(`a1 ${tag}`) }, { path: join(dir, "a.f2.npy"), bytes: bytes(`a2 ${tag}!`) }] },
    { manifest: join(dir, "m.decomposed.npz.manifest.json"), files: [{ path: join(dir, "m.decomposed.npz"), bytes: bytes(`npz ${tag}`) }] },
  ];
}

interface ManifestJson {
  schema: string;
  tool: string;
  version: string;
  files: { name: string; bytes: number; sha256: string }[];
  report: { name: string; bytes: number; sha256: string } | null;
}
const readManifest = (path: string): ManifestJson => JSON.parse(readFileSync(path, "utf8")) as ManifestJson;

describe("writeOutputSets", () => {
  it("when sets and a report are written then each manifest lists its files and the report with their on-disk sizes and SHA-256", () => {
    const dir = freshDir();
    writeFileSync(join(dir, "keep"), "");
    writeOutputSets(twoSets(dir, "new"), { path: join(dir, "r.ndjson"), bytes: bytes("report\n") });
    const a = readManifest(join(dir, "a.manifest.json"));
    expect(a.schema).toBe(MANIFEST_SCHEMA);
    expect(a.schema).toBe("decompose-filter/manifest@1");
    expect(a).toMatchObject({ tool: "decompose-filter", version: VERSION });
    const entry = (name: string) => ({ name, bytes: statSync(join(dir, name)).size, sha256: sha256(join(dir, name)) });
    expect(a.files).toEqual([entry("a.f1.npy"), entry("a.f2.npy")]);
    expect(a.report).toEqual(entry("r.ndjson"));
    const m = readManifest(join(dir, "m.decomposed.npz.manifest.json"));
    expect(m.files).toEqual([entry("m.decomposed.npz")]);
    expect(m.report).toEqual(entry("r.ndjson"));
    expect(verifyManifest(join(dir, "a.manifest.json")).problems).toEqual([]);
  });

  it("when the report lives in another directory then the manifest names it relative to itself", () => {
    const dir = freshDir();
    const other = freshDir();
    writeOutputSets(twoSets(dir, "x").slice(0, 1), { path: join(other, "r.json"), bytes: bytes("{}\n") });
    const a = readManifest(join(dir, "a.manifest.json"));
    expect(a.report?.name).toBe(`../${basename(other)}/r.json`);
    expect(verifyManifest(join(dir, "a.manifest.json")).problems).toEqual([]);
  });

  it("when a set has no files then it gets no manifest", () => {
    const dir = freshDir();
    writeOutputSets([{ manifest: join(dir, "empty.manifest.json"), files: [] }, ...twoSets(dir, "x")], undefined);
    expect(() => statSync(join(dir, "empty.manifest.json"))).toThrow();
    expect(readManifest(join(dir, "a.manifest.json")).report).toBeNull();
  });

  it("when files are moved into place then the manifests come last, after the report and a directory sync", () => {
    const dir = freshDir();
    const { ops, calls } = recording();
    writeOutputSets(twoSets(dir, "x"), { path: join(dir, "r.json"), bytes: bytes("{}") }, {}, ops);
    const moves = calls.filter((c) => c !== "sync");
    expect(moves).toEqual(["move a.f1.npy", "move a.f2.npy", "move m.decomposed.npz", "move r.json", "move a.manifest.json", "move m.decomposed.npz.manifest.json"]);
    expect(calls.indexOf("sync")).toBe(4);
  });

  it("when a re-run replaces a set then its old manifest is removed before any file of the set is replaced", () => {
    const dir = freshDir();
    writeOutputSets(twoSets(dir, "old"), undefined);
    const { ops, calls } = recording();
    writeOutputSets(twoSets(dir, "new"), undefined, { force: true }, ops);
    const firstMove = calls.findIndex((c) => c.startsWith("move"));
    expect(calls.slice(0, firstMove)).toEqual(["remove a.manifest.json", "remove m.decomposed.npz.manifest.json"]);
    expect(readFileSync(join(dir, "a.f1.npy"), "utf8")).toBe("a1 new");
    expect(verifyManifest(join(dir, "a.manifest.json")).problems).toEqual([]);
    expect(readManifest(join(dir, "a.manifest.json")).files[0]!.sha256).toBe(sha256(join(dir, "a.f1.npy")));
  });

  it("when the re-run fails while writing its temporaries then the old set and its manifest are untouched", () => {
    const dir = freshDir();
    writeOutputSets(twoSets(dir, "old"), undefined);
    const before = readFileSync(join(dir, "a.manifest.json"));
    const failing: FileOps = {
      ...nodeFileOps,
      writeNew: (p, b) => {
        if (p.includes("m.decomposed.npz.")) throw Object.assign(new Error("full"), { code: "ENOSPC" });
        nodeFileOps.writeNew(p, b);
      },
    };
    const err = (() => {
      try {
        writeOutputSets(twoSets(dir, "new"), undefined, { force: true }, failing);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(DecomposeError);
    expect((err as DecomposeError).describe()).toBe(`${join(dir, "m.decomposed.npz")}: cannot write: no space left on device (ENOSPC)`);
    expect(readFileSync(join(dir, "a.manifest.json"))).toEqual(before);
    expect(verifyManifest(join(dir, "a.manifest.json")).problems).toEqual([]);
    expect(readFileSync(join(dir, "a.f1.npy"), "utf8")).toBe("a1 old");
  });

  it("when a move fails part-way then the old files are restored and the old manifest stays removed", () => {
    const dir = freshDir();
    writeOutputSets(twoSets(dir, "old"), undefined);
    let renames = 0;
    const failing: FileOps = {
      ...nodeFileOps,
      rename: (a, b) => {
        if (++renames === 2) throw Object.assign(new Error("io"), { code: "EIO" });
        nodeFileOps.rename(a, b);
      },
    };
    expect(() => writeOutputSets(twoSets(dir, "new"), undefined, { force: true }, failing)).toThrow(DecomposeError);
    expect(readFileSync(join(dir, "a.f1.npy"), "utf8")).toBe("a1 old");
    expect(() => statSync(join(dir, "a.manifest.json"))).toThrow();
  });

  it("when an old manifest exists without --force then the run is refused and nothing changes", () => {
    const dir = freshDir();
    writeFileSync(join(dir, "a.manifest.json"), "stale");
    expect(() => writeOutputSets(twoSets(dir, "new").slice(0, 1), undefined)).toThrow(/exists/);
    expect(readFileSync(join(dir, "a.manifest.json"), "utf8")).toBe("stale");
    expect(() => statSync(join(dir, "a.f1.npy"))).toThrow();
  });
});

describe("verifyManifest", () => {
  it("when a file is missing, shorter or changed then each is one problem naming it", () => {
    const dir = freshDir();
    writeOutputSets(twoSets(dir, "x"), { path: join(dir, "r.json"), bytes: bytes("{}") });
    unlinkSync(join(dir, "a.f1.npy"));
    writeFileSync(join(dir, "a.f2.npy"), "s");
    writeFileSync(join(dir, "r.json"), "[]");
    expect(verifyManifest(join(dir, "a.manifest.json")).problems).toEqual([
      "'a.f1.npy': missing",
      "'a.f2.npy': 1 bytes, the manifest says 5",
      "'r.json': SHA-256 differs from the manifest",
    ]);
  });

  it.each([
    ["not JSON", "{", "is not a JSON manifest"],
    ["another schema", '{"schema":"x"}', "schema is not decompose-filter/manifest@1"],
    ["a __proto__ schema", '{"__proto__":{"schema":"decompose-filter/manifest@1"}}', "schema is not decompose-filter/manifest@1"],
    ["a bad hash", `{"schema":"${MANIFEST_SCHEMA}","version":"1","files":[{"name":"a","bytes":1,"sha256":"zz"}],"report":null}`, "files[0].sha256 is not 64 lower-case hex digits"],
  ])("when the manifest is %s then it is one E_MANIFEST line", (_, text, message) => {
    let err: unknown;
    try {
      parseManifest(bytes(text), "x.manifest.json");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecomposeError);
    expect(err).toMatchObject({ code: "E_MANIFEST", message, file: "x.manifest.json" });
  });
});
