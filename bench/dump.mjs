#!/usr/bin/env node
/**
 * Whole-dump benchmark: a synthetic ResNet-18 state_dict (torchvision layout and shapes,
 * 11.7M parameters, He-normal float32 weights from a seeded generator, BatchNorm arrays
 * including int64 num_batches_tracked) saved as an uncompressed .npz in a temporary directory
 * (never committed), split with `--filters 0.5x` by the built CLI, once per --jobs value.
 * Reports total wall time, peak RSS (process-wide: main thread and workers) and the
 * serial/parallel time ratio, and checks, per back-end, whether the archives are byte-identical across --jobs.
 *
 *   node bench/dump.mjs [--max-iter n] [--jobs 1,2] [--blas wasm,openblas] [--width 64]
 * `--width 16` makes a 4x narrower network (a quick smoke run). Needs `npm run build` first.
 * Import it to get the numbers: `const r = await benchDump({ maxIter: 1, jobs: [1, 2] })`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const dist = (p) => pathToFileURL(join(ROOT, "dist", p)).href;

/** torchvision resnet18 state_dict shapes, in its order; `w` is the stem width (64). */
export function resnet18Shapes(w = 64) {
  const out = [];
  const conv = (name, o, i, k) => out.push([`${name}.weight`, [o, i, k, k], "conv"]);
  const bn = (name, c) => {
    for (const s of ["weight", "bias", "running_mean", "running_var"]) out.push([`${name}.${s}`, [c], s]);
    out.push([`${name}.num_batches_tracked`, [], "count"]);
  };
  conv("conv1", w, 3, 7);
  bn("bn1", w);
  let cin = w;
  [w, 2 * w, 4 * w, 8 * w].forEach((c, l) => {
    for (let b = 0; b < 2; b++) {
      const p = `layer${l + 1}.${b}`;
      const stride2 = l > 0 && b === 0;
      conv(`${p}.conv1`, c, cin, 3);
      bn(`${p}.bn1`, c);
      conv(`${p}.conv2`, c, c, 3);
      bn(`${p}.bn2`, c);
      if (stride2) {
        conv(`${p}.downsample.0`, c, cin, 1);
        bn(`${p}.downsample.1`, c);
      }
      cin = c;
    }
  });
  out.push(["fc.weight", [1000, 8 * w], "fc"], ["fc.bias", [1000], "bias"]);
  return out;
}

function gaussian(seed) {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** Write the synthetic dump; returns its path and parameter count. */
export async function writeResnet18Dump(dir, width = 64) {
  const { serializeNpy } = await import(dist("io/npy.js"));
  const { serializeNpz, serializeInt64Npy } = await import(dist("io/npz.js"));
  const g = gaussian(18);
  let params = 0;
  const members = resnet18Shapes(width).map(([name, shape, kind]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    params += n;
    if (kind === "count") {
      const npy = serializeInt64Npy([0]);
      return { name, npy: fixScalar(npy) };
    }
    const fanIn = shape.length > 1 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
    const std = kind === "conv" || kind === "fc" ? Math.sqrt(2 / fanIn) : 0.1;
    const data = Float64Array.from({ length: n }, () => (kind === "running_var" || kind === "weight" ? 1 : 0) + std * g());
    return { name, npy: serializeNpy(shape, data, "float32") };
  });
  const path = join(dir, "resnet18.npz");
  writeFileSync(path, serializeNpz(members, false));
  return { path, params };
}

/** serializeInt64Npy writes shape (1,); BatchNorm's counter is a 0-d array: rewrite the header. */
function fixScalar(npy) {
  const text = new TextDecoder().decode(npy.subarray(10, 10 + new DataView(npy.buffer).getUint16(8, true)));
  const fixed = text.replace("'shape': (1,), }", "'shape': (), }  ");
  const out = new Uint8Array(npy);
  out.set(new TextEncoder().encode(fixed), 10);
  return out;
}

/** Run the CLI in a child that reports its exit code and peak RSS (workers included) on stderr. */
function runCli(dir, args) {
  const script = join(dir, "run-cli.mjs");
  writeFileSync(
    script,
    `const { main } = await import(${JSON.stringify(dist("cli.js"))});
const rc = await main(process.argv.slice(2));
process.stderr.write("\\nBENCH " + JSON.stringify({ rc, maxRSS: process.resourceUsage().maxRSS }) + "\\n");
process.exit(rc);\n`,
  );
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", () => {
      const seconds = (performance.now() - t0) / 1000;
      const m = /BENCH (\{.*\})/.exec(stderr);
      if (!m) return reject(new Error(`CLI run failed: ${stderr.slice(-2000)}`));
      const { rc, maxRSS } = JSON.parse(m[1]);
      if (rc !== 0) return reject(new Error(`CLI exited ${rc}: ${stderr.slice(-2000)}`));
      resolve({ seconds, peakRssMiB: maxRSS / 1024, stdout });
    });
  });
}

