// Whole decompositions, structured method, fixed iteration count, against the NumPy peer's
// structured ALS and its port of the seed's method on the same parent, in the same run.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Rng } from "../dist/random.js";
import { serializeNpy } from "../dist/io/npy.js";
import { peerStructuredIterations, peerUnavailable, runPeer } from "./peer.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const tmp = resolve(here, "..", ".bench-tmp");

// At least 5 iterations each, so that the steady state (iterations 3 on) has 3 or more samples.
export const DEFAULT_CASES = [64, 128, 256, 512].flatMap((c) => [
  { c, m: c, iters: c >= 512 ? 5 : c >= 256 ? 6 : 10 },
  { c, m: c / 4, iters: c >= 512 ? 5 : c >= 256 ? 6 : 10 },
]);

/**
 * The steady-state seconds per iteration: the median over iterations 3 on. The first two differ
 * for both programs in ways a long run does not see: ours refine each solve by iterated Tikhonov
 * there (the ridge is still above 1e-9) and first touch its reused buffers, and the JIT warms up;
 * the peer allocates its arrays. A long run (the default is 30 iterations) is mostly steady state.
 */
export function steadyPerIteration(iterationSeconds) {
  const rest = iterationSeconds.slice(2).sort((a, b) => a - b);
  if (rest.length === 0) return null;
  const h = rest.length >> 1;
  return rest.length % 2 ? rest[h] : (rest[h - 1] + rest[h]) / 2;
}

function parentFile(c) {
  mkdirSync(tmp, { recursive: true });
  const file = join(tmp, `parent-${c}x${c}x3.npy`);
  const data = new Rng(c).normals(c * c * 9, 0.05);
  writeFileSync(file, serializeNpy([c, c, 3, 3], data, "float64"));
  return file;
}

function runCase(spec) {
  const r = spawnSync(process.execPath, [join(here, "decomposition-case.mjs"), JSON.stringify(spec)], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`case failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

/** Rows: one per case. `opts.peer === false` skips NumPy; `opts.seedPeerMax` caps the seed port's size. */
export async function benchDecompositions(opts = {}) {
  const cases = opts.cases ?? DEFAULT_CASES;
  const noPeer = opts.peer === false ? "disabled" : peerUnavailable();
  if (noPeer) console.error(`bench: NOTICE: NumPy peer skipped (${noPeer})`);
  const rows = [];
  const backends = opts.blas ?? availableBackends();
  for (const { c, m, iters } of cases) {
    const npy = parentFile(c);
    let peerRow = null;
    for (const blas of backends) {
      const ours = runCase({ npy, m, iters, method: "structured", seed: 0, threads: opts.threads, blas });
      const row = {
        case: `${c}ch 3x3 m=${m}`,
        backend: ours.backend,
        iters,
        seconds: ours.seconds,
        perIteration: ours.perIteration,
        steadyPerIteration: steadyPerIteration(ours.iterationSeconds),
        gflops: ours.gflops,
        residual: ours.residual,
        rssMB: ours.rssMB,
        memoryBudgetMB: 3 * ours.normalMatrixMB + ours.parentMB + 150,
        numpyPerIteration: null,
        numpySteadyPerIteration: null,
        numpyRssMB: null,
        steadyRatio: null,
        numpyResidual: null,
        numpySeedPerIteration: null,
        ratio: null,
        ratioSeed: null,
      };
      if (!noPeer) {
        // The peer once per case, beside the first back-end's run (same parent, same machine state).
        if (peerRow === null) {
          const p = peerStructuredIterations(npy, m, iters);
          peerRow = { perIteration: p.seconds / iters, steady: steadyPerIteration(p.iterationSeconds), residual: p.residual, rssMB: p.rssMB, seed: null };
          if (c <= (opts.seedPeerMax ?? 512)) {
            const s = runPeer(["--npy", npy, "--filters", String(m), "--iters", String(iters), "--method", "seed_projected"]);
            peerRow.seed = s.seed_projected.seconds / iters;
          }
        }
        row.numpyPerIteration = peerRow.perIteration;
        row.numpyResidual = peerRow.residual;
        row.ratio = row.perIteration / row.numpyPerIteration;
        row.numpySteadyPerIteration = peerRow.steady;
        row.numpyRssMB = peerRow.rssMB;
        if (row.steadyPerIteration !== null && peerRow.steady !== null) row.steadyRatio = row.steadyPerIteration / peerRow.steady;
        if (peerRow.seed !== null) {
          row.numpySeedPerIteration = peerRow.seed;
          row.ratioSeed = row.perIteration / row.numpySeedPerIteration;
        }
      }
      rows.push(row);
      opts.onRow?.(row);
    }
  }
  return rows;
}

/** wasm, and openblas when it loads here (its own child process proves it). */
function availableBackends() {
  const r = spawnSync(process.execPath, ["-e", 'import("./dist/linalg/index.js").then((l) => { l.useBlas("openblas"); })'], { cwd: resolve(here, ".."), encoding: "utf8" });
  if (r.status === 0) return ["wasm", "openblas"];
  console.error("bench: NOTICE: OpenBLAS does not load here: whole decompositions on wasm only");
  return ["wasm"];
}

export const COLUMNS = [
  ["case", (r) => r.case],
  ["back-end", (r) => r.backend],
  ["iters", (r) => r.iters],
  ["s/iter", (r) => r.perIteration.toFixed(3)],
  ["GFLOP/s", (r) => r.gflops.toFixed(2)],
  ["residual", (r) => r.residual.toExponential(3)],
  ["numpy s/iter", (r) => (r.numpyPerIteration === null ? "-" : r.numpyPerIteration.toFixed(3))],
  ["ratio (openblas <= 1.3)", (r) => (r.ratio === null ? "-" : r.ratio.toFixed(2))],
  ["steady s/iter (it 3+)", (r) => (r.steadyPerIteration === null ? "-" : r.steadyPerIteration.toFixed(3))],
  ["numpy steady", (r) => (r.numpySteadyPerIteration === null ? "-" : r.numpySteadyPerIteration.toFixed(3))],
  ["steady ratio", (r) => (r.steadyRatio === null ? "-" : r.steadyRatio.toFixed(2))],
  ["numpy seed s/iter", (r) => (r.numpySeedPerIteration === null ? "-" : r.numpySeedPerIteration.toFixed(3))],
  ["vs seed (<1)", (r) => (r.ratioSeed === null ? "-" : r.ratioSeed.toFixed(2))],
  ["peak RSS MB", (r) => r.rssMB.toFixed(0)],
  ["numpy peak RSS MB", (r) => (r.numpyRssMB === null ? "-" : r.numpyRssMB.toFixed(0))],
  ["budget MB (3 G + W + 150)", (r) => r.memoryBudgetMB.toFixed(0)],
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { printTable } = await import("./table.mjs");
  const rows = await benchDecompositions();
  printTable("Whole decompositions (structured)", COLUMNS, rows);
}
