/**
 * Issue 9, item 7, with real signals: the built binary is paused between output files by the
 * test hook DECOMPOSE_FILTER_TEST_WRITE_PAUSE_MS and signalled while the first file is in place
 * and the second is not. SIGTERM must not cut the set (both files, no temporary, exit 143);
 * SIGKILL does (the README says so), and the next run into the directory removes its temporaries.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serializeNpy } from "../../src/io/npy.js";
import { BIN, cleanEnv, cleanup, cli, requireBuild, tempDir } from "../cli/helpers.js";
import { pseudoRandom } from "../batch/helpers.js";

beforeAll(requireBuild);
afterAll(cleanup);

const TEMP = /\.tmp$/;

async function signalDuringWrite(signal: NodeJS.Signals): Promise<{ dir: string; code: number | null; sig: NodeJS.Signals | null }> {
  const dir = tempDir("signal");
  writeFileSync(join(dir, "w.npy"), serializeNpy([4, 4, 3, 3], pseudoRandom(144, 5), "float32"));
  const child = spawn(process.execPath, [BIN, "w.npy", "-f", "2", "--max-iter", "3", "-q", "--report", "r.json"], {
    cwd: dir,
    env: cleanEnv({ DECOMPOSE_FILTER_TEST_WRITE_PAUSE_MS: "4000" }),
    stdio: "ignore",
  });
  const done = new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((res) => child.on("close", (code, sig) => res({ code, sig })));
  // Wait for the first file of the set to be in place (the pause follows it), then signal.
  const t0 = Date.now();
  while (!existsSync(join(dir, "w.f1.npy")) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
  expect(existsSync(join(dir, "w.f2.npy"))).toBe(false);
  child.kill(signal);
  return { dir, ...(await done) };
}

describe("interrupted writes", () => {
  it("when SIGTERM arrives between two files then the set completes, no temporary remains, exit 143", async () => {
    const { dir, code } = await signalDuringWrite("SIGTERM");
    expect(code).toBe(143);
    const files = readdirSync(dir);
    expect(files.filter((f) => TEMP.test(f))).toEqual([]);
    expect(files.sort()).toEqual(["r.json", "w.f1.npy", "w.f2.npy", "w.manifest.json", "w.npy"]);
  });

  it("when SIGKILL arrives between two files then the set is partial (no manifest, no report), and the next run removes the temporaries", async () => {
    const { dir, sig } = await signalDuringWrite("SIGKILL");
    expect(sig).toBe("SIGKILL");
    const files = readdirSync(dir);
    expect(files).toContain("w.f1.npy");
    expect(files).not.toContain("r.json");
    expect(files).not.toContain("w.manifest.json");
    expect(files.filter((f) => TEMP.test(f)).length).toBeGreaterThan(0);
    const r = cli(["w.npy", "-f", "2", "--max-iter", "3", "-q", "--force"], { cwd: dir });
    expect(r.status).toBe(0);
    expect(readdirSync(dir).filter((f) => TEMP.test(f))).toEqual([]);
  });
});
