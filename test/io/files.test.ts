/** Atomic writes: all outputs or none, never replacing without --force, never replacing an input. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DecomposeError } from "../../src/errors.js";
import { nodeFileOps, writeFileAtomic, writeFilesAtomic, type FileOps } from "../../src/io/files.js";
import { readNpy, writeNpy } from "../../src/io/npy.js";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const read = (p: string): string => readFileSync(p, "utf8");

function caught(f: () => unknown): DecomposeError {
  try {
    f();
  } catch (e) {
    if (e instanceof DecomposeError) return e;
    throw e;
  }
  throw new Error("expected a DecomposeError, nothing was thrown");
}

/** Real file operations, except that the `n`-th call (1-based) of `op` throws `code`. */
function failingOps(op: keyof FileOps, n: number, code = "ENOSPC"): FileOps {
  let calls = 0;
  const fail = (): void => {
    calls++;
    if (calls === n) throw Object.assign(new Error(`${code}: injected`), { code });
  };
  return {
    writeNew: (p, b) => (op === "writeNew" && fail(), nodeFileOps.writeNew(p, b)),
    rename: (a, b) => (op === "rename" && fail(), nodeFileOps.rename(a, b)),
    link: (a, b) => (op === "link" && fail(), nodeFileOps.link(a, b)),
    unlink: (p) => nodeFileOps.unlink(p),
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "atomic-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("writeFileAtomic", () => {
  it("when the target is new then it is written and no temporary remains", () => {
    writeFileAtomic(join(dir, "a.npy"), bytes("new"));
    expect(read(join(dir, "a.npy"))).toBe("new");
    expect(readdirSync(dir)).toEqual(["a.npy"]);
  });

  it("when the target exists without force then E_EXISTS and nothing changes", () => {
    const a = join(dir, "a.npy");
    writeFileSync(a, "old");
    const err = caught(() => writeFileAtomic(a, bytes("new")));
    expect(err.code).toBe("E_EXISTS");
    expect(err.file).toBe(a);
    expect(err.describe()).toBe(`${a}: exists (use --force to replace it)`);
    expect(read(a)).toBe("old");
    expect(readdirSync(dir)).toEqual(["a.npy"]);
  });

  it("when the target exists with force then it is replaced", () => {
    const a = join(dir, "a.npy");
    writeFileSync(a, "old");
    writeFileAtomic(a, bytes("new"), { force: true });
    expect(read(a)).toBe("new");
    expect(readdirSync(dir)).toEqual(["a.npy"]);
  });

  it("when the target is a protected input then even force refuses, through a symlink too", () => {
    const input = join(dir, "parent.npy");
    writeFileSync(input, "input");
    symlinkSync(input, join(dir, "link.npy"));
    for (const target of [input, join(dir, "link.npy"), join(dir, "sub", "..", "parent.npy")]) {
      mkdirSync(join(dir, "sub"), { recursive: true });
      const err = caught(() => writeFileAtomic(target, bytes("x"), { force: true, protect: [join(dir, ".", "parent.npy")] }));
      expect(err.code).toBe("E_EXISTS");
      expect(err.message).toContain("is an input file");
    }
    expect(read(input)).toBe("input");
  });

  it("when the directory does not exist then E_IO names it", () => {
    const err = caught(() => writeFileAtomic(join(dir, "nope", "a.npy"), bytes("x")));
    expect(err.code).toBe("E_IO");
    expect(err.message).toBe(`no such directory ${join(dir, "nope")}`);
  });

  it("when the target is a directory then E_IO even with force", () => {
    mkdirSync(join(dir, "d.npy"));
    expect(caught(() => writeFileAtomic(join(dir, "d.npy"), bytes("x"), { force: true })).message).toBe("is a directory");
  });

  it("when the target appears between check and commit then link refuses to clobber it", () => {
    const a = join(dir, "a.npy");
    const racing: FileOps = {
      ...nodeFileOps,
      link: (from, to) => {
        writeFileSync(to, "someone else");
        nodeFileOps.link(from, to);
      },
    };
    expect(caught(() => writeFileAtomic(a, bytes("mine"), {}, racing)).code).toBe("E_EXISTS");
    expect(read(a)).toBe("someone else");
    expect(readdirSync(dir)).toEqual(["a.npy"]);
  });

  it("when hard links are unsupported then it falls back to rename", () => {
    const noLinks = failingOps("link", 1, "EPERM");
    writeFileAtomic(join(dir, "a.npy"), bytes("x"), {}, noLinks);
    expect(readdirSync(dir)).toEqual(["a.npy"]);
  });
});

