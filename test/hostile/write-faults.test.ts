/**
 * Issue 9: ENOSPC and EIO in the middle of the write phase, through the built binary. The test
 * hook DECOMPOSE_FILTER_TEST_WRITE_FAULT (src/io/write-test-hooks.ts) makes the k-th temporary
 * fail after some of its bytes (ENOSPC after 10 bytes) or at its fsync (EIO), for every output k
 * of a set in turn: the single-layer path (f1, f2, f2.bias, report, manifest) and the dump path
 * (.npz, .safetensors, report, two manifests). Every failure happens before the first move, so:
 * exit 2, one E_IO line naming the output and the errno, no temporary left, nothing of the new
 * set in place, and an older complete set is intact and still verified by its manifest.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, cleanup, cli, requireBuild, STACK_LINE, tempDir } from "../cli/helpers.js";
import { copyOf, DUMP_ARGS, independentlyVerify, manifestsIn, SINGLE_ARGS, tempsIn, writeDumpInputs, writeSingleInputs } from "./write-phase.js";

beforeAll(requireBuild);
afterAll(cleanup);

const SINGLE_OUTPUTS = ["w.f1.npy", "w.f2.npy", "w.f2.bias.npy", "r.json", "w.manifest.json"];
const DUMP_OUTPUTS = ["m.decomposed.npz", "s.decomposed.safetensors", "r.ndjson", "m.decomposed.npz.manifest.json", "s.decomposed.safetensors.manifest.json"];
const WORDS = { ENOSPC: "no space left on device", EIO: "input/output error" } as const;

function snapshot(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f)).toString("base64")]));
}

function failedRun(dir: string, args: readonly string[], fault: string): string {
  const r = cli(args, { cwd: dir, env: cleanEnv({ DECOMPOSE_FILTER_TEST_WRITE_FAULT: fault }) });
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).not.toMatch(STACK_LINE);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines, r.stderr).toHaveLength(1);
  expect(tempsIn(dir)).toEqual([]);
  return lines[0]!;
}

describe.each([
  ["single layer", writeSingleInputs, SINGLE_ARGS, SINGLE_OUTPUTS],
  ["two dumps", writeDumpInputs, DUMP_ARGS, DUMP_OUTPUTS],
] as const)("write faults: %s", (_, writeInputs, args, outputs) => {
  it.each(outputs.map((o, i) => [o, i + 1]))("when ENOSPC hits %s after 10 bytes over an older set then the old set and its manifest are intact", (output, k) => {
    const template = tempDir("fault-template");
    writeInputs(template);
    expect(cli([...args, "--seed", "7"], { cwd: template }).status).toBe(0);
    const before = snapshot(template);
    const dir = copyOf(template, "fault");
    const line = failedRun(dir, [...args, "--force"], `ENOSPC@${k}:10`);
    expect(line).toBe(`decompose-filter: ${output}: cannot write: ${WORDS.ENOSPC} (ENOSPC)`);
    expect(snapshot(dir)).toEqual(before);
    expect(manifestsIn(dir).length).toBeGreaterThan(0);
    for (const m of manifestsIn(dir)) expect(independentlyVerify(join(dir, m))).toEqual([]);
  });

  it.each(outputs.map((o, i) => [o, i + 1]))("when EIO hits the fsync of %s in an empty directory then nothing of the set is in place", (output, k) => {
    const dir = tempDir("fault");
    writeInputs(dir);
    const inputs = readdirSync(dir).sort();
    const line = failedRun(dir, args, `EIO@${k}:1000000000`);
    expect(line).toBe(`decompose-filter: ${output}: cannot write: ${WORDS.EIO} (EIO)`);
    expect(readdirSync(dir).sort()).toEqual(inputs);
  });
});
