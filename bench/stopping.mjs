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

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const quick = process.argv.includes("--quick");
  const rows = [];
  console.log(`gain-forecast rule, --min-gain ${DEFAULT_MIN_GAIN}, against the full ${MAX_ITER} iterations (default method, rule off)`);
  console.log("case | method | r after 10 | r after 30 (trace entries: LM's include its structured sweeps) | last 2/3 buy | stops at | r there | vs 30 it | s (30 it) | s (rule)");
  for (const c of CASES.filter((c) => !quick || QUICK(c))) {
    const r = runCase(c);
    rows.push(r);
    const e = (x) => x.toExponential(4);
    const p = (x) => `${(100 * x).toFixed(3)}%`;
    console.log(`${r.case} | ${r.method} | ${e(r.r10)} | ${e(r.r30)} | ${p(r.lastTwoThirds)} | ${r.stop} of ${r.iterations} (${r.stopReason}) | ${e(r.rStop)} | +${p(r.worse)} | ${r.seconds.toFixed(2)} | ${r.secondsAtStop.toFixed(2)}`);
  }
  const worst = Math.max(...rows.map((r) => r.worse));
  const saved = rows.reduce((s, r) => s + r.seconds, 0);
  const kept = rows.reduce((s, r) => s + r.secondsAtStop, 0);
  console.log(`worst residual increase +${(100 * worst).toFixed(3)}% (target <= 0.2%); time ${saved.toFixed(1)} s -> ${kept.toFixed(1)} s (${((1 - kept / saved) * 100).toFixed(0)}% less)`);
}