describe("writeFilesAtomic", () => {
  const three = (): { path: string; bytes: Uint8Array }[] =>
    ["f1.npy", "f2.npy", "f2.bias.npy"].map((n) => ({ path: join(dir, n), bytes: bytes(`new ${n}`) }));

  it("when all targets are new then all are written", () => {
    writeFilesAtomic(three());
    expect(readdirSync(dir).sort()).toEqual(["f1.npy", "f2.bias.npy", "f2.npy"]);
    expect(read(join(dir, "f2.npy"))).toBe("new f2.npy");
  });

  it("when the last target exists without force then none is written", () => {
    writeFileSync(join(dir, "f2.bias.npy"), "old");
    expect(caught(() => writeFilesAtomic(three())).file).toBe(join(dir, "f2.bias.npy"));
    expect(readdirSync(dir)).toEqual(["f2.bias.npy"]);
  });

  it("when the same target is given twice then it is refused before writing", () => {
    const files = [...three(), { path: join(dir, "x", "..", "f1.npy"), bytes: bytes("dup") }];
    mkdirSync(join(dir, "x"));
    expect(caught(() => writeFilesAtomic(files)).message).toBe("is given twice as an output");
    expect(readdirSync(dir)).toEqual(["x"]);
  });

  it("when writing the second temporary fails then no file and no temporary remains", () => {
    const err = caught(() => writeFilesAtomic(three(), {}, failingOps("writeNew", 2)));
    expect(err.code).toBe("E_IO");
    expect(err.message).toBe("cannot write: no space left on device (ENOSPC)");
    expect(err.file).toBe(join(dir, "f2.npy"));
    expect(readdirSync(dir)).toEqual([]);
  });

  it("when moving the third file fails without force then the first two are removed again", () => {
    const err = caught(() => writeFilesAtomic(three(), {}, failingOps("link", 3, "EIO")));
    expect(err.code).toBe("E_IO");
    expect(err.file).toBe(join(dir, "f2.bias.npy"));
    expect(readdirSync(dir)).toEqual([]);
  });

  it("when moving the third file fails with force then the replaced files get their old content back", () => {
    for (const f of three()) writeFileSync(f.path, `old ${f.path}`);
    const err = caught(() => writeFilesAtomic(three(), { force: true }, failingOps("rename", 3, "EIO")));
    expect(err.code).toBe("E_IO");
    for (const f of three()) expect(read(f.path)).toBe(`old ${f.path}`);
    expect(readdirSync(dir).sort()).toEqual(["f1.npy", "f2.bias.npy", "f2.npy"]);
  });

  it("when force replaces some and creates others then all have the new content and no backups remain", () => {
    writeFileSync(join(dir, "f2.npy"), "old");
    writeFilesAtomic(three(), { force: true });
    for (const f of three()) expect(read(f.path)).toBe(new TextDecoder().decode(f.bytes));
    expect(readdirSync(dir).sort()).toEqual(["f1.npy", "f2.bias.npy", "f2.npy"]);
  });
});

describe("writeNpy", () => {
  it("when the output exists then it refuses without force and replaces with force", () => {
    const p = join(dir, "w.npy");
    writeNpy(p, [1, 1, 1, 2], new Float64Array([1, 2]), "float32");
    expect(caught(() => writeNpy(p, [1], new Float64Array([3]), "float64")).code).toBe("E_EXISTS");
    expect(Array.from(readNpy(p).data)).toEqual([1, 2]);
    writeNpy(p, [1], new Float64Array([3]), "float64", { force: true });
    expect(readNpy(p)).toEqual({ shape: [1], data: new Float64Array([3]), dtype: "float64" });
    expect(existsSync(p)).toBe(true);
  });
});
