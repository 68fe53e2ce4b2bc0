// All three methods on every shipped parent, through the CLI as a user runs it (default options,
// --seed 0): relative residual, the seed method's residual before projection, floor, time.
// Standalone: `node bench/fixtures.mjs` after `npm run build`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readNpy } from "../dist/io/npy.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(root, "bin", "decompose-filter.js");

/** Parents only: not the known factors or biases of other fixtures. */
function parents() {
  return readdirSync(join(root, "fixtures"))
    .filter((f) => f.endsWith(".npy") && !/\.(f1|f2|bias)\.npy$/.test(f))
    .sort();
}

/** Settings per fixture: m = the smaller channel count and a quarter of it; k1 = k2 = 3 for the factorable one. */
function cases(file) {
  const [cOut, cIn] = readNpy(join(root, "fixtures", file)).shape;
  if (file.startsWith("factorable")) return [{ m: 4, extra: ["--k1", "3", "--k2", "3"] }];
  const c = Math.min(cOut, cIn);
  return [...new Set([c, Math.max(1, Math.floor(c / 4))])].map((m) => ({ m, extra: [] }));
}

export async function benchFixtures({ methods = ["structured", "projected", "seed"] } = {}) {
  const out = mkdtempSync(join(tmpdir(), "df-bench-fixtures-"));
  const rows = [];
  try {
    for (const file of parents()) {
      for (const { m, extra } of cases(file)) {
        for (const method of methods) {
          const r = spawnSync(process.execPath, [CLI, join(root, "fixtures", file), "-f", String(m), "-m", method, ...extra, "--seed", "0", "--json", "--force", "-o", out], { encoding: "utf8" });
          if (r.status !== 0) throw new Error(`${file} ${method}: ${r.stderr}`);
          const rep = JSON.parse(r.stdout);
          rows.push({
            file, m, method,
            regime: rep.quality?.regime?.name ?? "-",
            iterations: rep.iterations, stopReason: rep.stopReason,
            residual: rep.residual.rel, unprojected: rep.residual.unprojectedRel, floor: rep.floor.rel,
            seconds: rep.time.seconds,
          });
        }
      }
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return rows;
}

const sci = (x) => (x === null || x === undefined ? "-" : x === 0 ? "0" : x.toExponential(2));
export const COLUMNS = [
  ["fixture", (r) => r.file.replace(/\.npy$/, "")],
  ["m", (r) => r.m],
  ["regime", (r) => r.regime],
  ["method", (r) => r.method],
  ["iters (stop)", (r) => `${r.iterations} (${r.stopReason})`],
  ["residual", (r) => sci(r.residual)],
  ["before projection", (r) => sci(r.unprojected)],
  ["floor", (r) => sci(r.floor)],
  ["seconds", (r) => r.seconds.toFixed(3)],
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { printTable } = await import("./table.mjs");
  printTable("Every shipped parent, all three methods (CLI defaults, --seed 0)", COLUMNS, await benchFixtures());
}
