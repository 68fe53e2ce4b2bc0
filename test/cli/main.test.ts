/**
 * `main(argv, io)` in-process with a fake io: the quick checks, and the ones a child process
 * cannot make (a TTY stdout, to see that NO_COLOR is what turns colour off).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main, type CliIo } from "../../src/cli.js";
import { ANSI, BAD_FIXTURES, cleanup, copyIn, listDir, parseJson, tempDir } from "./helpers.js";

afterAll(cleanup);

interface FakeIo extends CliIo {
  out: string;
  err: string;
}

function fakeIo(env: NodeJS.ProcessEnv = {}, stdoutIsTTY = false): FakeIo {
  const io: FakeIo = {
    out: "",
    err: "",
    stdout: (t) => {
      io.out += t;
    },
    stderr: (t) => {
      io.err += t;
    },
    env,
    stdoutIsTTY,
  };
  return io;
}

describe("main(argv, io)", () => {
  it("--version: exit code 0, the version on io.stdout", async () => {
    const io = fakeIo();
    expect(await main(["--version"], io)).toBe(0);
    expect(io.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(io.err).toBe("");
  });

  it("--help: exit code 0, help on io.stdout", async () => {
    const io = fakeIo();
    expect(await main(["--help"], io)).toBe(0);
    expect(io.out).toMatch(/--filters/);
  });

  it("--json: one parseable document on io.stdout, outputs written", async () => {
    const dir = tempDir("main");
    const input = copyIn("random-4x4x3-v2.npy", dir);
    const io = fakeIo();
    expect(await main([input, "--filters", "2", "--max-iter", "2", "--json"], io)).toBe(0);
    expect(io.err).toBe("");
    const rep = parseJson(io.out);
    expect(rep["filters"]).toBe(2);
    expect(listDir(dir)).toEqual(["random-4x4x3-v2.f1.npy", "random-4x4x3-v2.f2.npy", "random-4x4x3-v2.npy"]);
  });

  it("a TTY gets colour; NO_COLOR turns it off even on a TTY; a non-TTY never gets it", async () => {
    const dir = tempDir("main");
    const input = copyIn("random-4x4x3-v2.npy", dir);
    const run = async (env: NodeJS.ProcessEnv, tty: boolean): Promise<string> => {
      const out = join(dir, `o${Math.random().toString(36).slice(2)}`);
      mkdirSync(out);
      const io = fakeIo(env, tty);
      expect(await main([input, "-f", "2", "--max-iter", "2", "--out-dir", out], io)).toBe(0);
      expect(io.out).toMatch(/residual/);
      return io.out;
    };
    expect(await run({}, true)).toMatch(ANSI);
    expect(await run({ NO_COLOR: "1" }, true)).not.toMatch(ANSI);
    expect(await run({}, false)).not.toMatch(ANSI);
  });

  it("a bad file: exit code 2, one line on io.stderr, nothing on io.stdout", async () => {
    const dir = tempDir("main");
    const input = copyIn(join(BAD_FIXTURES, "nan.npy"), dir);
    const io = fakeIo();
    expect(await main([input, "--filters", "2"], io)).toBe(2);
    expect(io.out).toBe("");
    expect(io.err).toMatch(/^decompose-filter: .*nan\.npy: .*non-finite.*\n$/);
    expect(io.err.split("\n").filter((l) => l !== "")).toHaveLength(1);
    expect(listDir(dir)).toEqual(["nan.npy"]);
  });

  it("a bad option: exit code 2, one line", async () => {
    const io = fakeIo();
    expect(await main(["x.npy", "--filters", "0"], io)).toBe(2);
    expect(io.out).toBe("");
    expect(io.err).toMatch(/^decompose-filter: .*--filters.*\n$/);
  });
});
