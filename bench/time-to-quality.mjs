#!/usr/bin/env node
/**
 * Time to quality, the headline figure (issue 10, part 3): for a growing case, a compression case
 * and a hard geometry on real trained layers, the seconds the DEFAULT run (only m and the children
 * given) takes to come within 1% of the best residual known (or to 1e-6 where an exact split is
 * known), against the seconds the NumPy peer's plain ALS needs for the same, or "not within N
 * iterations". "Best known" is the least residual of: the default run, a long run of ours
 * (`reference`: the method and budget per case below, the gain forecast off) and the peer's long
 * run. The peer's time per iteration is taken as uniform (its total over its iterations).
 * Standalone: `node bench/time-to-quality.mjs [--quick]` after `npm run build`.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { decompose, expectShape4, readNpy } from "../dist/index.js";
import { peerTrace } from "./lm.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** k: the children's size (k1 = k2 = k); reference: our long run; peer: its iterations; exact: a split is known to exist. */
export const CASES = [
  { label: "growing: 32ch 3x3, m = 32", file: "facerec-conv32-1-conv1.npy", m: 32, k: 3, exact: true, reference: { method: "structured", maxIter: 30 }, peer: 300 },
  { label: "growing: 64ch 3x3, m = 64", file: "upscaler-gff2.npy", m: 64, k: 3, exact: true, reference: { method: "structured", maxIter: 30 }, peer: 300 },
  { label: "compression: 64ch 3x3, m = 16", file: "upscaler-gff2.npy", m: 16, k: 3, exact: false, reference: { method: "structured", maxIter: 300 }, peer: 300 },
  { label: "compression: 32ch 3x3, m = 8", file: "facerec-conv32-1-conv1.npy", m: 8, k: 3, exact: false, reference: { method: "structured", maxIter: 300 }, peer: 300 },
  { label: "hard: 64ch 5x5 -> 3x3 + 3x3, m = 64", file: "upscaler-upn1.npy", m: 64, k: 3, exact: false, reference: { method: "lm", maxIter: 100 }, peer: 300 },
];
const QUICK = (c) => c.file === "facerec-conv32-1-conv1.npy";

function run(W, c, extra) {
  const points = [];
  const t0 = performance.now();
  const d = decompose(W, {
    filters: c.m, k1: { h: c.k, w: c.k }, k2: { h: c.k, w: c.k }, floor: false, functional: false, ...extra,
    onIteration: (_k, rel) => points.push([(performance.now() - t0) / 1000, rel]),
  });
  return { method: d.report.method, stop: d.report.stopReason, points, end: [(performance.now() - t0) / 1000, d.report.residual.rel] };
}

const reach = (points, target) => points.find(([, r]) => r <= target)?.[0];

export function timeToQuality({ quick = false } = {}) {
  const rows = [];
  for (const c of quick ? CASES.filter(QUICK) : CASES) {
    const a = readNpy(join(root, "fixtures", c.file));
    const W = { shape: expectShape4(a, c.file), data: a.data };
    const def = run(W, c, {});
    const ref = run(W, c, { method: c.reference.method, maxIter: c.reference.maxIter, minGain: 0, tol: 1e-12 });
    const p = peerTrace({ file: c.file, m: c.m, k: c.k, peer: c.peer });
    const best = Math.min(def.end[1], ref.end[1], p.points?.at(-1)?.[1] ?? Infinity);
    const target = c.exact ? 1e-6 : 1.01 * best;
    rows.push({
      case: c.label,
      target,
      best,
      defaultMethod: `${def.method} (${def.stop})`,
      defaultReach: reach(def.points, target) ?? (def.end[1] <= target ? def.end[0] : undefined),
      defaultEnd: def.end,
      referenceEnd: ref.end,
      reference: `${c.reference.method} x ${c.reference.maxIter}`,
      peerReach: p.points ? reach(p.points, target) : undefined,
      peerEnd: p.points?.at(-1),
      peerIters: c.peer,
      notice: p.notice,
    });
  }
  return rows;
}

const e = (x) => (x < 1e-3 ? x.toExponential(2) : x.toFixed(4));
const at = (x) => (x === undefined ? "-" : `${e(x[1])} @ ${x[0].toFixed(2)} s`);
export const COLUMNS = [
  ["case (real layers)", (r) => r.case],
  ["target", (r) => (r.target === 1e-6 ? "1e-6 (exact split known)" : `${r.target.toFixed(4)} (best ${r.best.toFixed(4)} + 1%)`)],
  ["default run: time to target", (r) => (r.defaultReach === undefined ? `not reached (${at(r.defaultEnd)})` : `${r.defaultReach.toFixed(2)} s`)],
  ["default run: method, end", (r) => `${r.defaultMethod}: ${at(r.defaultEnd)}`],
  ["NumPy peer ALS: time to target", (r) => (r.notice ? r.notice : r.peerReach === undefined ? `not within ${r.peerIters} iterations (${at(r.peerEnd)})` : `${r.peerReach.toFixed(2)} s`)],
  ["our long run", (r) => `${r.reference}: ${at(r.referenceEnd)}`],
];

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { printTable } = await import("./table.mjs");
  printTable("Time to quality: the default run against the NumPy peer's ALS (within 1% of the best known, or 1e-6 where exact)", COLUMNS, timeToQuality({ quick: process.argv.includes("--quick") }));
}
