/**
 * Every bad input issue 2 names, through the built binary: exit 2, exactly one stderr line
 * `decompose-filter: <file>: <what is wrong>`, no stack trace, nothing on stdout, and no file of
 * any kind left in the directory (no outputs, no partial outputs, no temporaries).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BAD_FIXTURES, cleanup, cli, copyIn, listDir, requireBuild, STACK_LINE, tempDir } from "./helpers.js";

beforeAll(requireBuild);
afterAll(cleanup);

/** Run `args` (with `{input}` standing for the input's name) on a copy of `src` named `name`. */
function runOnCopy(src: string, name: string, args: readonly string[], namesFile = true): { line: string; dir: string } {
  const dir = tempDir("bad");
  copyIn(src, dir, name);
  const r = cli([name, ...args], { cwd: dir });
  expect(r.status, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr.endsWith("\n"), JSON.stringify(r.stderr)).toBe(true);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines, r.stderr).toHaveLength(1);
  const line = lines[0]!;
  expect(line.startsWith("decompose-filter: "), line).toBe(true);
  if (namesFile) expect(line, "the error names the input file").toContain(name);
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(r.stderr).not.toMatch(/internal error|Error:|\bat file:/);
  expect(listDir(dir), "nothing written").toEqual([name]);
  return { line, dir };
}

describe("bad files (fixtures/bad)", () => {
  // [file, what the line must say]
  const cases: [string, RegExp][] = [
    ["not-npy.npy", /not a \.npy file/],
    ["bad-magic.npy", /not a \.npy file/],
    ["empty.npy", /not a \.npy file/],
    ["truncated.npy", /truncated|needs \d+/],
    ["trailing-bytes.npy", /trailing|needs \d+/],
    ["shape-3d.npy", /3-D, expected 4-D/],
    ["shape-5d.npy", /5-D, expected 4-D/],
    ["bias-only-1d.npy", /1-D, expected 4-D/],
    ["int32.npy", /int32.*not supported/],
    ["complex128.npy", /complex128.*not supported/],
    ["structured.npy", /structured dtype.*not supported/],
    ["zero-size.npy", /zero-size axis/],
    // Count and first index checked against numpy: np.argwhere(~np.isfinite(a))[0].
    ["nan.npy", /\b1 non-finite value\b.*first NaN at \[1, 0, 2, 1\]/],
    ["inf.npy", /\b2 non-finite values\b.*first Inf at \[0, 1, 0, 2\]/],
  ];
  it("covers every file in fixtures/bad", async () => {
    const { readdirSync } = await import("node:fs");
    expect(cases.map((c) => c[0]).sort()).toEqual(readdirSync(BAD_FIXTURES).filter((f) => f.endsWith(".npy")).sort());
  });
  it.each(cases)("%s", (file, says) => {
    const { line } = runOnCopy(join(BAD_FIXTURES, file), `parent-${file}`, ["--filters", "2"]);
    expect(line).toMatch(says);
  });
});

