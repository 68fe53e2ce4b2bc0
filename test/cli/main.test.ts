/**
 * `main(argv, io)` in-process with a fake io: the quick checks, and the ones a child process
 * cannot make (a TTY stdout, to see that NO_COLOR is what turns colour off).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main, type CliIo } from "../../src/cli.js";
import { ANSI, BAD_FIXTURES, cleanup, copyIn, IO_DATA, listDir, parseJson, STACK_LINE, tempDir } from "./helpers.js";

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
    expect(listDir(dir)).toEqual(["random-4x4x3-v2.f1.npy", "random-4x4x3-v2.f2.npy", "random-4x4x3-v2.manifest.json", "random-4x4x3-v2.npy"]);
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

/**
 * The npy reader's hostile set (test/io/data), through the CLI layer in-process (spawning the
 * binary ~30 more times would cost the suite ~10 s; fixtures/bad already goes through the binary).
 */
describe("main(argv, io) on the reader's hostile files", () => {
  interface Expected {
    code?: string;
    message?: string;
    shape?: number[];
  }
  const expectations = JSON.parse(readFileSync(join(IO_DATA, "expectations.json"), "utf8")) as { files: Record<string, Expected> };
  const rejected = Object.entries(expectations.files).filter(([, e]) => e.code !== undefined);
  // Readable arrays that are still no parent: not 4-D, or a zero-size axis.
  const notParents = Object.entries(expectations.files).filter(
    ([, e]) => e.code === undefined && e.shape !== undefined && (e.shape.length !== 4 || e.shape.includes(0)),
  );
  it("the hostile set is there", () => {
    expect(rejected.length).toBeGreaterThan(15);
    expect(notParents.length).toBeGreaterThan(3);
  });
  it.each([...rejected, ...notParents])("%s: exit 2, one line naming it, nothing written", async (file, e) => {
    const dir = tempDir("main");
    const input = copyIn(join(IO_DATA, file), dir);
    const io = fakeIo();
    expect(await main([input, "--filters", "2"], io)).toBe(2);
    expect(io.out).toBe("");
    const lines = io.err.split("\n").filter((l) => l !== "");
    expect(lines, io.err).toHaveLength(1);
    expect(lines[0]!.startsWith(`decompose-filter: ${input}: `), lines[0]).toBe(true);
    expect(io.err).not.toMatch(STACK_LINE);
    if (e.message !== undefined) expect(lines[0]).toContain(e.message);
    else expect(lines[0]).toMatch(e.shape!.length === 4 ? /zero-size axis/ : /expected 4-D/);
    expect(listDir(dir)).toEqual([file]);
  });
});
