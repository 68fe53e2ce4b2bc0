/**
 * `npm run fuzz`: a long campaign over every format of formats/index.ts with the harness of the
 * CI test. Environment: FUZZ_SECONDS (per format, default 60), FUZZ_SEED (default: the time).
 * Prints per format the mutants run and their outcomes (parsed, rejected by error code,
 * violations), the slowest case and the largest allocation, and the process's peak RSS; writes
 * the same as JSON to out/fuzz/report.json and every violating input to out/fuzz/violations/.
 * Fails when any case violated the contract.
 */
import fc from "fast-check";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { ROOT } from "../cli/helpers.js";
import { FUZZ_FORMATS } from "./formats/index.js";
import { mutant, mutationArb, runCase } from "./harness.js";

const seconds = Number(process.env["FUZZ_SECONDS"] ?? "60");
const seed = Number(process.env["FUZZ_SEED"] ?? String(Date.now() % 2 ** 31));
const outDir = join(ROOT, "out", "fuzz");

interface FormatStats {
  format: string;
  mutants: number;
  parsed: number;
  rejected: Record<string, number>;
  violations: number;
  slowestMs: number;
  maxAllocBytes: number;
  seconds: number;
}

it(`fuzz campaign: ${seconds} s per format, seed ${seed}`, { timeout: (seconds * FUZZ_FORMATS.length + 60) * 1000 }, () => {
  mkdirSync(join(outDir, "violations"), { recursive: true });
  const stats: FormatStats[] = [];
  for (const format of FUZZ_FORMATS) {
    const seeds = format.seeds();
    const s: FormatStats = { format: format.name, mutants: 0, parsed: 0, rejected: {}, violations: 0, slowestMs: 0, maxAllocBytes: 0, seconds: 0 };
    const started = performance.now();
    const rejected = new Map<string, number>();
    const run = fc.check(
      fc.property(mutationArb(format, seeds.length), (input) => {
        const bytes = mutant(format, seeds, input);
        const r = runCase(format, bytes);
        s.mutants++;
        s.slowestMs = Math.max(s.slowestMs, r.ms);
        s.maxAllocBytes = Math.max(s.maxAllocBytes, r.maxAlloc);
        if (r.kind === "parsed") s.parsed++;
        else if (r.kind === "rejected") rejected.set(r.code, (rejected.get(r.code) ?? 0) + 1);
        else {
          s.violations++;
          if (s.violations <= 20) {
            const name = `${format.name}-${s.violations}`;
            writeFileSync(join(outDir, "violations", `${name}${format.file.slice(format.file.lastIndexOf("."))}`), bytes);
            writeFileSync(join(outDir, "violations", `${name}.txt`), `${r.why}\n${JSON.stringify(input)}\n`);
          }
        }
        return true; // count every case; violations are tallied, not shrunk
      }),
      { seed, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false },
    );
    // A property never fails (violations are counted); a failure here is the harness's own error.
    if (run.failed) throw new Error(`${format.name}: the harness failed: ${String(run.errorInstance)} on ${JSON.stringify(run.counterexample)}`);
    s.seconds = (performance.now() - started) / 1000;
    s.rejected = Object.fromEntries([...rejected].sort((a, b) => b[1] - a[1]));
    stats.push(s);
  }
  const rssPeakMiB = process.resourceUsage().maxRSS / 1024;
  const report = { seed, secondsPerFormat: seconds, rssPeakMiB, formats: stats };
  writeFileSync(join(outDir, "report.json"), JSON.stringify(report, null, 2) + "\n");
  for (const s of stats) {
    const rej = Object.entries(s.rejected).map(([k, n]) => `${k} ${n}`).join(", ");
    console.log(
      `${s.format}: ${s.mutants} mutants in ${s.seconds.toFixed(0)} s: ${s.parsed} parsed, ${s.mutants - s.parsed - s.violations} rejected (${rej}), ` +
        `${s.violations} violations; slowest ${s.slowestMs.toFixed(1)} ms, largest allocation ${s.maxAllocBytes} bytes`,
    );
  }
  console.log(`peak RSS ${rssPeakMiB.toFixed(0)} MiB, seed ${seed}`);
  expect(stats.map((s) => s.violations)).toEqual(stats.map(() => 0));
});
