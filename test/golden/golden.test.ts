/**
 * Golden-report regression: the built CLI, run on every fixture with every method exactly as a
 * user's CI job runs it (`decompose-filter parent.npy --filters m --max-iter n --seed 0 --json`),
 * must report the residuals recorded in golden.json. Regenerate the file with
 * `npm run build && node scripts/update-golden.mjs` when a change is MEANT to move them, and review
 * the diff: the golden values are the project's own record of how good its splits are.
 *
 * Tolerance. Iterations must match exactly. residual.rel, residual.unprojectedRel and floor.rel
 * must satisfy |got - golden| <= 1e-6 * |golden| + 1e-9. Not bit-exact, because the linear-algebra
 * kernels underneath (GEMM, Cholesky, the symmetric eigensolver in src/linalg/, which may switch
 * between plain TypeScript, WebAssembly SIMD and threaded variants) are free to change their
 * summation order, as any BLAS does; each reordering perturbs a float64 sum by ~1e-16 relative, and
 * through a few ALS iterations with ridge-conditioned solves (condition number bounded by about
 * 1/lambda = 1e4) that grows to ~1e-12 relative. Measured across this project's linear-algebra
 * rewrite (reference kernels to the fast layer): floor.rel moved by 1.2e-12 relative, the projected
 * and seed residuals not at all. A real
 * change of algorithm (update, regularisation, initialisation, projection, stopping rule) moves
 * them by 1e-4 or more (the accelerated structured ALS moved every structured case by >= 5%).
 * So the relative 1e-6 separates "same computation, other rounding" from "other computation" by
 * orders of magnitude on both sides.
 * The absolute 1e-9 (in units of relative residual) is for near-exact splits (m >= min(c_in,
 * c_out)), whose residuals end at 1e-11..1e-8: there the last digits ARE rounding, so the test only
 * holds them to "still near-exact"; a floor of exactly 0 is held to 0 the same way.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, cli, copyIn, FIXTURES, parseJson, requireBuild, ROOT, tempDir, type Json } from "../cli/helpers.js";

const REL_TOL = 1e-6;
const ABS_TOL = 1e-9;
const METHODS = ["structured", "projected", "seed"] as const;

interface GoldenCase {
  fixture: string;
  /** A method, or "auto" (geometry cases: the default choice, recorded in info.method). */
  method: string;
  /** Geometry cases: --k1/--k2 after the common options. */
  args?: string[];
  info?: { method?: string };
  filters: number;
  maxIter: number;
  seed: number;
  expect: { residualRel: number; unprojectedRel: number | null; floorRel: number; iterations: number };
}

const GOLDEN_PATH = join(ROOT, "test", "golden", "golden.json");
const golden = JSON.parse(readFileSync(GOLDEN_PATH, "utf8")) as { cases: GoldenCase[] };

/** The same argv scripts/update-golden.mjs uses (caseArgs there). */
const caseArgs = (c: GoldenCase, outDir: string): string[] => [
  "--filters", String(c.filters),
  "--method", c.method,
  "--max-iter", String(c.maxIter),
  "--seed", String(c.seed),
  "--out-dir", outDir,
  "--force",
  "--json",
  ...(c.args ?? []),
];

function close(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= REL_TOL * Math.abs(expected) + ABS_TOL;
}

function numberAt(rep: { [k: string]: Json }, a: string, b: string): number | null {
  const o = rep[a];
  if (o === null || typeof o !== "object" || Array.isArray(o)) throw new Error(`report.${a} is not an object`);
  const v = o[b];
  if (v === null) return null;
  if (typeof v !== "number") throw new Error(`report.${a}.${b} is not a number: ${JSON.stringify(v)}`);
  return v;
}

let work = "";
beforeAll(() => {
  requireBuild();
  work = tempDir("golden");
});
afterAll(cleanup);

describe("golden.json covers the fixtures", () => {
  it("every parent in fixtures/ has a case for every method", () => {
    const parents = readdirSync(FIXTURES).filter((f) => f.endsWith(".npy") && !/\.(f1|f2|bias)\.npy$/.test(f));
    expect(parents.length).toBeGreaterThan(5);
    const missing = parents.flatMap((p) =>
      METHODS.filter((m) => !golden.cases.some((c) => c.fixture === p && c.method === m)).map((m) => `${p} ${m}`),
    );
    expect(missing, "new fixture? run `npm run build && node scripts/update-golden.mjs`").toEqual([]);
    const gone = golden.cases.filter((c) => !parents.includes(c.fixture)).map((c) => c.fixture);
    expect(gone, "golden.json names fixtures that no longer exist").toEqual([]);
  });
});

describe("golden residuals", () => {
  it.each(golden.cases.map((c) => [`${c.fixture} ${c.method} m=${c.filters} max-iter=${c.maxIter} ${(c.args ?? []).join(" ")}`, c] as const))("%s", (_name, c) => {
    const input = join(work, c.fixture);
    if (!existsSync(input)) copyIn(c.fixture, work);
    const out = join(work, "out");
    mkdirSync(out, { recursive: true });
    const r = cli([input, ...caseArgs(c, out)]);
    expect(r.status, r.stderr).toBe(0);
    const rep = parseJson(r.stdout);
    const got = {
      residualRel: numberAt(rep, "residual", "rel"),
      unprojectedRel: numberAt(rep, "residual", "unprojectedRel"),
      floorRel: numberAt(rep, "floor", "rel"),
      iterations: rep["iterations"],
    };
    const bad: string[] = [];
    for (const k of ["residualRel", "unprojectedRel", "floorRel"] as const) {
      const want = c.expect[k];
      const have = got[k];
      const ok = want === null || have === null ? want === have : close(have, want);
      if (!ok) bad.push(`${k}: got ${String(have)}, golden ${String(want)} (rel diff ${want && have !== null ? ((have - want) / want).toExponential(2) : "-"})`);
    }
    if (c.info?.method !== undefined && rep["method"] !== c.info.method) bad.push(`method: got ${String(rep["method"])}, golden ${c.info.method}`);
    if (got.iterations !== c.expect.iterations) bad.push(`iterations: got ${String(got.iterations)}, golden ${c.expect.iterations}`);
    // A string, so the failure shows every differing field in full.
    expect(bad.join("\n"), `${c.fixture} ${c.method} m=${c.filters} differs from ${GOLDEN_PATH}`).toBe("");
  });
});
