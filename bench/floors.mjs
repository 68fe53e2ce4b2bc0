#!/usr/bin/env node
/**
 * The floors of a split (report/kernel-floor.ts) on a real trained layer with c_in != c_out, per m:
 * the frequency floor and, where it is 0, the block-Toeplitz floor (its window and time), each
 * against NumPy computing the same bound in the same run (np.fft.fft2 + np.linalg.svd per
 * frequency; the valid-correlation matrix by slicing + np.linalg.svd at the tool's window), and the
 * residual of the default run, so the gap between what is proven and what is reached shows.
 * Standalone: `node bench/floors.mjs [--quick]` after `npm run build`.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { decompose, expectShape4, pad2d, readNpy, resolveGeometry } from "../dist/index.js";
import { kernelFloor } from "../dist/report/kernel-floor.js";
import { linalgInfo } from "../dist/linalg/info.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const FILE = "facerec-conv64-down-conv1.npy";
const K = { h: 2, w: 2 };
export const FILTERS = [16, 32, 36, 40, 43, 46];

const NUMPY = `
import json, sys, time, numpy as np
c = json.load(sys.stdin)
T = np.load(c['file']).astype(np.float64)
out = []
for q in c['cases']:
    m = q['m']; t0 = time.perf_counter()
    if q['bound'] == 'block-toeplitz':
        W = T if q['side'] == 'f2' else T.transpose(1, 0, 2, 3)
        co, ci, eh, ew = W.shape; Lh, Lw = q['window']['h'], q['window']['w']
        M = np.zeros((co, Lh, Lw, ci, Lh + eh - 1, Lw + ew - 1))
        for y in range(Lh):
            for x in range(Lw): M[:, y, x, :, y:y + eh, x:x + ew] = W
        s = np.linalg.svd(M.reshape(co * Lh * Lw, -1), compute_uv=False)
        mid = q['mid']
        r = m * (Lh + mid - 1) * (Lw + mid - 1)
        v = np.sqrt(np.sum(s[r:] ** 2) / (Lh * Lw)) / np.linalg.norm(T)
    else:
        F = np.fft.fft2(T, axes=(2, 3))
        v = np.sqrt(sum(np.sum(np.linalg.svd(F[:, :, a, b], compute_uv=False)[m:] ** 2) for a in range(T.shape[2]) for b in range(T.shape[3])) / (T.shape[2] * T.shape[3])) / np.linalg.norm(T)
    out.append({'rel': float(v), 'seconds': time.perf_counter() - t0})
json.dump(out, sys.stdout)
`;

export function benchFloors({ quick = false } = {}) {
  const file = join(root, "fixtures", FILE);
  const a = readNpy(file);
  const W = { shape: expectShape4(a, FILE), data: a.data };
  const rows = [];
  for (const m of quick ? [32, 46] : FILTERS) {
    const g = resolveGeometry(W.shape, m, K, K);
    const T = pad2d(W, g.targetPad);
    const t0 = performance.now();
    const f = kernelFloor(T, g);
    const seconds = (performance.now() - t0) / 1000;
    const d = decompose(W, { filters: m, k1: K, k2: K, floor: false, functional: false });
    rows.push({ m, f, seconds, residual: d.report.residual.rel, method: d.report.method });
  }
  const cases = rows.map(({ m, f }) => ({ m, bound: f.bound.name, window: f.bound.window ?? null, side: f.bound.side ?? null, mid: K.h }));
  const r = spawnSync("python3", ["-c", NUMPY], { input: JSON.stringify({ file, cases }), encoding: "utf8", maxBuffer: 1 << 26 });
  const peer = r.status === 0 ? JSON.parse(r.stdout) : null;
  const notice = peer ? undefined : `NumPy skipped: ${(r.stderr || String(r.error)).split("\n").filter(Boolean).at(-1)}`;
  return rows.map((row, i) => ({ ...row, peer: peer?.[i], notice, backend: linalgInfo().backend }));
}

const w = (f) => (f.bound.name === "block-toeplitz" ? `block-Toeplitz ${f.bound.window.h}x${f.bound.window.w} (${f.bound.side})` : f.rel > 0 ? "frequency" : "none (0)");
export const COLUMNS = [
  ["m", (r) => String(r.m)],
  ["bound", (r) => w(r.f)],
  ["floor", (r) => r.f.rel.toExponential(4)],
  ["time (s)", (r) => `${r.seconds.toFixed(2)} (${r.backend})`],
  ["GFLOP/s", (r) => (r.seconds > 0 && r.f.flops > 0 ? (r.f.flops / 1e9 / r.seconds).toFixed(1) : "-")],
  ["NumPy same bound", (r) => (r.peer ? r.peer.rel.toExponential(4) : r.notice)],
  ["NumPy time (s)", (r) => (r.peer ? r.peer.seconds.toFixed(2) : "-")],
  ["default run", (r) => `${r.residual.toFixed(4)} (${r.method})`],
  ["residual / floor", (r) => (r.f.rel > 0 ? (r.residual / r.f.rel).toFixed(2) : "-")],
];

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { printTable } = await import("./table.mjs");
  printTable(`Floors on ${FILE} (64 x 32, 3x3 -> 2x2 + 2x2): what is proven against what is reached`, COLUMNS, benchFloors({ quick: process.argv.includes("--quick") }));
}
