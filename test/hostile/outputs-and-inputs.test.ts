/**
 * Issue 9, items 3 and 4, through the built binary: bad output locations fail before any work
 * with one typed line naming the path (never a stack trace, never a hang), and inputs that are
 * not regular files or pipes are refused; a pipe is read only as far as its header declares.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, openSync, closeSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serializeNpy } from "../../src/io/npy.js";
import { serializeNpz } from "../../src/io/npz.js";
import { BIN, cleanEnv, cleanup, cli, requireBuild, STACK_LINE, tempDir } from "../cli/helpers.js";
import { pseudoRandom } from "../batch/helpers.js";

beforeAll(requireBuild);
afterAll(cleanup);

const isRoot = process.getuid?.() === 0;

function expectOneTypedLine(r: { status: number | null; stderr: string }, mentions: string): void {
  expect(r.status).toBe(2);
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(r.stderr.split("\n")).toHaveLength(2);
  expect(r.stderr).toContain(mentions);
}

describe("output locations", () => {
  const dir = tempDir("outdir");
  const parent = join(dir, "w.npy");
  const dump = join(dir, "d.npz");
  const afile = join(dir, "afile");
  beforeAll(() => {
    writeFileSync(parent, serializeNpy([4, 4, 3, 3], pseudoRandom(144, 1), "float32"));
    writeFileSync(dump, serializeNpz([{ name: "c.weight", npy: serializeNpy([4, 4, 3, 3], pseudoRandom(144, 2), "float32") }], false));
    writeFileSync(afile, "x");
  });
  // --max-iter 30000 would take minutes: a check that came after the work would time out the test.
  const slow = ["-f", "3", "--max-iter", "30000", "--tol", "0"];

  it.each([
    ["under an existing file", () => join(afile, "sub"), "afile"],
    ["an existing file (npy)", () => afile, "afile"],
    ["empty", () => "", "--out-dir is empty"],
    ["under /proc (must not spin)", () => "/proc/nonexist/sub", "/proc/nonexist"],
    ["under /sys", () => "/sys/nonexist", "/sys/nonexist"],
  ])("when --out-dir is %s then exit 2 before the work, one line naming it", (_w, out, mentions) => {
    const started = Date.now();
    const r = cli([parent, ...slow, "-o", out()], { cwd: dir });
    expectOneTypedLine(r, mentions);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("when a dump's --out-dir is an existing file then exit 2 before the work", () => {
    const r = cli([dump, ...slow, "-j", "1", "-o", afile], { cwd: dir });
    expectOneTypedLine(r, "afile");
  });

  it.skipIf(isRoot)("when --out-dir is not writable then exit 2 naming it", () => {
    const ro = join(dir, "ro");
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    const r = cli([parent, ...slow, "-o", join(ro, "sub")], { cwd: dir });
    expectOneTypedLine(r, "ro");
  });

  it("when --out-dir is missing several levels deep then they are created and the run succeeds", () => {
    const deep = join(dir, "a", "b", "c");
    const r = cli([parent, "-f", "2", "--max-iter", "3", "-q", "-o", deep], { cwd: dir });
    expect(r.status).toBe(0);
    expect(existsSync(join(deep, "w.f1.npy"))).toBe(true);
  });
});

describe("inputs that are not regular files", () => {
  it("when the input is /dev/zero then exit 2 at once: not a regular file or a pipe", () => {
    const started = Date.now();
    const r = cli(["/dev/zero", "-f", "2"]);
    expectOneTypedLine(r, "is a character device, not a regular file or a pipe");
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("when stdin is a directory then exit 2, one line", () => {
    const d = tempDir("stdin-dir");
    const fd = openSync(d, "r");
    try {
      const r = spawnSync(process.execPath, [BIN, "-", "-f", "2"], { stdio: [fd, "pipe", "pipe"], encoding: "utf8", env: cleanEnv(), timeout: 60_000 });
      expectOneTypedLine(r, "is a directory");
    } finally {
      closeSync(fd);
    }
  });

  it("when stdin is an endless pipe after a valid .npy then only the declared bytes are read (trailing data reported)", async () => {
    const npy = serializeNpy([4, 4, 3, 3], pseudoRandom(144, 3), "float32");
    const child = spawn(process.execPath, [BIN, "-", "-f", "2", "-j", "1", "-o", tempDir("pipe")], { env: cleanEnv(), stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.stdin.on("error", () => undefined); // the reader stops reading: EPIPE is expected
    child.stdin.write(npy);
    const junk = new Uint8Array(1 << 16);
    let stop = false;
    const pump = (): void => {
      while (!stop && child.stdin.write(junk)) { /* until the pipe is full */ }
      if (!stop) child.stdin.once("drain", pump);
    };
    pump();
    const code = await new Promise<number | null>((res) => child.on("close", (c) => res(c)));
    stop = true;
    expect(code).toBe(2);
    expect(stderr).toMatch(/^decompose-filter: -: data is \d+ bytes, header needs 576 .*trailing/);
  });
});
