// One whole-decomposition case in its own process, so its peak RSS is its own.
// argv[2]: JSON {cOut, cIn, k, m, iters, method, seed, threads, blas, npy}. Prints one JSON line.
import { readFileSync } from "node:fs";
import { pad2d } from "../dist/geometry/pad.js";
import { resolveGeometry } from "../dist/geometry/shapes.js";
import { parseNpy } from "../dist/io/npy.js";
import { structuredAls } from "../dist/als/methods/structured.js";
import { projectedAls } from "../dist/als/methods/projected.js";
import { seedAls } from "../dist/als/methods/seed.js";
import { defaultAlsOptions } from "../dist/als/options.js";
import * as linalg from "../dist/linalg/index.js";

const c = JSON.parse(process.argv[2]);
if (c.threads && typeof linalg.setThreads === "function") linalg.setThreads(c.threads);
if (c.blas) linalg.useBlas(c.blas);
const W = parseNpy(new Uint8Array(readFileSync(c.npy)), c.npy);
const shape = W.shape;
const g = resolveGeometry(shape, c.m);
const T = pad2d({ shape, data: W.data }, g.targetPad);
const method = { structured: structuredAls, projected: projectedAls, seed: seedAls }[c.method];
// Fixed iteration count: no tolerance or stall stop.
const opts = { ...defaultAlsOptions, maxIter: c.iters, tol: 0, stallTol: -Infinity, seed: c.seed };
// Each iteration's own seconds (its end minus the previous end), for the steady-state figure.
const t0 = performance.now();
const ends = [];
const r = method(T, g, { ...opts, onIteration: () => ends.push(performance.now()) });
const seconds = (performance.now() - t0) / 1000;
const iterationSeconds = ends.map((t, i) => (t - (i === 0 ? t0 : ends[i - 1])) / 1000);
if (typeof linalg.disposeThreads === "function") linalg.disposeThreads();
const normalMatrixBytes = 8 * Math.max(g.m * g.k1.h * g.k1.w, g.m * g.k2.h * g.k2.w) ** 2;
process.stdout.write(
  JSON.stringify({
    seconds,
    perIteration: seconds / r.iterations,
    iterationSeconds,
    iterations: r.iterations,
    flops: r.flops,
    gflops: r.flops / seconds / 1e9,
    residual: r.trace[r.trace.length - 1],
    rssMB: process.resourceUsage().maxRSS / 1024,
    normalMatrixMB: normalMatrixBytes / 2 ** 20,
    parentMB: (8 * W.data.length) / 2 ** 20,
    backend: linalg.blasStatus().backend,
  }) + "\n",
);
