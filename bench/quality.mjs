#!/usr/bin/env node
/**
 * The quality table (issue 5): method x init x case on the real trained layers in fixtures/,
 * relative residual after 10 / 30 / 60 iterations, time, floor; and the NumPy structured peer
 * measured in the same run (skipped with a notice when python3 + numpy are absent).
 * Standalone: `node bench/quality.mjs [--quick] [--json]` after `npx tsc -p tsconfig.json`.
 * Importable: `import { qualityTable } from "./quality.mjs"`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expectShape4, frequencyFloor, pad2d, readNpy, resolveGeometry } from "../dist/index.js";
import { structuredAls } from "../dist/als/methods/structured.js";
import { projectedAls } from "../dist/als/methods/projected.js";
import { defaultAlsOptions } from "../dist/als/options.js";
import { energyOffCentre } from "../dist/quality/energy.js";
import { classifyRegime } from "../dist/quality/regime.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const PEER = join(root, "..", "shared", "peers", "numpy_reference.py");
const LAYER = "fixtures/facerec-conv32-1-conv1.npy";

/** Structured variants: "plain" is the paper's Algorithm 1 (fixed ridge, no acceleration). */
const VARIANTS = {
  plain: { lambdaDecay: 1, refine: 0, extrapolate: false },
  accelerated: {},
};

function load(file) {
  const a = readNpy(join(root, file));
  return { shape: expectShape4(a, file), data: a.data };
}

function runCase(file, m, method, variant, init, iters = 60) {
  const W = load(file);
  const g = resolveGeometry(W.shape, m);
  const T = pad2d(W, g.targetPad);
  const opts = { ...defaultAlsOptions, maxIter: iters, tol: 0, stallTol: 0, stallWindow: 1e9, seed: 0, init, ...VARIANTS[variant] };
  const times = [];
  const t0 = performance.now();
  const r = (method === "projected" ? projectedAls : structuredAls)(T, g, { ...opts, onIteration: () => times.push(performance.now() - t0) });
  const seconds = (performance.now() - t0) / 1000;
  const at = (k) => r.trace[Math.min(k, r.trace.length) - 1];
  const reach = r.trace.findIndex((x) => x <= 1e-3);
  return {
    file, m, regime: classifyRegime(g, T).name, method, variant, init,
    r1: at(1), r2: at(2), r10: at(10), r30: at(30), r60: at(60), seconds,
    secondsTo1e3: reach >= 0 ? times[reach] / 1000 : null,
    floor: frequencyFloor(T, m).rel,
    offCentreF1: energyOffCentre(r.f1),
  };
}

function peer(cases) {
  const py = spawnSync("python3", ["-c", "import numpy, scipy"], { encoding: "utf8" });
  if (py.status !== 0 || !existsSync(PEER)) return { skipped: `python3 with numpy/scipy or ${PEER} not available` };
  const args = [join(here, "quality-peer.py"), PEER, ...cases.map((c) => `${join(root, c.file)}:${c.m}:${c.starts}:${c.iters}`)];
  const out = spawnSync("python3", args, { encoding: "utf8", maxBuffer: 1 << 26 });
  if (out.status !== 0) return { skipped: `peer failed: ${out.stderr.slice(-400)}` };
  return { runs: out.stdout.trim().split("\n").map((l) => JSON.parse(l)) };
}

/** The quality table. quick: fewer cases and a shorter live peer run. */
export async function qualityTable({ quick = false, livePeer = true } = {}) {
  const rows = [];
  const inits = quick ? ["random", "spectral"] : ["random", "identity", "spectral"];
  for (const m of quick ? [8, 32, 90] : [8, 16, 32, 64, 90]) {
    for (const init of inits) {
      for (const variant of ["plain", "accelerated"]) rows.push(runCase(LAYER, m, "structured", variant, init));
    }
  }
  if (!quick) rows.push(runCase(LAYER, 32, "projected", "plain", "random", 30));
  const peerCases = quick
    ? [{ file: LAYER, m: 8, starts: 1, iters: 30 }, { file: LAYER, m: 32, starts: 1, iters: 30 }]
    : [{ file: LAYER, m: 8, starts: 1, iters: 60 }, { file: LAYER, m: 16, starts: 1, iters: 60 }, { file: LAYER, m: 32, starts: 1, iters: 60 }];
  const live = livePeer ? peer(peerCases) : { skipped: "live peer disabled" };
  const cachePath = join(here, "quality-peer-cache.json");
  const cached = existsSync(cachePath) ? JSON.parse(readFileSync(cachePath, "utf8")) : null;
  return { rows, peer: live, peerCache: cached };
}

const fmt = (x) => (x === null || x === undefined ? "-" : x === 0 ? "0" : x.toPrecision(4));

export function renderQualityTable(t) {
  const lines = [
    "| case | regime | method | init | r@1 | r@2 | r@10 | r@30 | r@60 | time 60 it (s) | time to 1e-3 (s) | floor | f1 off-centre |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of t.rows) {
    const method = r.method === "structured" ? `structured (${r.variant})` : r.method;
    lines.push(`| 32ch 3x3, m=${r.m} | ${r.regime} | ${method} | ${r.init} | ${fmt(r.r1)} | ${fmt(r.r2)} | ${fmt(r.r10)} | ${fmt(r.r30)} | ${fmt(r.r60)} | ${r.seconds.toFixed(2)} | ${fmt(r.secondsTo1e3)} | ${fmt(r.floor)} | ${(100 * r.offCentreF1).toFixed(0)}% |`);
  }
  lines.push("");
  if (t.peer.skipped) lines.push(`NumPy peer (live): skipped: ${t.peer.skipped}`);
  else {
    lines.push("NumPy structured peer, measured live in this run:");
    for (const p of t.peer.runs) {
      const a = p.per_start[0].at;
      lines.push(`  m=${p.filters}: ${p.starts} start(s) x ${p.iterations} it: r@10 ${fmt(a["10"])}, r@30 ${fmt(a["30"])}, r@60 ${fmt(a["60"])}, best ${fmt(p.best)}, ${p.seconds.toFixed(1)} s, reaches 1e-3: ${p["first_iter_below_1e-3"] ?? "never"}`);
    }
  }
  if (t.peerCache) {
    lines.push("NumPy structured peer, cached (bench/quality-peer-cache.json):");
    for (const p of t.peerCache.runs) lines.push(`  m=${p.filters}: best of ${p.starts} x ${p.iterations} it = ${fmt(p.best)} in ${p.seconds.toFixed(1)} s; reaches 1e-3: ${p["first_iter_below_1e-3"] ?? "never"}`);
  }
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t = await qualityTable({ quick: process.argv.includes("--quick"), livePeer: !process.argv.includes("--no-peer") });
  console.log(process.argv.includes("--json") ? JSON.stringify(t, null, 1) : renderQualityTable(t));
  process.exit(0);
}