describe("bad options", () => {
  const good = "random-8x8x3.npy";
  const cases: [string, string[], RegExp][] = [
    ["--filters 0", ["--filters", "0"], /--filters/],
    ["--filters -3", ["--filters", "-3"], /--filters/],
    ["--filters 1.5", ["--filters", "1.5"], /--filters/],
    ["--filters abc", ["--filters", "abc"], /--filters/],
    ["--filters ''", ["--filters", ""], /--filters/],
    // k1 + k2 - 1 - k odd: the message says which sizes would work.
    ["--k1 2 (odd difference)", ["--filters", "2", "--k1", "2"], /k1.*k2.*k2 could be 2, 4, 6/],
    ["--k1 1 --k2 1 (too small)", ["--filters", "2", "--k1", "1", "--k2", "1"], /smaller than the parent's 3.*k2 could be 3, 5, 7/],
    ["--k2 4", ["--filters", "2", "--k2", "4"], /k1 = 3, k2 could be/],
    ["--k1 0", ["--filters", "2", "--k1", "0"], /--k1/],
    ["--k1 3x", ["--filters", "2", "--k1", "3x"], /--k1/],
    ["--method foo", ["--filters", "2", "--method", "foo"], /--method.*structured.*projected.*seed/],
    ["--dtype int8", ["--filters", "2", "--dtype", "int8"], /--dtype/],
    ["--lambda -1", ["--filters", "2", "--lambda", "-1"], /--lambda/],
    ["--max-iter 0", ["--filters", "2", "--max-iter", "0"], /--max-iter/],
    ["--seed -1", ["--filters", "2", "--seed", "-1"], /--seed/],
    ["--min-gain 1", ["--filters", "2", "--min-gain", "1"], /--min-gain must be below 1/],
    ["--min-gain -1e-3", ["--filters", "2", "--min-gain", "-1e-3"], /--min-gain/],
    ["--max-residual x", ["--filters", "2", "--max-residual", "x"], /--max-residual/],
  ];
  const lines = new Map<string, string>();
  it.each(cases)("%s", (label, args, says) => {
    // The file name is checked once for all of them below, so one missing name is one failure.
    const { line } = runOnCopy("random-8x8x3.npy", good, args, false);
    expect(line).toMatch(says);
    lines.set(label, line);
  });
  it("every option error names the input file too (`decompose-filter: <file>: --filters ...`)", () => {
    expect(lines.size).toBe(cases.length);
    const unnamed = [...lines].filter(([, line]) => !line.includes(good)).map(([label, line]) => `${label}: ${line}`);
    expect(unnamed.join("\n"), "these option errors do not say which input they are about").toBe("");
  });

  it("a parent with kh != kw is accepted when each axis fits (--k1 3x5 --k2 1)", () => {
    const dir = tempDir("bad");
    copyIn("rect-4x6x3x5.npy", dir);
    const r = cli(["rect-4x6x3x5.npy", "-f", "2", "--k1", "3x5", "--k2", "1", "--max-iter", "2", "--quiet"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
  });

  it("a parent with kh != kw: a size that fits one axis only is refused", () => {
    const { line } = runOnCopy("rect-4x6x3x5.npy", "rect.npy", ["--filters", "2", "--k1", "2", "--k2", "2"]);
    expect(line).toMatch(/width/);
  });
});

describe("missing and unreadable inputs, command-line misuse", () => {
  it("a missing file: exit 2, one line naming it", () => {
    const dir = tempDir("bad");
    const r = cli(["nowhere.npy", "--filters", "2"], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^decompose-filter: .*nowhere\.npy/);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(listDir(dir)).toEqual([]);
  });

  it("a directory as the input: exit 2, one line", () => {
    const dir = tempDir("bad");
    const r = cli([dir, "--filters", "2"]);
    expect(r.status).toBe(2);
    expect(r.stderr.split("\n").filter((l) => l !== "")).toHaveLength(1);
    expect(r.stderr).toMatch(/^decompose-filter: /);
    expect(listDir(dir)).toEqual([]);
  });

  it("a .txt file that is not a .npy: exit 2, nothing written", () => {
    const { line } = runOnCopy(join(BAD_FIXTURES, "not-npy.npy"), "weights.txt", ["--filters", "2"]);
    expect(line).toMatch(/not a \.npy file/);
  });

  it.each([
    ["no --filters", ["random-8x8x3.npy"]],
    ["no input", ["--filters", "2"]],
    ["an unknown option", ["random-8x8x3.npy", "--filters", "2", "--bogus"]],
  ])("%s: exit 2, one line, no stack", (_label, args) => {
    const dir = tempDir("bad");
    copyIn("random-8x8x3.npy", dir);
    const r = cli(args, { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^decompose-filter: /);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(listDir(dir)).toEqual(["random-8x8x3.npy"]);
  });
});
