/**
 * --jobs: layers split on worker threads give byte-identical files and the same records (times
 * aside) as a serial run, in input order. Runs the built CLI (dist/, `npm run build`) as a user
 * would, since worker threads load the compiled worker script; skipped with a notice without it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serializeNpy } from "../../src/io/npy.js";
import { serializeNpz } from "../../src/io/npz.js";
import { pseudoRandom, tempDir } from "./helpers.js";

const BIN = new URL("../../bin/decompose-filter.js", import.meta.url).pathname;
const WORKER = new URL("../../dist/batch/worker.js", import.meta.url).pathname;
const built = existsSync(WORKER);
if (!built) console.warn("test/batch/jobs.test.ts: dist/ not built (npm run build); skipping the --jobs checks");
const t = tempDir("df-jobs-");
afterAll(() => t.remove());

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Records without their times and thread counts (the only fields that may differ between runs). */
function records(stdout: string): unknown[] {
  return stdout
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l, (k, v: unknown) => (k === "time" || k === "seconds" || k === "threads" || k === "jobs" || k === "outputs" ? undefined : v)) as unknown);
}

describe.skipIf(!built)("--jobs", () => {
  it("when a dump is split with --jobs 1 and --jobs 3 then the archives are byte-identical and the records equal", () => {
    const shapes: [number, number, number, number][] = [[8, 4, 3, 3], [6, 8, 3, 3], [8, 6, 5, 5], [4, 8, 3, 3], [8, 1, 3, 3], [5, 4, 3, 1]];
    const members = shapes.map((s, i) => ({
      name: `l${i}.weight`,
      npy: serializeNpy(s, pseudoRandom(s.reduce((a, b) => a * b, 1), 10 + i), "float32"),
    }));
    const dump = join(t.dir, "d.npz");
    writeFileSync(dump, serializeNpz(members, false));
    const outs = ["serial", "parallel"].map((n) => join(t.dir, n));
    outs.forEach((o) => mkdirSync(o));
    const serial = run([dump, "-f", "0.5x", "--max-iter", "6", "--json", "-o", outs[0]!, "--jobs", "1"]);
    const parallel = run([dump, "-f", "0.5x", "--max-iter", "6", "--json", "-o", outs[1]!, "--jobs", "3"]);
    expect(serial.stderr + parallel.stderr).toBe("");
    expect([serial.code, parallel.code]).toEqual([0, 0]);
    const a = readFileSync(join(outs[0]!, "d.decomposed.npz"));
    const b = readFileSync(join(outs[1]!, "d.decomposed.npz"));
    expect(a.equals(b)).toBe(true);
    expect(records(parallel.stdout)).toEqual(records(serial.stdout));
    const last = JSON.parse(parallel.stdout.trimEnd().split("\n").pop()!) as { jobs: number; decomposed: number };
    expect(last).toMatchObject({ jobs: 3, decomposed: 6 });
  });
});
