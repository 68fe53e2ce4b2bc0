#!/usr/bin/env node
/**
 * Regenerates test/golden/golden.json: the residuals the golden-report regression test
 * (test/golden/golden.test.ts) holds the built CLI to.
 *
 *   npm run build && node scripts/update-golden.mjs            # every case
 *   node scripts/update-golden.mjs --only random-8x8x3         # only fixtures whose name contains this
 *
 * Cases: every parent in fixtures/*.npy (not the .f1/.f2/.bias companions) x every method
 * (structured, projected, seed), with m = min(c_out, c_in) and, for the real trained layers
 * (facerec-*), also m = max(1, floor(min / 4)) (the 64-channel upscaler-* layers, the slowest, only at that m); --seed 0, a fixed --max-iter (small for the real
 * layers, which are the slow ones), every other option at its default. Each case runs the built
 * binary exactly as a user would (`node bin/decompose-filter.js <copy> ... --json`) on a copy of the
 * fixture in a temporary directory, and records residual.rel, residual.unprojectedRel, floor.rel and
 * iterations. Geometry cases (GEOMETRY_CASES) add rectangular and 1x1 children and a ke = k split
 * with the default method choice (`--method auto`: the closed form where the geometry is a matrix
 * one), recording the method that ran. Review the diff of golden.json before committing it: a changed residual is either an
 * improvement you meant or a regression the test exists to catch.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "bin", "decompose-filter.js");
const FIXTURES = join(ROOT, "fixtures");
const GOLDEN = join(ROOT, "test", "golden", "golden.json");

export const METHODS = ["structured", "projected", "seed"];
/** --max-iter per kind of fixture: the synthetic ones are small, the real 32/64-channel ones are not. */
export const MAX_ITER = { synthetic: 10, real: 3 };
export const SEED = 0;

/** The parents among fixtures/*.npy, sorted. */
export function parentFixtures(dir = FIXTURES) {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".npy") && !/\.(f1|f2|bias)\.npy$/.test(f) && !/\.f2\.bias\.npy$/.test(f))
    .sort();
}

export const isRealLayer = (name) => name.startsWith("facerec-") || name.startsWith("upscaler-");
/** The 64-channel upscaler layers (the slow ones: the 5x5 parent's seed/projected im2col at ke = 9) run at m = min / 4 only. */
const quarterOnly = (name) => name.startsWith("upscaler-");

/** (c_out, c_in) from the .npy header, without the tool (so this script does not depend on dist/ for it). */
function channels(path) {
  const bytes = readFileSync(path);
  const major = bytes[6];
  const headerLen = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = bytes.subarray(start, start + headerLen).toString(major === 3 ? "utf8" : "latin1");
  const m = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!m) throw new Error(`${path}: no shape in the .npy header`);
  const shape = m[1].split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  return [shape[0], shape[1]];
}

export function goldenCases(dir = FIXTURES) {
  const cases = [];
  for (const fixture of parentFixtures(dir)) {
    const [cOut, cIn] = channels(join(dir, fixture));
    const min = Math.min(cOut, cIn);
    const real = isRealLayer(fixture);
    const quarter = Math.max(1, Math.floor(min / 4));
    const ms = quarterOnly(fixture) ? [quarter] : real ? [...new Set([min, quarter])] : [min];
    const maxIter = real ? MAX_ITER.real : MAX_ITER.synthetic;
    for (const filters of ms) {
      // float16 parents: factors are written as float32, since an unbalanced split (projected) can
      // exceed float16's range, which the tool refuses rather than write Inf.
      const args = fixture.endsWith("-f16.npy") ? { args: ["--dtype", "float32"] } : {};
      for (const method of METHODS) cases.push({ fixture, method, filters, maxIter, seed: SEED, ...args });
    }
  }
  return [...cases, ...GEOMETRY_CASES.filter((c) => existsSync(join(dir, c.fixture)))];
}

