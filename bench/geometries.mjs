#!/usr/bin/env node
/**
 * Issue 8's geometries: residual and time per geometry (closed form against structured ALS
 * forced), the 5x5 -> 3x3 + 3x3 split, and the stacking layouts' errors (max error at the border,
 * exact against same, on the same factors). Standalone: `node bench/geometries.mjs [--quick]`
 * after `npx tsc -p tsconfig.json`; `npm run bench -- --only geometries`.
 */
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { decompose, expectShape4, functionalCheck, readNpy, resolveGeometry, stackLayouts } from "../dist/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const LAYER = "fixtures/facerec-conv32-1-conv1.npy";

function load(file) {
  const a = readNpy(join(root, file));
  return { shape: expectShape4(a, file), data: a.data };
}

/** The centre tap of a 3x3 layer as a 1x1 parent (channel SVD case). */
function centreTap(W) {
  const [o, i, kh, kw] = W.shape;
  const data = new Float64Array(o * i);
  for (let q = 0; q < o * i; q++) data[q] = W.data[q * kh * kw + Math.floor(kh / 2) * kw + Math.floor(kw / 2)];
  return { shape: [o, i, 1, 1], data };
}

/** A seeded synthetic 5x5 parent (c, c, 5, 5), normal entries (xorshift + Box-Muller). */
function synthetic5x5(c, seed) {
  let s = seed >>> 0 || 1;
  const u = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), ((s >>> 0) + 0.5) / 4294967296);
  const data = new Float64Array(c * c * 25);
  for (let q = 0; q < data.length; q++) data[q] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return { shape: [c, c, 5, 5], data };
}

const sz = (h, w = h) => ({ h, w });

export function geometryRows({ quick = false } = {}) {
  const W = load(LAYER);
  const cases = [
    { name: "32ch 3x3 -> 3x1 + 1x3", W, k1: sz(3, 1), k2: sz(1, 3), ms: quick ? [8] : [8, 16, 32] },
    { name: "32ch 3x3 -> 1x1 + 3x3", W, k1: sz(1), k2: sz(3), ms: [8] },
    { name: "32ch 1x1 (centre tap) channel SVD", W: centreTap(W), k1: sz(1), k2: sz(1), ms: [8] },
    { name: "synthetic 16ch 5x5 -> 3x3 + 3x3", W: synthetic5x5(16, 5), k1: sz(3), k2: sz(3), ms: quick ? [16] : [16, 21] },
  ];
  const rows = [];
  for (const c of cases) {
    for (const m of c.ms) {
      const base = { filters: m, k1: c.k1, k2: c.k2, functional: false };
      const auto = decompose(c.W, base).report;
      const forced = auto.method === "closed-form" ? decompose(c.W, { ...base, method: "structured", maxIter: 60, tol: 0 }).report : null;
      rows.push({
        case: c.name, m, regime: auto.quality.regime.name, method: auto.method, rel: auto.residual.rel, seconds: auto.time.seconds,
        floor: auto.floor.rel, floorKind: auto.floor.kind,
        structured60: forced ? forced.residual.rel : null, structuredSeconds: forced ? forced.time.seconds : null,
        agreement: forced ? (forced.residual.rel - auto.residual.rel) / auto.residual.rel : null,
      });
    }
  }
  return rows;
}

/** Layout errors: the same factors through both layouts, max error at the border (absolute and relative). */
export function layoutRows() {
  const W = load(LAYER);
  const rows = [];
  for (const c of [
    { name: "32ch 3x3, m=32, 3x3 + 3x3 (exact, delta f1)", m: 32, k1: sz(3), k2: sz(3), stride: sz(1) },
    { name: "32ch 3x3, m=90, 3x3 + 3x3 (exact, dense)", m: 90, k1: sz(3), k2: sz(3), stride: sz(1) },
    { name: "32ch 3x3, m=90, 3x3 + 3x3 (exact, dense), stride 2", m: 90, k1: sz(3), k2: sz(3), stride: sz(2) },
    { name: "32ch 3x3, m=8, 3x3 + 3x3 (compression)", m: 8, k1: sz(3), k2: sz(3), stride: sz(1) },
    { name: "32ch 3x3, m=8, 3x1 + 1x3 (closed form)", m: 8, k1: sz(3, 1), k2: sz(1, 3), stride: sz(1) },
  ]) {
    const d = decompose(W, { filters: c.m, k1: c.k1, k2: c.k2, functional: false });
    const g = resolveGeometry(W.shape, c.m, c.k1, c.k2);
    const L = stackLayouts(g, sz(1), c.stride);
    const ex = functionalCheck(W, d.f1, d.f2, L.exact, 0);
    const same = functionalCheck(W, d.f1, d.f2, L.same, 0);
    rows.push({ case: c.name, residual: d.report.residual.rel, exact: ex, same });
  }
  return rows;
}

const f = (x) => (x === null || x === undefined ? "-" : x === 0 ? "0" : Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toPrecision(4));

export const GEOMETRY_COLUMNS = [
  ["case", (r) => r.case], ["m", (r) => r.m], ["regime", (r) => r.regime], ["method (auto)", (r) => r.method],
  ["residual", (r) => f(r.rel)], ["time (s)", (r) => r.seconds.toFixed(3)], ["floor", (r) => `${f(r.floor)} (${r.floorKind})`],
  ["structured 60 it", (r) => f(r.structured60)], ["its time (s)", (r) => (r.structuredSeconds === null ? "-" : r.structuredSeconds.toFixed(2))],
  ["(structured - closed) / closed", (r) => f(r.agreement)],
];

export const LAYOUT_COLUMNS = [
  ["split", (r) => r.case], ["kernel residual", (r) => f(r.residual)],
  ["exact: border max abs (rel)", (r) => `${f(r.exact.borderMaxError)} (${f(r.exact.borderRelError)})`],
  ["exact: interior rel", (r) => f(r.exact.interiorRelError)], ["exact: vs composed conv", (r) => f(r.exact.layoutRelError)],
  ["same: border max abs (rel)", (r) => `${f(r.same.borderMaxError)} (${f(r.same.borderRelError)})`],
  ["same: interior rel", (r) => f(r.same.interiorRelError)],
];

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printTable } = await import("./table.mjs");
  printTable("Geometries: residual and time, closed form against structured ALS forced", GEOMETRY_COLUMNS, geometryRows({ quick: process.argv.includes("--quick") }));
  printTable("Stacking layouts on the same factors", LAYOUT_COLUMNS, layoutRows());
}
