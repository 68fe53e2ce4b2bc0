#!/usr/bin/env node
/**
 * What the last iterations buy, and what the gain-forecast rule (src/als/stopping.ts) gives up
 * (issue 10, part 4). Per case the default run (method auto) goes the full --max-iter 30 with the
 * rule off (--min-gain 0), then again with the rule on (the default, --min-gain 1e-3). Printed per case: the residual after 10 and
 * after 30 iterations (what the last two thirds buy), where the rule stops, its residual against
 * the 30-iteration one, and the seconds it saves. Standalone: `node bench/stopping.mjs [--quick]`.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { decompose, expectShape4, readNpy } from "../dist/index.js";
import { DEFAULT_MIN_GAIN } from "../dist/als/stopping.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const MAX_ITER = 30;

/** fixture, m as a fraction of min(c_in, c_out), children (null: the parent's). */
export const CASES = [
  ...["facerec-conv32-1-conv1", "facerec-conv64-1-conv1", "facerec-conv64-down-conv1", "upscaler-f0", "upscaler-gff2", "upscaler-upn1"].flatMap((f) => [
    { file: `${f}.npy`, frac: 0.125, k: null },
    { file: `${f}.npy`, frac: 0.25, k: null },
    { file: `${f}.npy`, frac: 0.5, k: null },
  ]),
  { file: "facerec-conv32-down.npy", frac: 0.25, k: null },
  { file: "facerec-conv32-down.npy", frac: 0.5, k: null },
  // The hard geometries run lm, which does not apply the rule (quality/method-race.ts): one row shows it.
  { file: "facerec-conv32-1-conv1.npy", frac: 0.5, k: 2 },
];
const QUICK = (c) => c.file.startsWith("facerec-conv32");

function solve(W, c, minGain) {
  const m = Math.max(1, Math.round(c.frac * Math.min(W.shape[0], W.shape[1])));
  const kk = c.k === null ? {} : { k1: { h: c.k, w: c.k }, k2: { h: c.k, w: c.k } };
  const trace = [];
  const t0 = performance.now();
  const d = decompose(W, { filters: m, ...kk, maxIter: MAX_ITER, minGain, floor: false, functional: false, onIteration: (_k, rel) => trace.push(rel) });
  return { m, d, trace, seconds: (performance.now() - t0) / 1000 };
}

/** One case, run twice: the rule off (the full budget) and on (the default). */
export function runCase(c, minGain = DEFAULT_MIN_GAIN) {
  const a = readNpy(join(root, "fixtures", c.file));
  const W = { shape: expectShape4(a, c.file), data: a.data };
  const full = solve(W, c, 0);
  const ruled = solve(W, c, minGain);
  const r30 = full.d.report.residual.rel;
  const rStop = ruled.d.report.residual.rel;
  const t = full.trace;
  return {
    case: `${c.file.replace(/\.npy$/, "")} m=${full.m}${c.k ? ` ${c.k}x${c.k}+${c.k}x${c.k}` : ""}`,
    method: full.d.report.method,
    iterations: t.length,
    r10: t[Math.min(9, t.length - 1)],
    r30,
    lastTwoThirds: t.length > 10 ? (t[9] - r30) / t[9] : 0,
    stop: ruled.trace.length,
    stopReason: ruled.d.report.stopReason,
    rStop,
    worse: r30 > 0 ? (rStop - r30) / r30 : 0,
    seconds: full.seconds,
    secondsAtStop: ruled.seconds,
  };
}

const e = (x) => x.toExponential(4);
const p = (x) => `${(100 * x).toFixed(3)}%`;
export const COLUMNS = [
  ["case", (r) => r.case],
  ["method", (r) => r.method],
  ["r after 10 (trace entries)", (r) => e(r.r10)],
  ["r after 30", (r) => e(r.r30)],
  ["last 2/3 buy", (r) => p(r.lastTwoThirds)],
  ["stops at", (r) => `${r.stop} of ${r.iterations} (${r.stopReason})`],
  ["r there", (r) => e(r.rStop)],
  ["vs 30 it", (r) => `+${p(r.worse)}`],
  ["s (30 it)", (r) => r.seconds.toFixed(2)],
  ["s (rule)", (r) => r.secondsAtStop.toFixed(2)],
];

/** Every case (or the quick ones), and the summary line: worst increase and time saved. */
export function benchStopping({ quick = false } = {}) {
  const rows = CASES.filter((c) => !quick || QUICK(c)).map((c) => runCase(c));
  const worst = Math.max(...rows.map((r) => r.worse));
  const full = rows.reduce((s, r) => s + r.seconds, 0);
  const kept = rows.reduce((s, r) => s + r.secondsAtStop, 0);
  const summary = `worst residual increase +${p(worst)} (target <= 0.2%); time ${full.toFixed(1)} s -> ${kept.toFixed(1)} s (${((1 - kept / full) * 100).toFixed(0)}% less)`;
  return { rows, summary };
}

export const TITLE = `When to stop: the gain forecast (--min-gain ${DEFAULT_MIN_GAIN}) against the full ${MAX_ITER} iterations (rule off); LM's trace entries include its structured sweeps`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { printTable } = await import("./table.mjs");
  const { rows, summary } = benchStopping({ quick: process.argv.includes("--quick") });
  printTable(TITLE, COLUMNS, rows);
  console.log(summary);
}