/** maxIter null: the CLI's default iterations (and its default stopping rule). */
export async function benchDump({ maxIter = null, jobs = [1, Math.min(2, availableParallelism())], width = 64, blas = ["auto"], keep = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "df-bench-dump-"));
  try {
    const dump = await writeResnet18Dump(dir, width);
    const runs = [];
    for (const b of blas) for (const j of jobs) {
      const out = join(dir, `out-${b}-j${j}`);
      mkdirSync(out);
      const iters = maxIter === null ? [] : ["--max-iter", String(maxIter)];
      const r = await runCli(dir, [dump.path, "--filters", "0.5x", ...iters, "--blas", b, "--json", "--jobs", String(j), "-o", out]);
      const lines = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
      const summary = lines.at(-1);
      const layers = lines.filter((l) => l.type === "layer" && l.status === "ok");
      runs.push({
        blas: b,
        backend: layers[0]?.linalg?.backend ?? b,
        iterations: layers.reduce((n, l) => n + (l.iterations ?? 0), 0),
        jobs: j,
        seconds: r.seconds,
        peakRssMiB: r.peakRssMiB,
        decomposed: summary.decomposed,
        skipped: summary.skipped,
        residualRel: summary.residual.rel,
        params: summary.params,
        bytes: readFileSync(join(out, "resnet18.decomposed.npz")),
      });
    }
    // Byte-identical across --jobs, per back-end: promised for wasm; OpenBLAS only at the same
    // thread count, and a serial run uses all of them where each worker uses one (README).
    const identical = Object.fromEntries(
      blas.map((b) => {
        const same = runs.filter((r) => r.blas === b);
        return [b, same.every((r) => r.bytes.equals(same[0].bytes))];
      }),
    );
    const serial = runs.find((r) => r.jobs === 1 && r.blas === blas[0]);
    const widest = runs.filter((r) => r.blas === blas[0]).reduce((a, b) => (b.jobs > a.jobs ? b : a));
    return {
      params: dump.params,
      maxIter,
      width,
      cores: availableParallelism(),
      runs: runs.map(({ bytes, ...r }) => r),
      identical,
      /** Serial time over the time with the most jobs (> 1 means the workers helped). */
      serialOverParallel: serial && widest !== serial ? serial.seconds / widest.seconds : null,
    };
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name, d) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : d;
  };
  const r = await benchDump({
    maxIter: arg("max-iter", null) === null ? null : Number(arg("max-iter")),
    blas: arg("blas", "auto").split(","),
    jobs: arg("jobs", `1,${Math.min(2, availableParallelism())}`).split(",").map(Number),
    width: Number(arg("width", "64")),
  });
  console.log(`ResNet-18-shaped dump: ${(r.params / 1e6).toFixed(2)}M parameters (width ${r.width}), --filters 0.5x ${r.maxIter === null ? "default iterations" : `--max-iter ${r.maxIter}`}, ${r.cores} cores`);
  for (const x of r.runs) {
    console.log(
      `  ${x.backend} --jobs ${x.jobs}: ${x.seconds.toFixed(1)} s, ${x.iterations} iterations in all, peak RSS ${x.peakRssMiB.toFixed(0)} MiB, ${x.decomposed} split / ${x.skipped} skipped, ` +
        `weights ${x.params.parent} -> ${x.params.children}, residual ${x.residualRel.toExponential(3)} overall`,
    );
  }
  console.log(`  serial/parallel: ${r.serialOverParallel?.toFixed(2) ?? "n/a"}, archives byte-identical across --jobs: ${JSON.stringify(r.identical)} (OpenBLAS: only at equal thread counts)`);
}