/** Issue 8's geometries on shipped parents: spatial SVD, a 1x1 child, and 5x5 -> 3x3 + 3x3 (auto: lm; varpro). */
export const GEOMETRY_CASES = [
  { fixture: "random-8x8x3.npy", method: "auto", filters: 4, maxIter: 10, seed: SEED, args: ["--k1", "3x1", "--k2", "1x3"] },
  { fixture: "random-16x8x3.npy", method: "auto", filters: 4, maxIter: 10, seed: SEED, args: ["--k1", "1", "--k2", "3"] },
  { fixture: "facerec-conv32-1-conv1.npy", method: "auto", filters: 8, maxIter: 3, seed: SEED, args: ["--k1", "3x1", "--k2", "1x3"] },
  { fixture: "facerec-conv32-1-conv1.npy", method: "structured", filters: 8, maxIter: 3, seed: SEED, args: ["--k1", "3x1", "--k2", "1x3"] },
  { fixture: "factorable-5x6x5-m4.npy", method: "auto", filters: 5, maxIter: 10, seed: SEED, args: ["--k1", "3", "--k2", "3"] },
  { fixture: "factorable-5x6x5-m4.npy", method: "varpro", filters: 5, maxIter: 10, seed: SEED, args: ["--k1", "3", "--k2", "3"] },
];

/** The argv after the input file: the same in this script and in the test. */
export const caseArgs = (c, outDir) => [
  "--filters", String(c.filters),
  "--method", c.method,
  "--max-iter", String(c.maxIter),
  "--seed", String(c.seed),
  "--out-dir", outDir,
  "--force",
  "--json",
  ...(c.args ?? []),
];

function runCase(c, work) {
  const input = join(work, c.fixture);
  if (!existsSync(input)) copyFileSync(join(FIXTURES, c.fixture), input);
  const r = spawnSync(process.execPath, [BIN, input, ...caseArgs(c, work)], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${c.fixture} ${c.method} m=${c.filters}: exit ${r.status}\n${r.stderr}`);
  const rep = JSON.parse(r.stdout);
  return {
    ...c,
    expect: {
      residualRel: rep.residual.rel,
      unprojectedRel: rep.residual.unprojectedRel,
      floorRel: rep.floor.rel,
      iterations: rep.iterations,
    },
    info: { stopReason: rep.stopReason, method: rep.method, regime: rep.quality?.regime?.name ?? null },
    seconds: rep.time.seconds,
  };
}

function main() {
  if (!existsSync(join(ROOT, "dist", "cli.js"))) {
    console.error("update-golden: dist/cli.js is missing; run `npm run build` first");
    process.exit(2);
  }
  const only = process.argv.indexOf("--only");
  const filter = only >= 0 ? process.argv[only + 1] : undefined;
  const old = existsSync(GOLDEN) ? JSON.parse(readFileSync(GOLDEN, "utf8")) : { cases: [] };
  const key = (c) => `${c.fixture} ${c.method} ${c.filters} ${(c.args ?? []).join(" ")}`;
  const kept = new Map(old.cases.map((c) => [key(c), c]));
  const work = mkdtempSync(join(tmpdir(), "decompose-filter-golden-"));
  const started = Date.now();
  const cases = [];
  try {
    for (const c of goldenCases()) {
      if (filter !== undefined && !c.fixture.includes(filter)) {
        const prev = kept.get(key(c));
        if (prev) cases.push(prev);
        continue;
      }
      const got = runCase(c, work);
      console.log(
        `${c.fixture.padEnd(32)} ${c.method.padEnd(10)} m=${String(c.filters).padEnd(3)} ${(c.args ?? []).join(" ")} rel ${got.expect.residualRel.toExponential(6)}` +
          `  floor ${got.expect.floorRel.toExponential(6)}  iters ${got.expect.iterations}  ${got.seconds.toFixed(2)} s`,
      );
      delete got.seconds; // machine-dependent: printed, not recorded
      cases.push(got);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
  const doc = {
    _about:
      "Golden residuals of the built CLI (`decompose-filter <fixture> --json`) per fixture, method and --filters; " +
      "checked by test/golden/golden.test.ts, regenerated by `npm run build && node scripts/update-golden.mjs`. " +
      "'info' is recorded for the reader; of it only info.method (the method that ran) is compared.",
    tool: version,
    cases,
  };
  writeFileSync(GOLDEN, JSON.stringify(doc, null, 1) + "\n");
  console.log(`wrote ${GOLDEN}: ${cases.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
