/**
 * Issue 9: the completion manifest under SIGKILL. The built binary is stopped at every step of
 * its write phase in turn (a temporary written, the old manifests removed, a file moved into
 * place; src/io/write-test-hooks.ts) and killed there. At every kill point, every manifest in the
 * directory must name a complete set: each file present with the size and SHA-256 it records
 * (recomputed here). Three runs: a single layer into an empty directory, the same over an older
 * complete set (--force), and two dumps (.npz, .safetensors) over older sets (--force).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, cli, requireBuild, tempDir } from "../cli/helpers.js";
import { copyOf, DUMP_ARGS, independentlyVerify, killAtWriteStep, manifestsIn, SINGLE_ARGS, tempsIn, writeDumpInputs, writeSingleInputs } from "./write-phase.js";

beforeAll(requireBuild);
afterAll(cleanup);

type Outcome = "no manifest" | "old manifests, old sets" | "new manifests, new sets" | "mixed";

/** Kill at steps 1, 2, ... until a run no longer pauses; returns the outcome at each step. */
async function everyKillPoint(template: string, args: readonly string[], expectedManifests: readonly string[]): Promise<{ steps: string[]; outcomes: Outcome[] }> {
  const old = new Map(manifestsIn(template).map((m) => [m, readFileSync(join(template, m), "utf8")]));
  const steps: string[] = [];
  const outcomes: Outcome[] = [];
  for (let step = 1; step < 40; step++) {
    const dir = copyOf(template, "kill");
    const r = await killAtWriteStep(args, dir, step);
    const manifests = manifestsIn(dir);
    for (const m of manifests) expect(independentlyVerify(join(dir, m)), `step ${step} (${r.paused}): ${m}`).toEqual([]);
    if (r.paused === null) {
      expect(r.code, r.stderr).toBe(0);
      expect(manifests).toEqual([...expectedManifests].sort());
      expect(tempsIn(dir)).toEqual([]);
      return { steps, outcomes };
    }
    steps.push(r.paused);
    const kinds = manifests.map((m) => (old.get(m) === readFileSync(join(dir, m), "utf8") ? "old" : "new"));
    outcomes.push(manifests.length === 0 ? "no manifest" : kinds.every((k) => k === "old") ? "old manifests, old sets" : kinds.every((k) => k === "new") ? "new manifests, new sets" : "mixed");
  }
  throw new Error("the write phase never finished");
}

describe("SIGKILL at every write step", () => {
  it("when a single layer is written into an empty directory then a manifest, where present, vouches for a complete set", async () => {
    const template = tempDir("kill-template");
    writeSingleInputs(template);
    const { steps, outcomes } = await everyKillPoint(template, SINGLE_ARGS, ["w.manifest.json"]);
    // 5 temporaries (f1, f2, f2.bias, report, manifest), then 5 moves.
    expect(steps).toEqual([
      "w.f1.npy written to its temporary",
      "w.f2.npy written to its temporary",
      "w.f2.bias.npy written to its temporary",
      "r.json written to its temporary",
      "w.manifest.json written to its temporary",
      "w.f1.npy in place",
      "w.f2.npy in place",
      "w.f2.bias.npy in place",
      "r.json in place",
      "w.manifest.json in place",
    ]);
    expect(outcomes).toEqual([...Array<Outcome>(9).fill("no manifest"), "new manifests, new sets"]);
  });

  it("when a single layer replaces an older complete set (--force) then the old manifest goes first and no manifest ever names a mix", async () => {
    const template = tempDir("kill-template");
    writeSingleInputs(template);
    expect(cli([...SINGLE_ARGS, "--seed", "7"], { cwd: template }).status).toBe(0);
    const { steps, outcomes } = await everyKillPoint(template, [...SINGLE_ARGS, "--force"], ["w.manifest.json"]);
    expect(steps).toHaveLength(11);
    expect(steps[5]).toBe("1 old manifest(s) removed");
    expect(outcomes).toEqual([
      ...Array<Outcome>(5).fill("old manifests, old sets"),
      ...Array<Outcome>(5).fill("no manifest"),
      "new manifests, new sets",
    ]);
  });

  it("when two dumps replace older sets (--force) then each manifest, where present, vouches for its complete set", async () => {
    const template = tempDir("kill-template");
    writeDumpInputs(template);
    expect(cli([...DUMP_ARGS, "--seed", "7"], { cwd: template }).status).toBe(0);
    const manifests = ["m.decomposed.npz.manifest.json", "s.decomposed.safetensors.manifest.json"];
    expect(manifestsIn(template)).toEqual(manifests);
    const { steps, outcomes } = await everyKillPoint(template, [...DUMP_ARGS, "--force"], manifests);
    // 5 temporaries (npz, safetensors, report, 2 manifests), the removal, 5 moves.
    expect(steps).toHaveLength(11);
    expect(steps.slice(5)).toEqual([
      "2 old manifest(s) removed",
      "m.decomposed.npz in place",
      "s.decomposed.safetensors in place",
      "r.ndjson in place",
      "m.decomposed.npz.manifest.json in place",
      "s.decomposed.safetensors.manifest.json in place",
    ]);
    // After the first new manifest is in place, the second set has none yet: no manifest is stale.
    expect(outcomes).toEqual([
      ...Array<Outcome>(5).fill("old manifests, old sets"),
      ...Array<Outcome>(4).fill("no manifest"),
      "new manifests, new sets",
      "new manifests, new sets",
    ]);
  });
});
