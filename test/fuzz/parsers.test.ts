/**
 * The parsers under mutation fuzzing at a CI-sized budget: per format 1,000 seeded mutants of
 * valid seeds (harness.ts states the contract every case must keep). `npm run fuzz` runs the
 * same harness for as long as asked (campaign.fuzz.ts).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FUZZ_FORMATS } from "./formats/index.js";
import { allocBudget, mutant, mutationArb, runCase, trackAllocations } from "./harness.js";

const RUNS_PER_FORMAT = 1000;

describe.each(FUZZ_FORMATS.map((f) => [f.name, f] as const))("fuzz %s", (_name, format) => {
  const seeds = format.seeds();

  it("when a seed is parsed then it parses (the seeds are valid)", () => {
    for (const s of seeds) expect(runCase(format, s).kind).toBe("parsed");
  });

  it(`when ${RUNS_PER_FORMAT} seeded mutants are parsed then each is a parse or a clean typed error, in time and memory`, () => {
    const counts = new Map<string, number>();
    fc.assert(
      fc.property(mutationArb(format, seeds.length), (input) => {
        const r = runCase(format, mutant(format, seeds, input));
        const key = r.kind === "rejected" ? r.code : r.kind;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (r.kind === "violation") throw new Error(r.why);
      }),
      { seed: 20261201, numRuns: RUNS_PER_FORMAT },
    );
    // The budget reaches past the magic checks: some mutants still parse, most are rejected.
    expect(counts.get("parsed") ?? 0).toBeGreaterThan(0);
    expect([...counts].filter(([k]) => k !== "parsed").reduce((a, [, n]) => a + n, 0)).toBeGreaterThan(0);
  });
});

describe("the harness itself", () => {
  it("when a reader allocates past the budget then trackAllocations sees it", () => {
    const { maxAlloc } = trackAllocations(() => new Float64Array(1 << 20).length);
    expect(maxAlloc).toBe(8 << 20);
    expect(allocBudget(10)).toBeLessThan(8 << 20);
    expect(new Float64Array(2)).toBeInstanceOf(Float64Array);
  });
});
