/**
 * `--budget` end to end on the real trained layers (fixtures/README.md): the plan lines, the
 * budget they use, the split weights written, the bad-input lines, and the claim the feature
 * exists for: at the same total parameters the plan's total residual is below the uniform ratio's
 * (every layer at the same `--filters` ratio with the default geometry), measured by running both.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseNpy } from "../../src/io/npy.js";
import { fixturePath } from "../helpers/fixtures.js";
import { cli, tempDir } from "../batch/helpers.js";

const LAYERS = ["facerec-conv32-1-conv1.npy", "facerec-conv64-1-conv1.npy", "facerec-conv64-down-conv1.npy", "facerec-conv32-down.npy"].map(fixturePath);
const out = tempDir("budget-cli-");
afterAll(() => out.remove());

interface Line {
  type: string;
  [k: string]: unknown;
}
const lines = (s: string): Line[] => s.trim().split("\n").map((l) => JSON.parse(l) as Line);

describe("--budget", () => {
  it("when planning the real layers at half their weights then the plan fits, is written, and beats the uniform ratio", async () => {
    const r = await cli([...LAYERS, "--budget", "0.5", "--json", "-o", join(out.dir, "plan"), "-j", "1", "--max-iter", "15"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const ls = lines(r.stdout);
    const plan = ls.filter((l) => l.type === "plan") as unknown as { name: string; m: number | null; geometry: string; params: { parent: number; children: number }; k1: { h: number; w: number } | null }[];
    const ps = ls.find((l) => l.type === "plan-summary") as unknown as { params: { parent: number; planned: number }; cost: { ratio: number }; solverRuns: number };
    const summary = ls.find((l) => l.type === "summary") as unknown as { residual: { rel: number } };
    expect(plan).toHaveLength(4);
    const used = plan.reduce((s, p) => s + p.params.children, 0);
    expect(used).toBe(ps.params.planned);
    expect(used).toBeLessThanOrEqual(0.5 * ps.params.parent);
    expect(ps.solverRuns).toBeGreaterThan(0);
    // Each split layer's factors are on disk with the plan's shapes.
    for (const p of plan.filter((x) => x.m !== null)) {
      const f1 = parseNpy(readFileSync(join(out.dir, "plan", `${p.name}.f1.npy`)), "f1");
      expect(f1.shape).toEqual([p.m, f1.shape[1], p.k1!.h, p.k1!.w]);
    }
    // Uniform: the largest --filters ratio whose weights fit the same total (default geometry).
    const layerRecords = ls.filter((l) => l.type === "layer") as unknown as { parent: { shape: number[] } }[];
    let ratio = 1;
    const paramsAt = (x: number): number =>
      layerRecords.reduce((s, l) => {
        const [co, ci, kh, kw] = l.parent.shape as [number, number, number, number];
        return s + Math.max(1, Math.round(x * Math.min(co, ci))) * (co + ci) * kh * kw;
      }, 0);
    while (paramsAt(ratio) > used) ratio -= 0.005;
    const u = await cli([...LAYERS, "--filters", `${ratio.toFixed(3)}x`, "--json", "-o", join(out.dir, "uniform"), "-j", "1", "--max-iter", "15"]);
    expect(u.code).toBe(0);
    const us = lines(u.stdout).find((l) => l.type === "summary") as unknown as { residual: { rel: number }; params: { children: number } };
    expect(us.params.children).toBeLessThanOrEqual(used);
    // Both over the same four layers (no layer is unsplit in this plan, so the summaries agree on the denominator).
    expect(plan.every((p) => p.m !== null)).toBe(true);
    expect(summary.residual.rel).toBeLessThan(us.residual.rel);
  }, 120_000);

  it("when the budget is out of range, below the minimum, or FLOPs lack sizes then one line and exit 2", async () => {
    for (const [args, msg] of [
      [["--budget", "0"], /--budget must be a number in \(0, 1\]/],
      [["--budget", "1.5"], /--budget must be a number in \(0, 1\]/],
      [["--budget", "0.001"], /below what the smallest splits reach: the minimum is 0\.015\d* of the parents' params/],
      [["--budget", "0.5", "--budget-of", "flops"], /--budget-of flops needs the feature-map size of layer 'facerec-conv32-1-conv1'/],
      [["--budget", "0.5", "--filters", "8"], /exclude each other/],
      [[], /give --filters <m>.* or --budget <r>/],
    ] as const) {
      const r = await cli([...LAYERS, ...args, "-o", join(out.dir, "bad")]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
  });

  it("when FLOPs are budgeted with input sizes then the plan's FLOPs fit and patterns pick sizes", async () => {
    const r = await cli([...LAYERS, "--budget", "0.4", "--budget-of", "flops", "--input-size", "32x32", "--input-size", "down=16x16", "--json", "-o", join(out.dir, "flops"), "-j", "1", "--max-iter", "5"]);
    expect(r.stderr).toBe("");
    const ls = lines(r.stdout);
    const plan = ls.filter((l) => l.type === "plan") as unknown as { name: string; flops: { parent: number; children: number } }[];
    const total = plan.reduce((s, p) => s + p.flops.parent, 0);
    expect(plan.reduce((s, p) => s + p.flops.children, 0)).toBeLessThanOrEqual(0.4 * total);
    // facerec-conv64-down-conv1 (64, 32, 3, 3) at 16x16: 2 * 64 * 32 * 9 * 256 flops.
    expect(plan.find((p) => p.name === "facerec-conv64-down-conv1")!.flops.parent).toBe(2 * 64 * 32 * 9 * 256);
    expect(plan.find((p) => p.name === "facerec-conv32-1-conv1")!.flops.parent).toBe(2 * 32 * 32 * 9 * 1024);
  }, 60_000);

  it("when the objective is max then the worst layer is no worse than with total", async () => {
    const run = async (objective: string) => {
      const r = await cli([...LAYERS, "--budget", "0.3", "--budget-objective", objective, "--json", "-o", join(out.dir, objective), "-j", "1", "--max-iter", "5"]);
      expect(r.code).toBe(0);
      return lines(r.stdout).find((l) => l.type === "plan-summary") as unknown as { residual: { rel: number; maxRel: number } };
    };
    const t = await run("total");
    const m = await run("max");
    expect(m.residual.maxRel).toBeLessThanOrEqual(t.residual.maxRel);
    expect(t.residual.rel).toBeLessThanOrEqual(m.residual.rel);
  }, 60_000);
});
